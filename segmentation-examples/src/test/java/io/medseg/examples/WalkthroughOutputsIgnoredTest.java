package io.medseg.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every folder or file that a command of the README's and the docs' walkthroughs writes into the repository root
 * (their {@code --out}, {@code --report}, {@code --save-models}, {@code --registry}, {@code --work} and the Java
 * snippets' {@code Path.of}) is in
 * {@code .gitignore}, so following them leaves {@code git status} clean.
 */
class WalkthroughOutputsIgnoredTest {
    private static final Pattern BLOCK = Pattern.compile("```(bash|java)\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern OUTPUT_OPTION =
            Pattern.compile("--(?:out|report|save-models|registry|work) +(\\S+)");
    private static final Pattern JAVA_PATH = Pattern.compile("Path\\.of\\(\"([^\"]+)\"\\)");
    private static final List<String> DOCS = List.of("README.md", "docs/getting-started.md", "docs/mlops.md",
            "docs/data-formats.md", "docs/cardiac-recipe.md", "docs/architecture.md", "docs/reliability.md", "docs/audit.md");

    private static Path repository() {
        return Path.of(System.getProperty("medseg.repository.dir", "..")).toAbsolutePath().normalize();
    }

    /**
     * The first name of a path relative to the repository root (a folder's without its slash), or null for another
     * path or a placeholder.
     */
    private static String topLevel(String path) {
        if (path.startsWith("/") || path.startsWith("..") || path.startsWith("$") || path.startsWith("~")
                || path.equals(path.toUpperCase(java.util.Locale.ROOT))) {
            return null;
        }
        String p = path.startsWith("./") ? path.substring(2) : path;
        int slash = p.indexOf('/');
        return slash < 0 ? p : p.substring(0, slash);
    }

    @Test
    void everyOutputOfTheWalkthroughsInTheRepositoryRootIsIgnored() throws IOException {
        Set<String> written = new TreeSet<>();
        for (String doc : DOCS) {
            Matcher block = BLOCK.matcher(Files.readString(repository().resolve(doc), StandardCharsets.UTF_8));
            while (block.find()) {
                boolean bash = block.group(1).equals("bash");
                for (String line : block.group(2).lines().toList()) {
                    // what the comments say is not a command
                    int comment = line.indexOf(bash ? "#" : "//");
                    String code = comment < 0 ? line : line.substring(0, comment);
                    Matcher m = (bash ? OUTPUT_OPTION : JAVA_PATH).matcher(code);
                    while (m.find()) {
                        String top = topLevel(m.group(1));
                        if (top != null) {
                            written.add(top);
                        }
                    }
                }
            }
        }
        assertThat(written).as("outputs found in the walkthroughs").contains("models", "predictions", "report");

        Set<String> ignored = new TreeSet<>();
        for (String line : Files.readAllLines(repository().resolve(".gitignore"), StandardCharsets.UTF_8)) {
            if (line.startsWith("/")) {
                ignored.add(line.substring(1).replaceFirst("/$", ""));
            }
        }
        assertThat(ignored).as(".gitignore's entries for the repository root").containsAll(written);
    }
}

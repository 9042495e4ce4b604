package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The {@code --help} of every subcommand, rendered as a user sees it (picocli's default width of 80 columns, in a
 * JVM of its own): no picocli warning, and no file name broken across lines.
 */
class HelpTextTest {
    /** A file name as the help texts write one: a path whose last part ends in a known extension. */
    private static final Pattern FILE_NAME = Pattern.compile(
            "[A-Za-z0-9_<>-]+(?:/[A-Za-z0-9_<>.-]+)*\\.(?:jsonl|json|csv|md|html|png|dcm|tfrecords|zip|pb)\\b");

    private static Rendered plain;

    @BeforeAll
    static void render() throws IOException, InterruptedException {
        plain = renderInNewJvm();
    }

    @Test
    void everySubcommandHasAHelpText() {
        assertThat(plain.helps().keySet()).contains("segment", "demo", "train", "predict", "evaluate", "crossval",
                "convert", "inspect", "reproduce", "export", "diff", "validate", "register", "models", "promote",
                "drift");
        assertThat(plain.helps().values()).allSatisfy(h -> assertThat(h).contains("Usage: segment"));
    }

    @Test
    void noHelpTextMakesPicocliWarn() {
        assertThat(plain.stderr()).isEmpty();
    }

    @Test
    void aStrayPercentSignWouldBeSeen() throws IOException, InterruptedException {
        // the check above could not fail if picocli's warnings went somewhere else
        assertThat(renderInNewJvm("--bad-first").stderr()).contains("[picocli WARN]", "95% Hausdorff");
    }

    @Test
    void everyFileNameInTheDescriptionsIsPrintedWhole() {
        CommandLine root = Main.commandLine(System.out, System.err);
        Map<String, CommandSpec> specs = new LinkedHashMap<>();
        specs.put(root.getCommandName(), root.getCommandSpec());
        root.getSubcommands().forEach((name, cl) -> specs.put(name, cl.getCommandSpec()));
        int checked = 0;
        for (Map.Entry<String, CommandSpec> e : specs.entrySet()) {
            String help = plain.helps().get(e.getKey());
            Set<String> names = fileNames(e.getValue());
            // the list of commands shows the first line of each one's description
            e.getValue().subcommands().values().forEach(sub -> names.addAll(fileNames(
                    List.of(sub.getCommandSpec().usageMessage().description()).stream().limit(1).toList())));
            for (String name : names) {
                assertThat(help).as("%s --help: %s", e.getKey(), name).contains(name);
                checked++;
            }
        }
        assertThat(checked).as("file names found in the descriptions").isGreaterThan(15);
    }

    @Test
    void noLineOfAnyHelpTextIsWiderThanTheScreen() {
        plain.helps().forEach((name, help) -> assertThat(help.lines()).as(name)
                .allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(80)));
    }

    private static Set<String> fileNames(CommandSpec spec) {
        List<String> texts = new ArrayList<>(List.of(spec.usageMessage().description()));
        texts.addAll(List.of(spec.usageMessage().footer()));
        for (OptionSpec o : spec.options()) {
            texts.addAll(List.of(o.description()));
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            texts.addAll(List.of(p.description()));
        }
        return fileNames(texts);
    }

    private static Set<String> fileNames(List<String> texts) {
        Set<String> names = new LinkedHashSet<>();
        for (String t : texts) {
            Matcher m = FILE_NAME.matcher(t);
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }

    record Rendered(Map<String, String> helps, String stderr) {
    }

    private static Rendered renderInNewJvm(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), HelpRendering.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        // the help texts are small: read standard error after standard output without blocking the child
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("stderr: %s", err).isZero();
        Map<String, String> helps = new LinkedHashMap<>();
        String name = null;
        StringBuilder text = new StringBuilder();
        for (String line : out.split("\n", -1)) {
            if (line.startsWith(HelpRendering.HEADER)) {
                if (name != null) {
                    helps.put(name, text.toString());
                }
                name = line.substring(HelpRendering.HEADER.length()).strip();
                text.setLength(0);
            } else {
                text.append(line).append('\n');
            }
        }
        if (name != null) {
            helps.put(name, text.toString());
        }
        return new Rendered(helps, err);
    }
}

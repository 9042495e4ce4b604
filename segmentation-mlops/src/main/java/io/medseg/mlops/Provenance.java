package io.medseg.mlops;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The parts of a run's provenance that describe where it ran: library, backend, Java and OS versions, and the git
 * commit of the working directory. The run itself (config, seed, data manifest, times) is recorded by
 * {@link TrainingRun}.
 */
public final class Provenance {
    private Provenance() {
    }

    /** This library's version, from the build ({@code "unknown"} when run from unpackaged sources). */
    public static String libraryVersion() {
        try (InputStream in = Provenance.class.getResourceAsStream("/io/medseg/medseg-build.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Library, backend, Java and OS, as recorded in every run. */
    public static Map<String, Object> environment(String backendName, String backendDescription) {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("library", "medseg " + libraryVersion());
        env.put("backend", backendName);
        env.put("backend_description", backendDescription);
        env.put("java_version", System.getProperty("java.version"));
        env.put("java_vendor", System.getProperty("java.vendor"));
        env.put("java_vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        env.put("arch", System.getProperty("os.arch"));
        env.put("cpus", Runtime.getRuntime().availableProcessors());
        return env;
    }

    /**
     * The git commit checked out in {@code dir} or a folder above it, read from the {@code .git} folder itself
     * (no git program needed): {@code commit}, {@code branch} (absent when detached) and, when a {@code git}
     * program is on the path, {@code dirty} (uncommitted changes to tracked files). Empty when {@code dir} is not
     * in a git checkout.
     */
    public static Optional<Map<String, Object>> git(Path dir) {
        Path d = dir.toAbsolutePath().normalize();
        while (d != null && !Files.exists(d.resolve(".git"))) {
            d = d.getParent();
        }
        if (d == null) {
            return Optional.empty();
        }
        try {
            Path gitDir = d.resolve(".git");
            if (Files.isRegularFile(gitDir)) { // a worktree or submodule: "gitdir: <path>"
                String line = Files.readString(gitDir, StandardCharsets.UTF_8).trim();
                if (!line.startsWith("gitdir:")) {
                    return Optional.empty();
                }
                gitDir = d.resolve(line.substring("gitdir:".length()).trim()).normalize();
            }
            String head = Files.readString(gitDir.resolve("HEAD"), StandardCharsets.UTF_8).trim();
            Map<String, Object> git = new LinkedHashMap<>();
            git.put("root", d.toString());
            if (head.startsWith("ref: ")) {
                String ref = head.substring(5).trim();
                String commit = resolveRef(gitDir, ref);
                if (commit == null) {
                    return Optional.empty(); // a branch with no commit yet
                }
                git.put("commit", commit);
                git.put("branch", ref.startsWith("refs/heads/") ? ref.substring(11) : ref);
            } else {
                git.put("commit", head);
            }
            dirty(d).ifPresent(v -> git.put("dirty", v));
            return Optional.of(git);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String resolveRef(Path gitDir, String ref) throws IOException {
        // worktrees keep HEAD locally but refs in the common folder
        Path common = gitDir;
        Path commonFile = gitDir.resolve("commondir");
        if (Files.isRegularFile(commonFile)) {
            common = gitDir.resolve(Files.readString(commonFile, StandardCharsets.UTF_8).trim()).normalize();
        }
        for (Path base : List.of(gitDir, common)) {
            Path loose = base.resolve(ref);
            if (Files.isRegularFile(loose)) {
                return Files.readString(loose, StandardCharsets.UTF_8).trim();
            }
        }
        Path packed = common.resolve("packed-refs");
        if (Files.isRegularFile(packed)) {
            for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
                String[] parts = line.trim().split(" ");
                if (parts.length == 2 && parts[1].equals(ref)) {
                    return parts[0];
                }
            }
        }
        return null;
    }

    private static Optional<Boolean> dirty(Path root) {
        try {
            Process p = new ProcessBuilder("git", "status", "--porcelain", "--untracked-files=no")
                    .directory(root.toFile()).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return Optional.of(out.length > 0);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}

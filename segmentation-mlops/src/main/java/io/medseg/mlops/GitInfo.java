package io.medseg.mlops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The git commit of the code a run was made with.
 *
 * @param root the checkout's top folder
 * @param commit the commit checked out
 * @param branch the branch, absent when the checkout is detached
 * @param dirty whether tracked files had uncommitted changes; absent when no {@code git} program could tell
 */
public record GitInfo(String root, String commit, Optional<String> branch, Optional<Boolean> dirty) {
    public GitInfo {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(commit, "commit");
        branch = branch == null ? Optional.empty() : branch;
        dirty = dirty == null ? Optional.empty() : dirty;
    }

    /**
     * The git commit checked out in {@code dir} or a folder above it, read from the {@code .git} folder itself
     * (no git program needed; worktrees and submodules too); the dirty flag needs a {@code git} program on the path.
     * Empty when {@code dir} is not in a git checkout.
     */
    public static Optional<GitInfo> of(Path dir) {
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
            String commit = head;
            Optional<String> branch = Optional.empty();
            if (head.startsWith("ref: ")) {
                String ref = head.substring(5).trim();
                commit = resolveRef(gitDir, ref);
                if (commit == null) {
                    return Optional.empty(); // a branch with no commit yet
                }
                branch = Optional.of(ref.startsWith("refs/heads/") ? ref.substring(11) : ref);
            }
            return Optional.of(new GitInfo(d.toString(), commit, branch, dirty(d)));
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
                String[] parts = line.trim().split(" ", -1);
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

package io.medseg.io;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/** Whole-folder operations used by model saving, run checkpoints, packages and the registry. */
public final class FileTrees {
    private FileTrees() {
    }

    /**
     * Deletes a folder and everything in it; nothing when it does not exist. Symbolic links are deleted, never
     * followed.
     */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Deletes a folder after renaming it to a hidden name beside it, so that it leaves its name in one step: a
     * process killed while deleting leaves a hidden folder, never a half-deleted one under the name readers look
     * for (a checkpoint whose weights are gone, a model without its variables). Nothing when it does not exist.
     */
    public static void deleteTreeAside(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path aside = abs.resolveSibling("." + abs.getFileName() + ".deleting-"
                + Long.toUnsignedString(System.nanoTime(), 36));
        Files.move(abs, aside, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(aside);
    }

    /** Copies a folder tree to {@code to}, which must not exist yet. */
    public static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()));
                return FileVisitResult.CONTINUE;
            }
        });
    }
}

package io.medseg.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes that either complete or leave nothing under the target name: the content goes to a hidden file beside the
 * target, which is then renamed onto it (atomically where the file system allows). The temporary file is created
 * with the default permissions, so the result is readable like any other file the user writes.
 */
public final class AtomicFile {
    private AtomicFile() {
    }

    /** What writes the content. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** A fresh hidden name beside {@code target}, not yet created. */
    public static Path siblingTemp(Path target) {
        Path abs = target.toAbsolutePath();
        return abs.resolveSibling("." + abs.getFileName() + "." + Long.toUnsignedString(System.nanoTime(), 36)
                + ".tmp");
    }

    /**
     * Writes {@code content} to {@code target}, replacing what was there only once the write is complete.
     *
     * @throws java.nio.file.FileSystemException naming {@code target} when the disk is full or the write fails
     *     without naming a file ({@link WriteFailures#naming})
     */
    public static void write(Path target, Content content) throws IOException {
        Path abs = target.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = siblingTemp(abs);
        boolean moved = false;
        try {
            try (OutputStream os = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                content.writeTo(os);
            }
            moveInto(tmp, abs);
            moved = true;
        } catch (IOException e) {
            throw WriteFailures.naming(abs, e);
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Writes UTF-8 text atomically. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, os -> os.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Renames a finished temporary file onto its target. */
    public static void moveInto(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}

package io.medseg.data.tfrecord;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a TFRecord file atomically: records go to a temporary file in the target's folder, and
 * {@link #commit()} moves it onto the target. Closing without a commit deletes the temporary file, so a
 * conversion that fails half-way leaves neither a partial file nor litter.
 *
 * <pre>{@code
 * try (TFRecordWriter w = TFRecordWriter.create(out, false)) {
 *     for (byte[] r : records) w.write(r);
 *     w.commit();
 * }
 * }</pre>
 */
public final class TFRecordWriter implements AutoCloseable {
    private final Path file;
    private final Path temp;
    private final OutputStream out;
    private final byte[] header = new byte[12];
    private final byte[] footer = new byte[4];
    private long records;
    private boolean committed;
    private boolean closed;

    private TFRecordWriter(Path file, Path temp, OutputStream out) {
        this.file = file;
        this.temp = temp;
        this.out = out;
    }

    /** Starts writing {@code file} (gzip-compressed if asked); nothing appears at {@code file} until commit. */
    public static TFRecordWriter create(Path file, boolean gzip) throws IOException {
        Objects.requireNonNull(file, "file");
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        // a fresh name opened with CREATE_NEW rather than createTempFile, whose owner-only permissions would stay on
        // the committed file
        Path temp = io.medseg.io.AtomicFile.siblingTemp(target);
        OutputStream raw = Files.newOutputStream(temp, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE);
        try {
            OutputStream os = new BufferedOutputStream(raw, 1 << 16);
            if (gzip) {
                os = new GZIPOutputStream(os, 1 << 16);
            }
            return new TFRecordWriter(file, temp, os);
        } catch (IOException | RuntimeException e) {
            raw.close();
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Appends one record. */
    public void write(byte[] payload) throws IOException {
        Objects.requireNonNull(payload, "payload");
        if (closed) {
            throw new IllegalStateException("writer for " + file + " is already " + (committed ? "committed" : "closed"));
        }
        Crc.writeLongLE(header, 0, payload.length);
        Crc.writeIntLE(header, 8, Crc.masked(header, 0, 8));
        Crc.writeIntLE(footer, 0, Crc.masked(payload, 0, payload.length));
        out.write(header);
        out.write(payload);
        out.write(footer);
        records++;
    }

    /** Records written so far. */
    public long records() {
        return records;
    }

    /** Flushes, closes and moves the temporary file onto the target, replacing any file there. */
    public void commit() throws IOException {
        if (closed) {
            throw new IllegalStateException("writer for " + file + " is already " + (committed ? "committed" : "closed"));
        }
        closed = true;
        try {
            out.close();
            io.medseg.io.AtomicFile.moveInto(temp, file);
            committed = true;
        } finally {
            if (!committed) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** Without a prior {@link #commit()}, discards everything written: the temporary file is deleted. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}

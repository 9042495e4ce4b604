package io.medseg.serving;

import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The access log: one JSON object per line, appended with a single write each, before the response it records is
 * sent. A process killed at any moment therefore leaves whole lines, and every request whose answer left the
 * server is in the file (in the operating system's cache at once, on disk within {@link #SYNC_INTERVAL_MS} ms).
 * A line torn by an earlier crash of the machine is cut off, and reported, when the log is opened again; nothing
 * before it is touched. Writes go through a plain file stream, not an interruptible channel, so a request thread
 * that is interrupted (a server stopping, a request given up) cannot close the log for every other request.
 * Thread-safe.
 */
public final class AccessLog implements Closeable {
    /** How often the file is forced to disk. */
    static final long SYNC_INTERVAL_MS = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);

    private final Path file;
    private final FileOutputStream out;
    private final ScheduledExecutorService syncer;
    private final ScheduledFuture<?> syncTask;
    private volatile boolean dirty;
    private boolean closed;

    private AccessLog(Path file, FileOutputStream out) {
        this.file = file;
        this.out = out;
        this.syncer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "medseg-access-log-sync");
            t.setDaemon(true);
            return t;
        });
        this.syncTask = syncer.scheduleWithFixedDelay(this::sync, SYNC_INTERVAL_MS, SYNC_INTERVAL_MS,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Opens (or creates) the log at {@code file} for appending, first cutting off a torn last line.
     *
     * @throws IOException if the file cannot be opened for writing
     */
    public static AccessLog open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            repairTail(file, ch);
        }
        return new AccessLog(file, new FileOutputStream(file.toFile(), true));
    }

    /** Cuts the file after its last newline, when it does not end in one. */
    private static void repairTail(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size == 0) {
            return;
        }
        long pos = size;
        ByteBuffer buf = ByteBuffer.allocate(8192);
        while (pos > 0) {
            int n = (int) Math.min(buf.capacity(), pos);
            buf.clear().limit(n);
            ch.read(buf, pos - n);
            for (int i = n - 1; i >= 0; i--) {
                if (buf.get(i) == '\n') {
                    long keep = pos - n + i + 1;
                    if (keep < size) {
                        LOG.warn("{}: cut off a torn last line of {} bytes left by an interrupted write", file,
                                size - keep);
                        ch.truncate(keep);
                        ch.force(true);
                    }
                    return;
                }
            }
            pos -= n;
        }
        LOG.warn("{}: cut off a torn line of {} bytes, the file's only content", file, size);
        ch.truncate(0);
        ch.force(true);
    }

    public Path file() {
        return file;
    }

    /**
     * Appends {@code entry} as one line.
     *
     * @throws IOException if the write fails (the caller answers 500 rather than serve an unlogged request)
     */
    public void append(ObjectNode entry) throws IOException {
        byte[] line = (entry.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (this) {
            if (closed) {
                throw new IOException(file + ": the access log is closed");
            }
            out.write(line);
            dirty = true;
        }
    }

    private void sync() {
        if (!dirty) {
            return;
        }
        dirty = false;
        try {
            out.getFD().sync();
        } catch (IOException e) {
            LOG.warn("{}: could not force the access log to disk: {}", file, e.toString());
        }
    }

    /** Forces what was written to disk and closes the file; later appends fail. Safe to call more than once. */
    @Override
    public void close() throws IOException {
        syncTask.cancel(false);
        // not shutdownNow: a sync under way finishes before the file is closed
        syncer.shutdown();
        try {
            if (!syncer.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("{}: the last sync did not finish within 10 s; closing anyway", file);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                out.getFD().sync();
            } finally {
                out.close();
            }
        }
    }
}

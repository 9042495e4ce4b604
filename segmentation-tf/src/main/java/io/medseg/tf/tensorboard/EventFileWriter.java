package io.medseg.tf.tensorboard;

import com.google.protobuf.ByteString;
import io.medseg.data.tfrecord.Crc;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.HistogramProto;
import org.tensorflow.proto.SessionLog;
import org.tensorflow.proto.Summary;

/**
 * Writes a TensorBoard event file: {@code events.out.tfevents.<epochSeconds>.<hostname>} in a log directory, one
 * serialized {@code Event} per TFRecord-framed record (length, masked CRC32C, payload, masked CRC32C), the first
 * carrying the file version {@value #FILE_VERSION}. Unlike {@link io.medseg.data.tfrecord.TFRecordWriter}, which
 * commits a finished file atomically, this appends to the final file so that TensorBoard can follow a run while
 * it trains; records reach the disk on {@link #flush()}, on {@link #close()} and when the buffer fills.
 *
 * <p>A file of the chosen name is never overwritten: when one exists (two writers started in the same second on
 * the same host), {@code .1}, {@code .2}, ... is appended.
 *
 * <p>Arguments: a tag must not be blank and a step must not be negative ({@link IllegalArgumentException}). A
 * scalar is stored as a 32-bit float, as TensorBoard stores it: NaN and the infinities are written as they are
 * (TensorBoard shows them, and a value going bad is worth seeing), a finite value beyond the float range is
 * rejected. A histogram needs at least one value, all finite, as TensorFlow's histogram summaries do.
 *
 * <p>Faults: an I/O error while writing is an {@link UncheckedIOException} naming the file; after one the writer
 * is unusable (the file may end in a partial record) and further calls throw {@link IllegalStateException}, as
 * calls after {@link #close()} do. Thread-safe: records from concurrent calls are never interleaved.
 *
 * <pre>{@code
 * try (EventFileWriter w = EventFileWriter.create(Path.of("runs/exp1"))) {
 *     w.scalar("train/loss", 1, 0.71);
 *     w.flush();
 * }
 * }</pre>
 */
public final class EventFileWriter implements AutoCloseable {
    /** The {@code file_version} of the first event; version 2 makes TensorBoard honour {@link #sessionStart}. */
    public static final String FILE_VERSION = "brain.Event:2";
    /** Start of every event file name; TensorBoard picks up files whose name contains {@code tfevents}. */
    public static final String FILE_PREFIX = "events.out.tfevents.";
    private static final int MAX_SUFFIX = 1000;

    private final Path file;
    private final Clock clock;
    private final OutputStream out;
    private boolean closed;
    private IOException failure;

    private EventFileWriter(Path file, OutputStream out, Clock clock) {
        this.file = file;
        this.out = out;
        this.clock = clock;
    }

    /**
     * Creates a new event file in {@code logDir} (created if needed) and writes its first event.
     *
     * @throws IOException if the folder or the file cannot be created or written
     */
    public static EventFileWriter create(Path logDir) throws IOException {
        return create(logDir, Clock.systemUTC(), hostname());
    }

    /** {@link #create(Path)} with the clock and host name given, for tests. */
    static EventFileWriter create(Path logDir, Clock clock, String host) throws IOException {
        Objects.requireNonNull(logDir, "logDir");
        Objects.requireNonNull(clock, "clock");
        Path dir = logDir.toAbsolutePath();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException("log directory " + dir + " is not a directory");
        }
        Files.createDirectories(dir);
        String base = FILE_PREFIX + clock.instant().getEpochSecond() + "." + safeHost(host);
        for (int i = 0; i < MAX_SUFFIX; i++) {
            Path f = dir.resolve(i == 0 ? base : base + "." + i);
            OutputStream raw;
            try {
                raw = Files.newOutputStream(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                continue;
            }
            EventFileWriter w = new EventFileWriter(f, new BufferedOutputStream(raw, 1 << 16), clock);
            try {
                w.write(Event.newBuilder().setWallTime(w.wallTime()).setStep(0).setFileVersion(FILE_VERSION).build());
                w.flush();
            } catch (UncheckedIOException e) {
                // the stream is closed by now; a file without its first record is of no use to anyone
                try {
                    Files.deleteIfExists(f);
                } catch (IOException suppressed) {
                    e.getCause().addSuppressed(suppressed);
                }
                throw e.getCause();
            }
            return w;
        }
        throw new IOException("cannot create an event file in " + dir + ": " + base + " and its suffixes .1 to ."
                + (MAX_SUFFIX - 1) + " all exist");
    }

    /** The event file being written. */
    public Path file() {
        return file;
    }

    /** Writes a scalar (stored as a float; see the class notes on NaN and infinities). */
    public void scalar(String tag, long step, double value) {
        checkTagAndStep(tag, step);
        if (Double.isFinite(value) && Float.isInfinite((float) value)) {
            throw new IllegalArgumentException("scalar " + value + " for tag " + tag + " is beyond the float range");
        }
        summary(step, Summary.Value.newBuilder().setTag(tag).setSimpleValue((float) value).build());
    }

    /**
     * Writes {@code image} as a PNG, with its height, width and colour space (1 grey, 2 grey + alpha, 3 RGB,
     * 4 RGBA, from the image's colour model).
     */
    public void image(String tag, long step, BufferedImage image) {
        checkTagAndStep(tag, step);
        Objects.requireNonNull(image, "image");
        ColorModel cm = image.getColorModel();
        int colorspace = cm.getNumColorComponents() == 1 ? (cm.hasAlpha() ? 2 : 1) : (cm.hasAlpha() ? 4 : 3);
        Summary.Image img = Summary.Image.newBuilder().setHeight(image.getHeight()).setWidth(image.getWidth())
                .setColorspace(colorspace).setEncodedImageString(ByteString.copyFrom(png(tag, image))).build();
        summary(step, Summary.Value.newBuilder().setTag(tag).setImage(img).build());
    }

    /**
     * Writes the histogram of {@code values} on TensorBoard's default buckets (10% wide, as TensorFlow's histogram
     * summaries), with min, max, count, sum and sum of squares.
     *
     * @throws IllegalArgumentException if {@code values} is empty or holds NaN or an infinity
     */
    public void histogram(String tag, long step, float[] values) {
        checkTagAndStep(tag, step);
        Objects.requireNonNull(values, "values");
        if (values.length == 0) {
            throw new IllegalArgumentException("histogram for tag " + tag + " needs at least one value");
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("histogram values must be finite: " + values[i] + " at index " + i
                        + " for tag " + tag);
            }
        }
        HistogramProto h = HistogramBuckets.of(values);
        summary(step, Summary.Value.newBuilder().setTag(tag).setHisto(h).build());
    }

    /**
     * Marks the start of a training session at {@code step}: TensorBoard drops the events it read earlier (in this
     * folder) at steps at or after {@code step}, so the orphaned tail of a run that was resumed from an earlier
     * checkpoint does not mix with the new one.
     */
    public void sessionStart(long step) {
        checkStep(step);
        write(Event.newBuilder().setWallTime(wallTime()).setStep(step)
                .setSessionLog(SessionLog.newBuilder().setStatus(SessionLog.SessionStatus.START)).build());
    }

    /** Pushes buffered records to the file, where TensorBoard sees them. */
    public synchronized void flush() {
        checkOpen();
        try {
            out.flush();
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /** Flushes and closes the file; later writes throw {@link IllegalStateException}. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (failure != null) {
            return;
        }
        try {
            out.close();
        } catch (IOException e) {
            failure = e;
            throw new UncheckedIOException("cannot close event file " + file + ": " + e.getMessage(), e);
        }
    }

    private void summary(long step, Summary.Value value) {
        write(Event.newBuilder().setWallTime(wallTime()).setStep(step)
                .setSummary(Summary.newBuilder().addValue(value)).build());
    }

    private void write(Event event) {
        byte[] record = frame(event.toByteArray());
        synchronized (this) {
            checkOpen();
            try {
                out.write(record);
            } catch (IOException e) {
                throw failed(e);
            }
        }
    }

    /** TFRecord framing: {@code uint64 length | masked crc of it | payload | masked crc of it}, little-endian. */
    static byte[] frame(byte[] payload) {
        byte[] r = new byte[12 + payload.length + 4];
        long n = payload.length;
        for (int i = 0; i < 8; i++) {
            r[i] = (byte) (n >>> (8 * i));
        }
        putIntLE(r, 8, Crc.masked(r, 0, 8));
        System.arraycopy(payload, 0, r, 12, payload.length);
        putIntLE(r, 12 + payload.length, Crc.masked(payload, 0, payload.length));
        return r;
    }

    private static void putIntLE(byte[] b, int off, int v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    private double wallTime() {
        Instant now = clock.instant();
        return now.getEpochSecond() + now.getNano() / 1e9;
    }

    private void checkOpen() {
        if (closed && failure == null) {
            throw new IllegalStateException("event file " + file + " is closed");
        }
        if (failure != null) {
            throw new IllegalStateException("event file " + file + " is unusable after a write error: "
                    + failure.getMessage(), failure);
        }
    }

    /** Records the fault, releases the file and gives the exception to throw. */
    private UncheckedIOException failed(IOException e) {
        failure = e;
        try {
            out.close();
        } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
        }
        return new UncheckedIOException("cannot write event file " + file + ": " + e.getMessage(), e);
    }

    private static void checkTagAndStep(String tag, long step) {
        Objects.requireNonNull(tag, "tag");
        if (tag.isBlank()) {
            throw new IllegalArgumentException("tag must not be blank: \"" + tag + "\"");
        }
        checkStep(step);
    }

    private static void checkStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0: " + step);
        }
    }

    private static byte[] png(String tag, BufferedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // an in-memory ImageIO stream: the default one may spill to a cache file in the temporary folder
        try (ImageOutputStream ios = new MemoryCacheImageOutputStream(bytes)) {
            if (!ImageIO.write(image, "png", ios)) {
                throw new IllegalArgumentException("no PNG writer for the image of tag " + tag + " (image type "
                        + image.getType() + ")");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the image of tag " + tag + " as PNG: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    /** The host name for the file name: {@code HOSTNAME}, else the resolver's, else {@code localhost}. */
    static String hostname() {
        String h = System.getenv("HOSTNAME");
        if (h == null || h.isBlank()) {
            try {
                h = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                h = null;
            }
        }
        return h;
    }

    /** {@code host} with characters other than letters, digits, '.', '-' and '_' replaced by '_'. */
    static String safeHost(String host) {
        if (host == null || host.isBlank()) {
            return "localhost";
        }
        return host.strip().replaceAll("[^A-Za-z0-9._-]", "_");
    }
}

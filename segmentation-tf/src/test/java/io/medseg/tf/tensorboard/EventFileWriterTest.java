package io.medseg.tf.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.HistogramProto;
import org.tensorflow.proto.SessionLog;
import org.tensorflow.proto.Summary;

class EventFileWriterTest {
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L, 250_000_000L),
            ZoneOffset.UTC);

    @TempDir
    Path tmp;

    private EventFileWriter writer(Path dir) throws IOException {
        return EventFileWriter.create(dir, CLOCK, "scanner-host");
    }

    @Test
    void writesScalarsImagesAndHistogramsThatReadBackRecordByRecord() throws Exception {
        Path dir = tmp.resolve("logs/run1");
        BufferedImage rgb = new BufferedImage(7, 5, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(3, 2, 0xFF3030);
        BufferedImage grey = new BufferedImage(6, 9, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage argb = new BufferedImage(2, 3, BufferedImage.TYPE_INT_ARGB);
        float[] values = {0.5f, -0.25f, 3f, 0f, -0f, 1e-13f, 0.5f, 1200f};
        Path file;
        try (EventFileWriter w = writer(dir)) {
            file = w.file();
            w.sessionStart(1);
            w.scalar("train/loss", 1, 0.75);
            w.scalar("train/loss", 2, 0.5);
            w.scalar("epoch/val_dice", 1, 0.875);
            w.image("frames/a/input", 1, grey);
            w.image("frames/a/prediction", 1, rgb);
            w.image("frames/a/alpha", 1, argb);
            w.histogram("weights/w", 3, values);
        }
        assertThat(file.getParent()).isEqualTo(dir.toAbsolutePath());
        assertThat(file.getFileName().toString()).isEqualTo("events.out.tfevents.1700000000.scanner-host");

        List<Event> events = EventFiles.read(file);
        assertThat(events).hasSize(9);
        Event first = events.get(0);
        assertThat(first.getFileVersion()).isEqualTo("brain.Event:2");
        assertThat(first.getStep()).isZero();
        assertThat(events).allSatisfy(e -> assertThat(e.getWallTime()).isEqualTo(1_700_000_000.25));

        assertThat(events.get(1).hasSessionLog()).isTrue();
        assertThat(events.get(1).getSessionLog().getStatus()).isEqualTo(SessionLog.SessionStatus.START);
        assertThat(events.get(1).getStep()).isEqualTo(1);

        assertThat(EventFiles.tags(events)).containsExactly("train/loss", "epoch/val_dice", "frames/a/input",
                "frames/a/prediction", "frames/a/alpha", "weights/w");
        assertThat(EventFiles.steps(events, "train/loss")).containsExactly(1L, 2L);
        assertThat(EventFiles.values(events, "train/loss")).extracting(t -> t.value().getSimpleValue())
                .containsExactly(0.75f, 0.5f);
        assertThat(EventFiles.values(events, "epoch/val_dice").get(0).value().getSimpleValue()).isEqualTo(0.875f);

        checkImage(EventFiles.values(events, "frames/a/input").get(0).value().getImage(), 6, 9, 1);
        Summary.Image pred = EventFiles.values(events, "frames/a/prediction").get(0).value().getImage();
        checkImage(pred, 7, 5, 3);
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(pred.getEncodedImageString().toByteArray()));
        assertThat(decoded.getRGB(3, 2) & 0xFFFFFF).isEqualTo(0xFF3030);
        assertThat(decoded.getRGB(0, 0) & 0xFFFFFF).isZero();
        checkImage(EventFiles.values(events, "frames/a/alpha").get(0).value().getImage(), 2, 3, 4);

        EventFiles.Tagged h = EventFiles.values(events, "weights/w").get(0);
        assertThat(h.step()).isEqualTo(3);
        checkHistogram(h.value().getHisto(), values);
    }

    private static void checkImage(Summary.Image img, int width, int height, int colorspace) throws IOException {
        assertThat(img.getWidth()).isEqualTo(width);
        assertThat(img.getHeight()).isEqualTo(height);
        assertThat(img.getColorspace()).isEqualTo(colorspace);
        byte[] png = img.getEncodedImageString().toByteArray();
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(decoded.getWidth()).isEqualTo(width);
        assertThat(decoded.getHeight()).isEqualTo(height);
    }

    /** Statistics match, counts sum to num, and every value falls in its bucket [previous limit, limit). */
    private static void checkHistogram(HistogramProto h, float[] values) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        double sq = 0;
        for (float v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
            sq += (double) v * v;
        }
        assertThat(h.getNum()).isEqualTo(values.length);
        assertThat(h.getMin()).isEqualTo(min);
        assertThat(h.getMax()).isEqualTo(max);
        assertThat(h.getSum()).isEqualTo(sum);
        assertThat(h.getSumSquares()).isEqualTo(sq);
        assertThat(h.getBucketCount()).isEqualTo(h.getBucketLimitCount());
        assertThat(h.getBucketList().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(values.length);
        for (int i = 1; i < h.getBucketLimitCount(); i++) {
            assertThat(h.getBucketLimit(i)).isGreaterThan(h.getBucketLimit(i - 1));
        }
        assertThat(h.getBucketLimit(h.getBucketLimitCount() - 1)).isEqualTo(Double.MAX_VALUE);
        for (int i = 0; i < h.getBucketCount(); i++) {
            double lo = i == 0 ? Double.NEGATIVE_INFINITY : h.getBucketLimit(i - 1);
            double hi = h.getBucketLimit(i);
            long expected = 0;
            for (float v : values) {
                double d = v == 0 ? 0.0 : v;
                if (d >= lo && d < hi) {
                    expected++;
                }
            }
            assertThat(h.getBucket(i)).as("bucket %d [%s, %s)", i, lo, hi).isEqualTo((double) expected);
        }
    }

    @Test
    void histogramBucketsAreTensorFlowsTenPercentLadder() {
        double[] l = HistogramBuckets.LIMITS;
        // 774 positive limits from 1e-12 growing by 10% below 1e20, mirrored, 0 between, +-MAX at the ends
        assertThat(l).hasSize(2 * 775 + 1);
        assertThat(l[0]).isEqualTo(-Double.MAX_VALUE);
        assertThat(l[775]).isEqualTo(0.0);
        assertThat(l[776]).isEqualTo(1e-12);
        assertThat(l[777]).isEqualTo(1e-12 * 1.1);
        assertThat(l[774]).isEqualTo(-1e-12);
        assertThat(l[l.length - 2]).isLessThan(1e20).isGreaterThan(1e20 / 1.1);
        assertThat(l[l.length - 1]).isEqualTo(Double.MAX_VALUE);
        // a value equal to a limit starts the next bucket; -0 counts as 0
        assertThat(HistogramBuckets.bucketOf(0.0)).isEqualTo(776);
        assertThat(HistogramBuckets.bucketOf(-0.0)).isEqualTo(776);
        assertThat(HistogramBuckets.bucketOf(-1e-12)).isEqualTo(775);
        assertThat(HistogramBuckets.bucketOf(1e-12 * 1.05)).isEqualTo(777);
    }

    @Test
    void aHistogramOfOneValueCollapsesTheEmptyRuns() {
        HistogramProto h = HistogramBuckets.of(new float[] {2f});
        // empty run up to the bucket, the bucket, empty run to MAX
        assertThat(h.getBucketList()).containsExactly(0.0, 1.0, 0.0);
        assertThat(h.getBucketLimit(0)).isLessThanOrEqualTo(2.0);
        assertThat(h.getBucketLimit(1)).isGreaterThan(2.0).isLessThan(2.2 + 1e-9);
        assertThat(h.getBucketLimit(2)).isEqualTo(Double.MAX_VALUE);
    }

    @Test
    void flushedRecordsAreReadableWhileTheFileIsStillOpen() throws Exception {
        try (EventFileWriter w = writer(tmp)) {
            assertThat(EventFiles.read(w.file())).hasSize(1);
            w.scalar("a", 1, 1.0);
            w.scalar("a", 2, 2.0);
            w.flush();
            List<Event> events = EventFiles.read(w.file());
            assertThat(EventFiles.steps(events, "a")).containsExactly(1L, 2L);
            w.scalar("a", 3, 3.0);
        }
    }

    @Test
    void anExistingFileOfTheSameNameIsNeverOverwritten() throws Exception {
        Path taken = tmp.resolve("events.out.tfevents.1700000000.scanner-host");
        Files.writeString(taken, "not ours");
        try (EventFileWriter a = writer(tmp); EventFileWriter b = writer(tmp)) {
            assertThat(a.file().getFileName().toString()).isEqualTo("events.out.tfevents.1700000000.scanner-host.1");
            assertThat(b.file().getFileName().toString()).isEqualTo("events.out.tfevents.1700000000.scanner-host.2");
            a.scalar("x", 1, 1.0);
            b.scalar("x", 1, 2.0);
        }
        assertThat(Files.readString(taken)).isEqualTo("not ours");
        assertThat(EventFiles.values(EventFiles.read(tmp.resolve("events.out.tfevents.1700000000.scanner-host.2")),
                "x").get(0).value().getSimpleValue()).isEqualTo(2f);
    }

    @Test
    void hostNamesAreMadeSafeForFileNames() throws Exception {
        assertThat(EventFileWriter.safeHost("ws-12.lab.example")).isEqualTo("ws-12.lab.example");
        assertThat(EventFileWriter.safeHost("my host/01")).isEqualTo("my_host_01");
        assertThat(EventFileWriter.safeHost("")).isEqualTo("localhost");
        assertThat(EventFileWriter.safeHost(null)).isEqualTo("localhost");
        try (EventFileWriter w = EventFileWriter.create(tmp)) {
            assertThat(w.file().getFileName().toString()).matches("events\\.out\\.tfevents\\.\\d+\\.[A-Za-z0-9._-]+");
        }
    }

    @Test
    void badArgumentsAreRefusedNamingTheValue() throws Exception {
        try (EventFileWriter w = writer(tmp)) {
            assertThatThrownBy(() -> w.scalar(" ", 1, 1.0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tag must not be blank");
            assertThatThrownBy(() -> w.scalar("a", -1, 1.0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("step must be >= 0: -1");
            assertThatThrownBy(() -> w.scalar("a", 1, 1e300)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("1.0E300").hasMessageContaining("float range");
            assertThatThrownBy(() -> w.histogram("h", 1, new float[0])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at least one value");
            assertThatThrownBy(() -> w.histogram("h", 1, new float[] {1f, Float.NaN}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN at index 1 for tag h");
            assertThatThrownBy(() -> w.sessionStart(-3)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("-3");
            // the documented policy: non-finite scalars are written as they are
            w.scalar("bad", 4, Double.NaN);
            w.scalar("bad", 5, Double.POSITIVE_INFINITY);
            w.flush();
            List<Event> events = EventFiles.read(w.file());
            assertThat(EventFiles.values(events, "bad")).extracting(t -> t.value().getSimpleValue())
                    .containsExactly(Float.NaN, Float.POSITIVE_INFINITY);
            // nothing of the refused calls reached the file
            assertThat(events).hasSize(3);
        }
    }

    @Test
    void aClosedWriterRefusesWritesAndClosesOnce() throws Exception {
        EventFileWriter w = writer(tmp);
        w.close();
        w.close();
        assertThatThrownBy(() -> w.scalar("a", 1, 1.0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(w.file().toString()).hasMessageContaining("closed");
        assertThatThrownBy(w::flush).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aLogDirectoryThatIsAFileIsAnIoErrorNamingIt() throws Exception {
        Path notDir = tmp.resolve("plain");
        Files.writeString(notDir, "x");
        assertThatThrownBy(() -> writer(notDir)).isInstanceOf(IOException.class)
                .hasMessageContaining(notDir.toString());
    }

    @Test
    void concurrentWritersNeverInterleaveRecords() throws Exception {
        int threads = 4;
        int perThread = 300;
        Path file;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (EventFileWriter w = writer(tmp)) {
            file = w.file();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String tag = "thread" + t;
                long seed = t;
                done.add(pool.submit(() -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    for (int i = 0; i < perThread; i++) {
                        if (i % 50 == 0) {
                            float[] v = new float[1 + r.nextInt(2000)];
                            for (int k = 0; k < v.length; k++) {
                                v[k] = (float) r.nextGaussian();
                            }
                            w.histogram(tag + "/h", i, v);
                        } else {
                            w.scalar(tag, i, i);
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        List<Event> events = EventFiles.read(file);
        assertThat(events).hasSize(1 + threads * perThread);
        for (int t = 0; t < threads; t++) {
            List<EventFiles.Tagged> s = EventFiles.values(events, "thread" + t);
            assertThat(s).hasSize(perThread - perThread / 50);
            for (EventFiles.Tagged v : s) {
                assertThat(v.value().getSimpleValue()).isEqualTo((float) v.step());
            }
        }
    }
}

package io.medseg.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import io.medseg.data.Sample;
import io.medseg.data.tfrecord.LabSchema;
import io.medseg.data.tfrecord.TFRecordDataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TFRecord files with the cardiac lab's schema: the framing (lengths, checksums), the {@code Example} protobuf and the
 * schema's features, plain and gzip-compressed.
 */
class TFRecordFuzzTest {
    /** Two-record lab files written by the library's own writer. */
    static Map<String, byte[]> seedFiles(boolean gzip) {
        Map<String, byte[]> seeds = new TreeMap<>();
        try {
            Path dir = Files.createTempDirectory("tfrecord-seeds");
            try {
                float[] px = new float[24];
                byte[] labels = new byte[24];
                for (int i = 0; i < px.length; i++) {
                    px[i] = 10 * i;
                    labels[i] = (byte) (i % 5 == 0 ? 1 : 0);
                }
                List<Sample> samples = List.of(
                        new Sample("a", "p1", Image.of(4, 6, px).withSpacing(new PixelSpacing(1.5, 1.5)),
                                Mask.of(4, 6, labels)),
                        new Sample("b", "p2", Image.of(6, 4, px), Mask.of(6, 4, new byte[24])));
                Path file = dir.resolve("lab.tfrecords");
                TFRecordDataset.write(samples, file, LabSchema.create(), gzip);
                seeds.put(gzip ? "lab-gzip" : "lab", Files.readAllBytes(file));
            } finally {
                io.medseg.io.FileTrees.deleteTree(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return seeds;
    }

    static Stream<Arguments> plainSeeds() {
        Map<String, byte[]> seeds = new TreeMap<>(seedFiles(false));
        seeds.putAll(seedFiles(true));
        return FuzzFiles.seedsWithCuts(seeds);
    }

    static Stream<Arguments> streamSeeds() {
        return FuzzFiles.seedsWithCuts(seedFiles(false));
    }

    private static void load(Path file) throws Exception {
        FuzzFiles.badInputOnly(() -> TFRecordDataset.load(file, LabSchema.create(), false));
    }

    /** The bytes are the file: plain, or gzip when they start with its magic number. */
    @MethodSource("plainSeeds")
    @FuzzTest(maxDuration = "5m")
    void labSchema(byte[] data) throws Exception {
        load(FuzzFiles.write("tfrecord/plain.tfrecords", data));
    }

    /** The bytes are the uncompressed stream of a gzip file: what a compressed file may declare inside. */
    @MethodSource("streamSeeds")
    @FuzzTest(maxDuration = "5m")
    void labSchemaGzip(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        load(FuzzFiles.write("tfrecord/compressed.tfrecords", out.toByteArray()));
    }
}

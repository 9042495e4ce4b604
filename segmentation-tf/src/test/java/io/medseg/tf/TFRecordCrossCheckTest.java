package io.medseg.tf;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.backend.BackendUnavailableException;
import io.medseg.backend.Backends;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.sunnybrook.SunnybrookDataset;
import io.medseg.data.tfrecord.LabSchema;
import io.medseg.data.tfrecord.TFRecordDataset;
import io.medseg.data.tfrecord.TFRecordReader;
import io.medseg.data.tfrecord.TFRecordWriter;
import io.medseg.testdata.SunnybrookTestData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our pure-Java TFRecord codec against TensorFlow's C++ one ({@link TensorFlowRecords}), both directions, plain and
 * GZIP: the same payload bytes must come out whichever side wrote the file.
 */
class TFRecordCrossCheckTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void natives() throws BackendUnavailableException {
        Backends.load();
    }

    /** A 0-byte record, a 1 MiB record, and assorted sizes in between (including 1 and sizes around 2^k). */
    static List<byte[]> payloads() {
        SplittableRandom r = new SplittableRandom(42);
        int[] sizes = {0, 1, 2, 7, 255, 256, 4095, 4096, 65537, 1 << 20, 3, 0, 12_345};
        List<byte[]> out = new ArrayList<>();
        for (int size : sizes) {
            byte[] b = new byte[size];
            for (int i = 0; i < size; i++) {
                b[i] = (byte) r.nextInt(256);
            }
            out.add(b);
        }
        return out;
    }

    private static String compression(boolean gzip) {
        return gzip ? "GZIP" : "";
    }

    private static List<byte[]> readOurs(Path file) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (TFRecordReader reader = TFRecordReader.open(file)) {
            for (byte[] b = reader.next(); b != null; b = reader.next()) {
                out.add(b);
            }
        }
        return out;
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void recordsWeWriteTensorFlowReadsUnchanged(boolean gzip) throws IOException {
        List<byte[]> records = payloads();
        Path file = tmp.resolve("ours" + (gzip ? ".gz" : "") + ".tfrecords");
        try (TFRecordWriter writer = TFRecordWriter.create(file, gzip)) {
            for (byte[] b : records) {
                writer.write(b);
            }
            writer.commit();
        }
        assertThat(TensorFlowRecords.readAll(file, compression(gzip))).containsExactlyElementsOf(records);
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void recordsTensorFlowWritesWeReadUnchanged(boolean gzip) throws IOException {
        List<byte[]> records = payloads();
        Path file = tmp.resolve("tf" + (gzip ? ".gz" : "") + ".tfrecords");
        TensorFlowRecords.writeAll(file, records, compression(gzip));
        assertThat(readOurs(file)).containsExactlyElementsOf(records);
    }

    @Test
    void sunnybrookFramesInTheLabSchemaReadTheSameInTensorFlow() throws IOException {
        SegmentationDataset frames = SunnybrookDataset.load(SunnybrookTestData.dir());
        assertThat(frames.size()).isEqualTo(56);
        Path file = tmp.resolve("sunnybrook.tfrecords");
        TFRecordDataset.write(frames.samples(), file, LabSchema.create(), false);

        List<byte[]> ours = readOurs(file);
        List<byte[]> theirs = TensorFlowRecords.readAll(file, "");
        assertThat(ours).hasSize(56);
        assertThat(theirs).hasSize(56);
        for (int i = 0; i < ours.size(); i++) {
            assertThat(theirs.get(i)).as("record %d", i).isEqualTo(ours.get(i));
        }
        // and what TensorFlow read decodes to the frames we wrote
        Path copy = tmp.resolve("sunnybrook-via-tf.tfrecords");
        TensorFlowRecords.writeAll(copy, theirs, "");
        SegmentationDataset back = TFRecordDataset.load(copy, LabSchema.create(), false);
        assertThat(back.size()).isEqualTo(56);
        for (int i = 0; i < 56; i++) {
            assertThat(back.get(i).image().height()).isEqualTo(frames.get(i).image().height());
            assertThat(back.get(i).mask()).isEqualTo(frames.get(i).mask());
        }
    }
}

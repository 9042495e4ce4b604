package io.medseg.tf;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.backend.BackendUnavailableException;
import io.medseg.backend.Backends;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TensorFlow peer itself: what TensorFlow writes it reads back unchanged, in the documented framing. */
class TensorFlowRecordsTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void natives() throws BackendUnavailableException {
        Backends.load();
    }

    static List<byte[]> payloads(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<byte[]> out = new ArrayList<>();
        out.add(new byte[0]);
        for (int i = 1; i < n; i++) {
            byte[] b = new byte[r.nextInt(1, 5000)];
            for (int j = 0; j < b.length; j++) {
                b[j] = (byte) r.nextInt(256);
            }
            out.add(b);
        }
        return out;
    }

    @Test
    void plainRecordsRoundTripThroughTensorFlow() throws IOException {
        List<byte[]> records = payloads(25, 1);
        Path file = tmp.resolve("plain.tfrecords");
        TensorFlowRecords.writeAll(file, records, "");
        // framing: 8-byte length, 4-byte length CRC, payload, 4-byte payload CRC
        long expected = records.stream().mapToLong(b -> b.length + 16L).sum();
        assertThat(Files.size(file)).isEqualTo(expected);
        byte[] raw = Files.readAllBytes(file);
        assertThat(littleEndianLong(raw, 16)).isEqualTo(records.get(1).length); // after the 0-byte record
        assertThat(TensorFlowRecords.readAll(file, "")).containsExactlyElementsOf(records);
    }

    @Test
    void gzipRecordsRoundTripThroughTensorFlow() throws IOException {
        List<byte[]> records = payloads(12, 2);
        Path file = tmp.resolve("gzip.tfrecords");
        TensorFlowRecords.writeAll(file, records, "GZIP");
        byte[] raw = Files.readAllBytes(file);
        assertThat(raw[0] & 0xff).isEqualTo(0x1f); // gzip magic
        assertThat(raw[1] & 0xff).isEqualTo(0x8b);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            long expected = records.stream().mapToLong(b -> b.length + 16L).sum();
            assertThat(in.readAllBytes()).hasSize((int) expected);
        }
        assertThat(TensorFlowRecords.readAll(file, "GZIP")).containsExactlyElementsOf(records);
    }

    @Test
    void emptyListGivesAFileWithNoRecords() throws IOException {
        Path file = tmp.resolve("empty.tfrecords");
        TensorFlowRecords.writeAll(file, List.of(), "");
        assertThat(Files.size(file)).isZero();
        assertThat(TensorFlowRecords.readAll(file, "")).isEmpty();
    }

    private static long littleEndianLong(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }
}

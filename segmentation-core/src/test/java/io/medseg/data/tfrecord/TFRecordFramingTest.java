package io.medseg.data.tfrecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.DataFormatException;
import io.medseg.data.ReadLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TFRecordFramingTest {
    @TempDir
    Path dir;

    /** Bit-by-bit CRC32C (reflected Castagnoli polynomial), independent of java.util.zip. */
    private static int crc32cBitwise(byte[] data) {
        int crc = 0xffffffff;
        for (byte b : data) {
            crc ^= b & 0xff;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
            }
        }
        return ~crc;
    }

    private static int mask(int crc) {
        return Integer.rotateRight(crc, 15) + 0xa282ead8;
    }

    private static byte[] le(long v, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    private static byte[] handBuiltRecord(byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] len = le(payload.length, 8);
        out.writeBytes(len);
        out.writeBytes(le(mask(crc32cBitwise(len)), 4));
        out.writeBytes(payload);
        out.writeBytes(le(mask(crc32cBitwise(payload)), 4));
        return out.toByteArray();
    }

    private static List<byte[]> payloads(int n, long seed) {
        Random r = new Random(seed);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] p = new byte[i == 0 ? 0 : r.nextInt(300)];
            r.nextBytes(p);
            out.add(p);
        }
        return out;
    }

    private Path writeRecords(String name, List<byte[]> records, boolean gzip) throws IOException {
        Path f = dir.resolve(name);
        try (TFRecordWriter w = TFRecordWriter.create(f, gzip)) {
            for (byte[] p : records) {
                w.write(p);
            }
            w.commit();
        }
        return f;
    }

    private static List<byte[]> readAll(TFRecordReader r) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (byte[] p = r.next(); p != null; p = r.next()) {
            out.add(p);
        }
        return out;
    }

    /** Byte offset of record {@code i}: every record is 16 framing bytes plus its payload. */
    private static long offsetOf(List<byte[]> records, int i) {
        long off = 0;
        for (int j = 0; j < i; j++) {
            off += 16 + records.get(j).length;
        }
        return off;
    }

    @Test
    void crc32cMatchesTheStandardCheckValue() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(crc32cBitwise(check)).isEqualTo(0xE3069283);
        CRC32C jdk = new CRC32C();
        jdk.update(check);
        assertThat((int) jdk.getValue()).isEqualTo(0xE3069283);
        // rotate right by 15, add the delta: 0xE3069283 -> 0x2507c60d + 0xa282ead8
        assertThat(Crc.masked(check, 0, check.length)).isEqualTo(0x2507c60d + 0xa282ead8);
    }

    @Test
    void readsAHandBuiltRecordAndWritesTheSameBytes() throws IOException {
        byte[] payload = "123456789".getBytes(StandardCharsets.US_ASCII);
        byte[] record = handBuiltRecord(payload);
        assertThat(Arrays.copyOfRange(record, 21, 25)).containsExactly(le(0x2507c60d + 0xa282ead8, 4));
        Path f = dir.resolve("hand.tfrecord");
        Files.write(f, record);
        try (TFRecordReader r = TFRecordReader.open(f)) {
            assertThat(r.next()).containsExactly(payload);
            assertThat(r.recordIndex()).isZero();
            assertThat(r.offset()).isZero();
            assertThat(r.next()).isNull();
        }
        Path written = writeRecords("written.tfrecord", List.of(payload), false);
        assertThat(Files.readAllBytes(written)).containsExactly(record);
        assertThat(TFRecordReader.looksLikeTFRecord(f)).isTrue();
    }

    @Test
    void roundTripsPlainAndGzipFiles() throws IOException {
        List<byte[]> records = payloads(50, 1);
        for (boolean gzip : new boolean[] {false, true}) {
            Path f = writeRecords("rt-" + gzip + ".tfrecord", records, gzip);
            byte[] head = Files.readAllBytes(f);
            assertThat((head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b).isEqualTo(gzip);
            assertThat(TFRecordReader.looksLikeTFRecord(f)).isTrue();
            try (TFRecordReader r = TFRecordReader.open(f)) {
                List<byte[]> back = readAll(r);
                assertThat(back).hasSize(records.size());
                for (int i = 0; i < records.size(); i++) {
                    assertThat(back.get(i)).as("record %d", i).containsExactly(records.get(i));
                }
                assertThat(r.skipped()).isZero();
            }
        }
    }

    @Test
    void readsAGzipFileWrittenByAnotherGzipWriter() throws IOException {
        List<byte[]> records = payloads(5, 2);
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        records.forEach(p -> plain.writeBytes(handBuiltRecord(p)));
        Path f = dir.resolve("ext.tfrecord.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write(plain.toByteArray());
        }
        try (TFRecordReader r = TFRecordReader.open(f)) {
            assertThat(readAll(r)).hasSize(5).last().satisfies(p -> assertThat(p).containsExactly(records.get(4)));
            assertThat(r.offset()).isEqualTo(offsetOf(records, 4));
        }
    }

    @Test
    void streams2000RecordsWithIndicesAndOffsets() throws IOException {
        List<byte[]> records = payloads(2000, 3);
        Path f = writeRecords("many.tfrecords", records, false);
        assertThat(Files.size(f)).isEqualTo(offsetOf(records, 2000));
        try (TFRecordReader r = TFRecordReader.open(f)) {
            int n = 0;
            for (byte[] p = r.next(); p != null; p = r.next()) {
                assertThat(p).containsExactly(records.get(n));
                assertThat(r.recordIndex()).isEqualTo(n);
                assertThat(r.offset()).isEqualTo(offsetOf(records, n));
                n++;
            }
            assertThat(n).isEqualTo(2000);
        }
    }

    private Path withFlippedPayloadByte(List<byte[]> records, int record) throws IOException {
        Path f = writeRecords("flipped.tfrecord", records, false);
        byte[] b = Files.readAllBytes(f);
        b[(int) offsetOf(records, record) + 12 + records.get(record).length / 2] ^= 0x40;
        Files.write(f, b);
        return f;
    }

    @Test
    void flippedPayloadByteIsAChecksumMismatchNamingRecordAndOffset() throws IOException {
        List<byte[]> records = payloads(5, 4);
        Path f = withFlippedPayloadByte(records, 2);
        try (TFRecordReader r = TFRecordReader.open(f)) {
            r.next();
            r.next();
            assertThatThrownBy(r::next).isInstanceOf(DataFormatException.class)
                    .hasMessageContaining("flipped.tfrecord")
                    .hasMessageContaining("record 2 at byte offset " + offsetOf(records, 2))
                    .hasMessageContaining("payload checksum mismatch");
        }
    }

    @Test
    void skipCorruptSkipsAndCountsAChecksumMismatch() throws IOException {
        List<byte[]> records = payloads(5, 4);
        Path f = withFlippedPayloadByte(records, 2);
        try (TFRecordReader r = TFRecordReader.open(f, true)) {
            List<Long> indices = new ArrayList<>();
            List<byte[]> back = new ArrayList<>();
            for (byte[] p = r.next(); p != null; p = r.next()) {
                indices.add(r.recordIndex());
                back.add(p);
            }
            assertThat(indices).containsExactly(0L, 1L, 3L, 4L);
            assertThat(back.get(2)).containsExactly(records.get(3));
            assertThat(r.skipped()).isEqualTo(1);
        }
    }

    @Test
    void badLengthChecksumFailsOrStopsWithSkipCorrupt() throws IOException {
        List<byte[]> records = payloads(4, 5);
        Path f = writeRecords("badlen.tfrecord", records, false);
        byte[] b = Files.readAllBytes(f);
        b[(int) offsetOf(records, 1) + 8] ^= 0x01;
        Files.write(f, b);
        try (TFRecordReader r = TFRecordReader.open(f)) {
            r.next();
            assertThatThrownBy(r::next).isInstanceOf(DataFormatException.class)
                    .hasMessageContaining("record 1 at byte offset " + offsetOf(records, 1))
                    .hasMessageContaining("length checksum mismatch");
        }
        try (TFRecordReader r = TFRecordReader.open(f, true)) {
            assertThat(readAll(r)).hasSize(1);
            assertThat(r.skipped()).isEqualTo(1);
        }
    }

    @Test
    void fileCutMidRecordIsTruncatedNamingTheRecord() throws IOException {
        List<byte[]> records = payloads(4, 6);
        records.set(3, new byte[100]);
        for (boolean gzip : new boolean[] {false, true}) {
            Path full = writeRecords("full-" + gzip + ".tfrecord", records, false);
            byte[] b = Files.readAllBytes(full);
            byte[] cut = Arrays.copyOf(b, (int) offsetOf(records, 3) + 12 + 40);
            Path f = dir.resolve("cut-" + gzip + ".tfrecord");
            if (gzip) {
                try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
                    out.write(cut);
                }
            } else {
                Files.write(f, cut);
            }
            try (TFRecordReader r = TFRecordReader.open(f)) {
                assertThat(r.next()).isNotNull();
                r.next();
                r.next();
                assertThatThrownBy(r::next).as("gzip=%s", gzip).isInstanceOf(DataFormatException.class)
                        .hasMessageContaining(f.getFileName().toString())
                        .hasMessageContaining("record 3 at byte offset " + offsetOf(records, 3))
                        .hasMessageContaining("truncated");
            }
            try (TFRecordReader r = TFRecordReader.open(f, true)) {
                assertThat(readAll(r)).hasSize(3);
                assertThat(r.skipped()).isEqualTo(1);
            }
        }
    }

    @Test
    void cutOffGzipStreamIsTruncated() throws IOException {
        List<byte[]> records = payloads(20, 7);
        Path f = writeRecords("gz.tfrecord", records, true);
        byte[] b = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(b, b.length - 30));
        try (TFRecordReader r = TFRecordReader.open(f, true)) {
            List<byte[]> back = readAll(r);
            assertThat(back.size()).isLessThan(20);
            assertThat(r.skipped()).isEqualTo(1);
        }
    }

    @Test
    void lengthOverTheRecordLimitIsRejected() throws IOException {
        byte[] len = le((1L << 30) + 1, 8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(len);
        out.writeBytes(le(mask(crc32cBitwise(len)), 4));
        out.writeBytes(new byte[64]);
        Path f = dir.resolve("huge.tfrecord");
        Files.write(f, out.toByteArray());
        try (TFRecordReader r = TFRecordReader.open(f)) {
            assertThatThrownBy(r::next).isInstanceOf(DataFormatException.class)
                    .hasMessageContaining("record 0 at byte offset 0")
                    .hasMessageContaining("1073741825")
                    .hasMessageContaining("over the limit of " + ReadLimits.defaults().maxRecordBytes() + " bytes");
        }
    }

    @Test
    void failedWriteLeavesNoFileAndNoTempFile() throws IOException {
        Path f = dir.resolve("out.tfrecord");
        assertThatThrownBy(() -> {
            try (TFRecordWriter w = TFRecordWriter.create(f, false)) {
                w.write(new byte[10]);
                try (Stream<Path> s = Files.list(dir)) {
                    assertThat(s.count()).as("temp file while writing").isEqualTo(1);
                }
                throw new IllegalStateException("conversion failed");
            }
        }).hasMessage("conversion failed");
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void commitReplacesAnExistingFileAndLeavesNoTempFile() throws IOException {
        Path f = dir.resolve("out.tfrecord");
        Files.writeString(f, "old");
        writeRecords("out.tfrecord", List.of(new byte[] {1, 2, 3}), false);
        assertThat(Files.readAllBytes(f)).containsExactly(handBuiltRecord(new byte[] {1, 2, 3}));
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.toList()).containsExactly(f);
        }
    }

    @Test
    void looksLikeTFRecordRejectsOtherFiles() throws IOException {
        Path txt = dir.resolve("a.txt");
        Files.writeString(txt, "hello, this is not a record");
        Path tiny = dir.resolve("tiny");
        Files.write(tiny, new byte[] {1, 2});
        assertThat(TFRecordReader.looksLikeTFRecord(txt)).isFalse();
        assertThat(TFRecordReader.looksLikeTFRecord(tiny)).isFalse();
        assertThat(TFRecordReader.looksLikeTFRecord(dir.resolve("missing"))).isFalse();
    }
}

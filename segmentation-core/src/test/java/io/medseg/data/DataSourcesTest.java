package io.medseg.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.folder.ImageMaskFolder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSourcesTest {
    @TempDir
    Path dir;

    /** A TFRecord record header built with long arithmetic, independently of the sniffer's int arithmetic. */
    private static byte[] tfRecordHeader(long length) {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(length);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 8);
        long c = crc.getValue();
        long rotated = ((c >>> 15) | (c << 17)) & 0xffffffffL;
        long masked = (rotated + 0xa282ead8L) & 0xffffffffL;
        b.putInt((int) masked);
        return b.array();
    }

    private Path file(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        return p;
    }

    @Test
    void tfRecordIsRecognisedByHeaderWhateverTheName() throws IOException {
        byte[] record = new byte[12 + 5 + 4];
        System.arraycopy(tfRecordHeader(5), 0, record, 0, 12);
        Path f = file("train.data", record);
        assertThat(io.medseg.data.tfrecord.TFRecordReader.looksLikeTFRecord(f)).isTrue();
        assertThat(DataSources.detect(f)).isEqualTo(DataFormat.TFRECORD);

        byte[] corrupt = record.clone();
        corrupt[9] ^= 1;
        Path bad = file("bad.tfrecord", corrupt);
        assertThat(io.medseg.data.tfrecord.TFRecordReader.looksLikeTFRecord(bad)).isFalse();
        assertThat(io.medseg.data.tfrecord.TFRecordReader.looksLikeTFRecord(file("short.tfrecord", new byte[] {5, 0, 0}))).isFalse();
        assertThatThrownBy(() -> DataSources.detect(bad)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(bad.toString()).hasMessageContaining("SUNNYBROOK")
                .hasMessageContaining("TFRECORD").hasMessageContaining("IMAGE_MASK_FOLDER");
    }

    @Test
    void gzipFilesAndFoldersOfRecordsAreTfRecord() throws IOException {
        Path gz = dir.resolve("shards/part-0.tfrecords");
        Files.createDirectories(gz.getParent());
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(tfRecordHeader(0));
        }
        file("shards/README", "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(DataSources.detect(gz)).isEqualTo(DataFormat.TFRECORD);
        assertThat(DataSources.detect(dir.resolve("shards"))).isEqualTo(DataFormat.TFRECORD);
        // a header without its payload: detected as TFRecord, then refused as truncated, naming the file
        assertThatThrownBy(() -> DataSources.load(dir.resolve("shards"), DataFormat.TFRECORD))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("part-0.tfrecords")
                .hasMessageContaining("truncated");
    }

    @Test
    void sunnybrookLayoutIsRecognised() throws IOException {
        Files.createDirectories(dir.resolve("dicoms"));
        Files.createDirectories(dir.resolve("contourfiles"));
        file("link.csv", "patient_id,original_id\n".getBytes(StandardCharsets.UTF_8));
        assertThat(DataSources.detect(dir)).isEqualTo(DataFormat.SUNNYBROOK);
    }

    @Test
    void imageMaskFolderIsRecognisedAndLoaded() throws IOException {
        Sample s = new Sample("a", "p", Image.of(2, 2, new float[] {1, 2, 3, 4}),
                Mask.of(2, 2, new byte[] {0, 1, 1, 0}));
        ImageMaskFolder.write(List.of(s), dir);
        assertThat(DataSources.detect(dir)).isEqualTo(DataFormat.IMAGE_MASK_FOLDER);
        SegmentationDataset ds = DataSources.load(dir);
        assertThat(ds.get(0).image()).isEqualTo(s.image());
        assertThat(ds.get(0).mask()).isEqualTo(s.mask());
    }

    @Test
    void unknownOrMissingPathsAreClearErrors() throws IOException {
        file("x/notes.txt", "just text, not a record".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> DataSources.detect(dir.resolve("x"))).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(dir.resolve("x").toString()).hasMessageContaining("looked for");
        assertThatThrownBy(() -> DataSources.detect(dir.resolve("nope"))).isInstanceOf(NoSuchFileException.class);
    }
}

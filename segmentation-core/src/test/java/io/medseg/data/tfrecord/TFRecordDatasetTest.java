package io.medseg.data.tfrecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.medseg.data.DataFormatException;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.sunnybrook.SunnybrookDataset;
import io.medseg.data.tfrecord.proto.BytesList;
import io.medseg.data.tfrecord.proto.Example;
import io.medseg.data.tfrecord.proto.Feature;
import io.medseg.data.tfrecord.proto.Features;
import io.medseg.data.tfrecord.proto.FloatList;
import io.medseg.data.tfrecord.proto.Int64List;
import io.medseg.testdata.SunnybrookTestData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TFRecordDatasetTest {
    @TempDir
    Path dir;

    private static Feature int64(long v) {
        return Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(v)).build();
    }

    private static Feature bytes(byte[] b) {
        return Feature.newBuilder().setBytesList(BytesList.newBuilder().addValue(ByteString.copyFrom(b))).build();
    }

    private static byte[] int64Pixels(long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }

    /** A lab-format example built by hand: 2x3, pixels 0,100,...,500, labels given. */
    private static Features.Builder labExample(String imageKey, byte[] labels) {
        return Features.newBuilder().putFeature("height", int64(2)).putFeature("width", int64(3))
                .putFeature("depth", int64(1))
                .putFeature(imageKey, bytes(int64Pixels(0, 100, 200, 300, 400, 500)))
                .putFeature("label_raw", bytes(labels));
    }

    private Path writeExamples(String name, Example... examples) throws IOException {
        Path f = dir.resolve(name);
        try (TFRecordWriter w = TFRecordWriter.create(f, false)) {
            for (Example e : examples) {
                w.write(e.toByteArray());
            }
            w.commit();
        }
        return f;
    }

    private static Example ex(Features.Builder f) {
        return Example.newBuilder().setFeatures(f).build();
    }

    @Test
    void decodesAHandBuiltLabExampleAcceptingTheLegacyImageKey() throws IOException {
        Example named = ex(labExample("image_raw", new byte[] {0, 1, 1, 0, 0, 0})
                .putFeature("name", bytes("SCD0000101/48".getBytes(StandardCharsets.UTF_8))));
        Example legacy = ex(labExample("img_raw", new byte[] {0, 0, 0, 0, 0, 1}));
        Path f = writeExamples("lab.tfrecords", named, legacy);
        SegmentationDataset ds = TFRecordDataset.load(f, LabSchema.create(), false);
        assertThat(ds.size()).isEqualTo(2);
        Sample a = ds.get(0);
        assertThat(a.id()).isEqualTo("SCD0000101/48");
        assertThat(a.patientId()).isEqualTo("SCD0000101");
        assertThat(a.image()).isEqualTo(Image.of(2, 3, new float[] {0, 100, 200, 300, 400, 500}));
        assertThat(a.mask()).isEqualTo(Mask.of(2, 3, new byte[] {0, 1, 1, 0, 0, 0}));
        Sample b = ds.get(1);
        assertThat(b.id()).isEqualTo("lab.tfrecords#1");
        assertThat(b.patientId()).isEqualTo("unknown");
        assertThat(b.mask().get(1, 2)).isEqualTo(1);
    }

    @Test
    void wrongPixelCountNamesKeyExpectedAndActualAndRecord() throws IOException {
        Example good = ex(labExample("image_raw", new byte[6]));
        Example bad = ex(Features.newBuilder().putFeature("height", int64(256)).putFeature("width", int64(256))
                .putFeature("depth", int64(1)).putFeature("image_raw", bytes(new byte[65535 * 8]))
                .putFeature("label_raw", bytes(new byte[256 * 256])));
        Path f = writeExamples("short.tfrecords", good, bad);
        long offset = 16L + good.getSerializedSize();
        assertThatThrownBy(() -> TFRecordDataset.load(f, LabSchema.create(), false))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("short.tfrecords")
                .hasMessageContaining("record 1 at byte offset " + offset)
                .hasMessageContaining("'image_raw'")
                .hasMessageContaining("65536 int64 pixels")
                .hasMessageContaining("(65535 pixels)");
    }

    @Test
    void missingKeyIsNamed() throws IOException {
        Features.Builder noLabel = labExample("image_raw", new byte[6]).removeFeature("label_raw");
        Path f = writeExamples("nolabel.tfrecords", ex(noLabel));
        assertThatThrownBy(() -> TFRecordDataset.load(f, LabSchema.create(), false))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("record 0 at byte offset 0")
                .hasMessageContaining("missing feature 'label_raw'");
    }

    @Test
    void wrongFeatureKindIsNamed() throws IOException {
        Features.Builder floatHeight = labExample("image_raw", new byte[6])
                .putFeature("height", Feature.newBuilder().setFloatList(FloatList.newBuilder().addValue(2f)).build());
        Path f = writeExamples("kind.tfrecords", ex(floatHeight));
        assertThatThrownBy(() -> TFRecordDataset.load(f, LabSchema.create(), false))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("feature 'height' must be an int64_list, got float_list");
    }

    @Test
    void nonPositiveSizeIsRejected() throws IOException {
        Features.Builder zero = labExample("image_raw", new byte[6]).putFeature("width", int64(0));
        Path f = writeExamples("zero.tfrecords", ex(zero));
        assertThatThrownBy(() -> TFRecordDataset.load(f, LabSchema.create(), false))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("feature 'width' must be a positive size, got 0");
    }

    @Test
    void labelOutsideTheClassCountIsRejected() throws IOException {
        Path f = writeExamples("label3.tfrecords", ex(labExample("image_raw", new byte[] {0, 0, 0, 0, 3, 0})));
        assertThatThrownBy(() -> TFRecordDataset.load(f, LabSchema.withClasses(2), false))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("record 0")
                .hasMessageContaining("label 3 at (y=1, x=1); expected 0..1 for 2 classes");
        // without a class count, 3 is a valid label
        assertThat(TFRecordDataset.load(f, LabSchema.create(), false).get(0).mask().maxLabel()).isEqualTo(3);
    }

    @Test
    void skipCorruptSkipsChecksumFailuresButNotSchemaFaults() throws IOException {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            samples.add(new Sample("P" + i + "/" + i, "P" + i, Image.of(2, 3, new float[] {i, 1, 2, 3, 4, 5}),
                    Mask.of(2, 3, new byte[] {1, 0, 0, 0, 0, (byte) (i % 2)})));
        }
        Path f = dir.resolve("four.tfrecord");
        TFRecordDataset.write(samples, f, LabSchema.create(), false);
        byte[] b = Files.readAllBytes(f);
        int recordLen = b.length / 4; // all four records have the same size
        b[recordLen + 20] ^= 0x01;
        Files.write(f, b);
        assertThatThrownBy(() -> TFRecordDataset.load(f, LabSchema.create(), false))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("record 1 at byte offset " + recordLen);
        SegmentationDataset ds = TFRecordDataset.load(f, LabSchema.create(), true);
        assertThat(ds.samples()).extracting(Sample::id).containsExactly("P0/0", "P2/2", "P3/3");
    }

    @Test
    void roundTripsPlainAndGzipAndStreamsAFolderInNameOrder() throws IOException {
        List<Sample> first = List.of(new Sample("A/1", "A", Image.of(2, 2, 2, new float[] {1, -2, 3, 4, 5, 6, 7, 8}),
                Mask.of(2, 2, new byte[] {0, 1, 2, 0})));
        List<Sample> second = List.of(new Sample("B/1", "B", Image.of(1, 3, new float[] {9, 8, 7}),
                Mask.of(1, 3, new byte[] {1, 1, 0})));
        Path folder = Files.createDirectory(dir.resolve("set"));
        TFRecordDataset.write(second, folder.resolve("b.tfrecords"), LabSchema.create(), true);
        TFRecordDataset.write(first, folder.resolve("a.tfrecord"), LabSchema.create(), false);
        Files.writeString(folder.resolve("README.txt"), "not a record");
        try (Stream<Sample> s = TFRecordDataset.stream(folder, LabSchema.create(), false)) {
            assertThat(s.toList()).containsExactly(first.get(0), second.get(0));
        }
        assertThat(TFRecordDataset.files(folder)).extracting(p -> p.getFileName().toString())
                .containsExactly("a.tfrecord", "b.tfrecords");
    }

    @Test
    void failedConversionLeavesNoFile() throws IOException {
        Sample ok = new Sample("A/1", "A", Image.of(1, 1, new float[] {1}), Mask.of(1, 1, new byte[] {0}));
        ExampleSchema failing = new ExampleSchema() {
            private int n;

            @Override
            public Sample decode(Example ex, String fallbackId) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Example encode(Sample s) {
                if (++n == 2) {
                    throw new IllegalStateException("cannot encode sample 2");
                }
                return LabSchema.create().encode(s);
            }
        };
        Path f = dir.resolve("fail.tfrecord");
        assertThatThrownBy(() -> TFRecordDataset.write(List.of(ok, ok, ok), f, failing, false))
                .hasMessage("cannot encode sample 2");
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void sunnybrookFramesRoundTripPixelIdentical() throws IOException {
        SegmentationDataset original = SunnybrookDataset.load(SunnybrookTestData.dir());
        assertThat(original.size()).isEqualTo(56);
        for (boolean gzip : new boolean[] {false, true}) {
            Path f = dir.resolve("sunnybrook-" + gzip + ".tfrecords");
            TFRecordDataset.write(original.samples(), f, LabSchema.withClasses(2), gzip);
            assertThat(TFRecordReader.looksLikeTFRecord(f)).isTrue();
            SegmentationDataset back = TFRecordDataset.load(f, LabSchema.withClasses(2), false);
            assertThat(back.size()).isEqualTo(56);
            assertThat(back.patients()).isEqualTo(original.patients());
            for (int i = 0; i < 56; i++) {
                Sample o = original.get(i);
                Sample r = back.get(i);
                assertThat(r.id()).isEqualTo(o.id());
                assertThat(r.patientId()).isEqualTo(o.patientId());
                // spacing is not part of the lab format; pixels and labels must be identical
                assertThat(r.image().toArray()).as(o.id()).containsExactly(o.image().toArray());
                assertThat(r.image().shapeString()).isEqualTo(o.image().shapeString());
                assertThat(r.mask()).as(o.id()).isEqualTo(o.mask());
            }
        }
    }
}

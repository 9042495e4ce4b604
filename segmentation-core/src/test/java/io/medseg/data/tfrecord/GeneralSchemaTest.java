package io.medseg.data.tfrecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.medseg.data.Sample;
import io.medseg.data.tfrecord.proto.BytesList;
import io.medseg.data.tfrecord.proto.Example;
import io.medseg.data.tfrecord.proto.Feature;
import io.medseg.data.tfrecord.proto.Features;
import io.medseg.data.tfrecord.proto.Int64List;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class GeneralSchemaTest {
    private static Feature int64(long v) {
        return Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(v)).build();
    }

    private static Feature bytes(byte[] b) {
        return Feature.newBuilder().setBytesList(BytesList.newBuilder().addValue(ByteString.copyFrom(b))).build();
    }

    private static byte[] png(int type, int[] values, int h, int w) throws IOException {
        BufferedImage img = new BufferedImage(w, h, type);
        img.getRaster().setSamples(0, 0, w, h, 0, values);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    void decodesRawFloat32ImageWithUint8Labels() throws ExampleFormatException {
        ByteBuffer px = ByteBuffer.allocate(4 * 4).order(ByteOrder.LITTLE_ENDIAN);
        px.putFloat(0.5f).putFloat(-1f).putFloat(2.25f).putFloat(3f);
        Example ex = Example.newBuilder().setFeatures(Features.newBuilder()
                .putFeature("img", bytes(px.array())).putFeature("seg", bytes(new byte[] {0, 1, 1, 0}))
                .putFeature("h", int64(2)).putFeature("w", int64(2))
                .putFeature("id", bytes("P7/3".getBytes(java.nio.charset.StandardCharsets.UTF_8)))).build();
        GeneralSchema s = GeneralSchema.builder().imageKey("img").labelKey("seg").sizeKeys("h", "w")
                .imageType(GeneralSchema.ImageType.FLOAT32).idKey("id").numClasses(2).build();
        Sample sample = s.decode(ex, "f#0");
        assertThat(sample.id()).isEqualTo("P7/3");
        assertThat(sample.patientId()).isEqualTo("P7");
        assertThat(sample.image().toArray()).containsExactly(0.5f, -1f, 2.25f, 3f);
        assertThat(sample.mask().toArray()).containsExactly(0, 1, 1, 0);
    }

    @Test
    void decodesSixteenBitPngImageAndPngLabelsSizedByTheImage() throws IOException {
        int[] pixels = {0, 1000, 65535, 7, 300, 2};
        int[] labels = {0, 1, 2, 0, 0, 1};
        Example ex = Example.newBuilder().setFeatures(Features.newBuilder()
                .putFeature("image", bytes(png(BufferedImage.TYPE_USHORT_GRAY, pixels, 2, 3)))
                .putFeature("label", bytes(png(BufferedImage.TYPE_BYTE_GRAY, labels, 2, 3)))).build();
        GeneralSchema s = GeneralSchema.builder().imageType(GeneralSchema.ImageType.PNG)
                .labelType(GeneralSchema.LabelType.PNG).sizeFromImage().build();
        Sample sample = s.decode(ex, "f#4");
        assertThat(sample.id()).isEqualTo("f#4");
        assertThat(sample.image().shapeString()).isEqualTo("2x3x1");
        assertThat(sample.image().toArray()).containsExactly(0f, 1000f, 65535f, 7f, 300f, 2f);
        assertThat(sample.mask().toArray()).containsExactly(0, 1, 2, 0, 0, 1);
        GeneralSchema twoClasses = GeneralSchema.builder().imageType(GeneralSchema.ImageType.PNG)
                .labelType(GeneralSchema.LabelType.PNG).sizeFromImage().numClasses(2).build();
        assertThatThrownBy(() -> twoClasses.decode(ex, "f#4")).isInstanceOf(ExampleFormatException.class)
                .hasMessageContaining("label 2 at (y=0, x=2)");
    }

    @Test
    void buildReportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> GeneralSchema.builder().imageKey("x").labelKey("x").fixedSize(0, 5).numClasses(1)
                .build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image and label keys must differ: x")
                .hasMessageContaining("fixed size must be positive: 0x5")
                .hasMessageContaining("number of classes must be in 2..128: 1");
        assertThatThrownBy(() -> GeneralSchema.builder().sizeFromImage().build())
                .hasMessageContaining("size from image needs image type PNG, got UINT8");
    }
}

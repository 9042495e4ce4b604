package io.medseg.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageMaskSampleTest {

    @Test
    void sampleWithMismatchedMaskNamesTheSampleAndBothSizes() {
        Image img = Image.of(3, 4, new float[12]);
        Mask mask = Mask.empty(4, 3);
        assertThatThrownBy(() -> new Sample("slice-17", "p1", img, mask))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slice-17")
                .hasMessageContaining("image 3x4")
                .hasMessageContaining("mask 4x3");
    }

    @Test
    void multiChannelImageMatchesMaskBySpatialSizeOnly() {
        Sample s = new Sample("a", "p", Image.of(2, 3, 2, new float[12]), Mask.empty(2, 3));
        assertThat(s.image().channels()).isEqualTo(2);
    }

    @Test
    void imageRejectsWrongPixelCount() {
        assertThatThrownBy(() -> Image.of(2, 3, new float[5]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2x3x1 needs 6 pixels, got 5");
        assertThatThrownBy(() -> Image.of(2, 2, 3, new float[4]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 12 pixels, got 4");
        assertThatThrownBy(() -> Image.of(0, 2, new float[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
    }

    @Test
    void maskRejectsWrongLabelCountAndNegativeLabels() {
        assertThatThrownBy(() -> Mask.of(2, 2, new byte[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2x2 needs 4 labels, got 3");
        assertThatThrownBy(() -> Mask.of(1, 2, new byte[] {0, -1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    @Test
    void imageCopiesItsInputAndItsOutput() {
        float[] src = {1, 2, 3, 4};
        Image img = Image.of(2, 2, src);
        src[0] = 99;
        assertThat(img.get(0, 0)).isEqualTo(1f);
        img.toArray()[1] = 99;
        assertThat(img.get(0, 1)).isEqualTo(2f);
    }

    @Test
    void maskCopiesItsInputAndItsOutput() {
        byte[] src = {0, 1, 2, 1};
        Mask m = Mask.of(2, 2, src);
        src[1] = 0;
        assertThat(m.get(0, 1)).isEqualTo(1);
        m.toArray()[2] = 0;
        assertThat(m.get(1, 0)).isEqualTo(2);
        assertThat(m.count(1)).isEqualTo(2);
        assertThat(m.maxLabel()).isEqualTo(2);
    }

    @Test
    void imageIndexIsRowMajorChannelLast() {
        // 2x2x2: (y, x, c) at (y * 2 + x) * 2 + c
        Image img = Image.of(2, 2, 2, new float[] {0, 1, 2, 3, 4, 5, 6, 7});
        assertThat(img.get(1, 0, 1)).isEqualTo(5f);
        assertThat(img.get(0, 1, 0)).isEqualTo(2f);
        assertThat(img.get(1, 1)).isEqualTo(6f);
        assertThat(img.shapeString()).isEqualTo("2x2x2");
    }
}

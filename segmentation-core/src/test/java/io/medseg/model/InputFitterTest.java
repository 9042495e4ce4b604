package io.medseg.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InputFitterTest {

    private static UNetSpec spec(InputFit fit, Normalization norm) {
        return UNet.builder().inputShape(4, 4, 1).numClasses(2).depth(1).baseFilters(2).normalization(norm)
                .inputFit(fit).build();
    }

    private static final InputFitter CROP = new InputFitter(spec(InputFit.CENTRE_CROP, Normalization.none()));
    private static final InputFitter EXACT = new InputFitter(spec(InputFit.EXACT, Normalization.none()));

    /** Pixel (y, x) holds {@code base + 10 y + x}, so a value tells where it came from. */
    private static Image coded(int h, int w, float base) {
        float[] px = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                px[y * w + x] = base + 10 * y + x;
            }
        }
        return Image.of(h, w, px);
    }

    private static float at(float[] net, int y, int x) {
        return net[y * 4 + x];
    }

    @Test
    void exactRefusesAnotherSizeNamingBothShapes() {
        assertThatThrownBy(() -> EXACT.input(coded(6, 6, 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model input shape mismatch")
                .hasMessageContaining("4x4x1")
                .hasMessageContaining("6x6x1");
        assertThatThrownBy(() -> EXACT.labels(Mask.empty(4, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model input shape mismatch")
                .hasMessageContaining("got 4x5x1");
    }

    @Test
    void exactPassesAMatchingImageThrough() {
        Image img = coded(4, 4, 0);
        assertThat(EXACT.input(img)).containsExactly(img.toArray());
    }

    @Test
    void centreCropStillRefusesTheWrongChannelCount() {
        Image twoChannels = Image.of(6, 6, 2, new float[72]);
        assertThatThrownBy(() -> CROP.input(twoChannels))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model input shape mismatch")
                .hasMessageContaining("any size, centre-cropped")
                .hasMessageContaining("6x6x2");
    }

    @Test
    void centreCropTakesTheMiddleOfALargerImageWithEvenDifference() {
        float[] net = CROP.input(coded(6, 6, 0));
        // (6 - 4) / 2 = 1: network pixel (y, x) is image pixel (y + 1, x + 1)
        assertThat(at(net, 0, 0)).isEqualTo(11f);
        assertThat(at(net, 0, 3)).isEqualTo(14f);
        assertThat(at(net, 3, 0)).isEqualTo(41f);
        assertThat(at(net, 3, 3)).isEqualTo(44f);
    }

    @Test
    void centreCropWithOddDifferenceDropsTheExtraPixelAtTheEnd() {
        float[] net = CROP.input(coded(7, 5, 0));
        // rows: floor((7 - 4) / 2) = 1 -> rows 1..4 of 0..6; cols: floor((5 - 4) / 2) = 0 -> cols 0..3 of 0..4
        assertThat(at(net, 0, 0)).isEqualTo(10f);
        assertThat(at(net, 3, 3)).isEqualTo(43f);
        assertThat(at(net, 2, 1)).isEqualTo(31f);
    }

    @Test
    void smallerImageIsPaddedWithItsMinimumAroundTheCentre() {
        float[] net = CROP.input(coded(2, 2, 5)); // values 5, 6 / 15, 16
        // (2 - 4) / 2 = -1: image pixel (y, x) lands on network pixel (y + 1, x + 1)
        float[] expected = {
            5, 5, 5, 5,
            5, 5, 6, 5,
            5, 15, 16, 5,
            5, 5, 5, 5};
        assertThat(net).containsExactly(expected);
    }

    @Test
    void smallerImageWithOddDifferenceStartsOnePixelIn() {
        float[] net = CROP.input(coded(3, 3, 1)); // minimum 1
        // floor((3 - 4) / 2) = -1: image occupies network rows and columns 1..3, padding only in row/col 0
        assertThat(at(net, 0, 0)).isEqualTo(1f);
        assertThat(at(net, 0, 2)).isEqualTo(1f);
        assertThat(at(net, 1, 1)).isEqualTo(1f);  // image (0, 0)
        assertThat(at(net, 3, 3)).isEqualTo(23f); // image (2, 2)
        assertThat(at(net, 2, 3)).isEqualTo(13f); // image (1, 2)
    }

    @Test
    void normalisationIsAppliedAfterFitting() {
        InputFitter f = new InputFitter(spec(InputFit.CENTRE_CROP, Normalization.percentile(0, 100)));
        float[] net = f.input(coded(6, 6, 0));
        // the crop holds 11..44; min-max over the crop maps 11 -> 0, 44 -> 1, 22 -> 11/33
        assertThat(at(net, 0, 0)).isEqualTo(0f);
        assertThat(at(net, 3, 3)).isEqualTo(1f);
        assertThat(at(net, 1, 1)).isCloseTo(11f / 33f, within(1e-6f));
    }

    @Test
    void labelsAreCroppedLikeTheImage() {
        byte[] b = new byte[36];
        b[0] = 1;          // (0, 0): outside the crop
        b[1 * 6 + 1] = 1;  // (1, 1): network (0, 0)
        b[4 * 6 + 4] = 2;  // (4, 4): network (3, 3)
        b[5 * 6 + 5] = 1;  // (5, 5): outside
        byte[] net = CROP.labels(Mask.of(6, 6, b));
        byte[] expected = new byte[16];
        expected[0] = 1;
        expected[15] = 2;
        assertThat(net).containsExactly(expected);
    }

    @Test
    void labelsArePaddedWithBackground() {
        byte[] net = CROP.labels(Mask.of(2, 2, new byte[] {1, 1, 1, 1}));
        assertThat(net).containsExactly(
                0, 0, 0, 0,
                0, 1, 1, 0,
                0, 1, 1, 0,
                0, 0, 0, 0);
    }

    /** Network probabilities for 4x4 pixels, class 1 = (y * 4 + x + 1) / 100, class 0 = the rest. */
    private static float[] netProbs() {
        float[] p = new float[4 * 4 * 2];
        for (int i = 0; i < 16; i++) {
            p[2 * i + 1] = (i + 1) / 100f;
            p[2 * i] = 1 - p[2 * i + 1];
        }
        return p;
    }

    @Test
    void probabilitiesGoBackToTheCropPositionWithBackgroundOutside() {
        float[] out = CROP.probabilitiesToImage(netProbs(), 0, 6, 6);
        assertThat(out).hasSize(6 * 6 * 2);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 6; x++) {
                int i = (y * 6 + x) * 2;
                boolean inside = y >= 1 && y <= 4 && x >= 1 && x <= 4;
                float p1 = inside ? ((y - 1) * 4 + (x - 1) + 1) / 100f : 0f;
                assertThat(out[i + 1]).as("class 1 at %d,%d", y, x).isEqualTo(p1);
                assertThat(out[i]).as("class 0 at %d,%d", y, x).isEqualTo(inside ? 1 - p1 : 1f);
            }
        }
    }

    @Test
    void probabilitiesOfAPaddedImageComeFromTheCentreOfTheNetwork() {
        float[] out = CROP.probabilitiesToImage(netProbs(), 0, 2, 2);
        // image (y, x) <- network (y + 1, x + 1): indices 5, 6, 9, 10
        assertThat(out).containsExactly(new float[] {
            1 - 0.06f, 0.06f, 1 - 0.07f, 0.07f,
            1 - 0.10f, 0.10f, 1 - 0.11f, 0.11f}, within(1e-6f));
    }

    @Test
    void probabilitiesAreReadFromTheGivenOffset() {
        float[] two = new float[64];
        float[] second = netProbs();
        System.arraycopy(second, 0, two, 32, 32);
        assertThat(CROP.probabilitiesToImage(two, 32, 4, 4)).containsExactly(second);
        assertThat(CROP.probabilitiesToImage(two, 32, 2, 2))
                .containsExactly(CROP.probabilitiesToImage(second, 0, 2, 2));
    }

    @Test
    void roundTripThroughTheNetworkSizeIsConsistent() {
        Random r = new Random(3);
        for (int[] size : new int[][] {{7, 7}, {6, 5}, {3, 3}, {2, 6}, {4, 4}}) {
            int h = size[0];
            int w = size[1];
            float[] px = new float[h * w];
            byte[] lab = new byte[h * w];
            for (int i = 0; i < px.length; i++) {
                lab[i] = (byte) r.nextInt(2);
                px[i] = lab[i];
            }
            lab[0] = 0; // keep the minimum at 0 so padding reads as background
            px[0] = 0;
            Image img = Image.of(h, w, px);
            Mask mask = Mask.of(h, w, lab);
            float[] netIn = CROP.input(img);
            byte[] netLab = CROP.labels(mask);
            float[] probs = new float[32];
            for (int i = 0; i < 16; i++) {
                assertThat(netIn[i]).as("size %dx%d pixel %d", h, w, i).isEqualTo((float) netLab[i]);
                probs[2 * i + 1] = netIn[i];
                probs[2 * i] = 1 - netIn[i];
            }
            float[] back = CROP.probabilitiesToImage(probs, 0, h, w);
            int y0 = Math.floorDiv(h - 4, 2);
            int x0 = Math.floorDiv(w - 4, 2);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    boolean seen = y - y0 >= 0 && y - y0 < 4 && x - x0 >= 0 && x - x0 < 4;
                    float expected = seen ? mask.get(y, x) : 0f;
                    assertThat(back[(y * w + x) * 2 + 1]).as("size %dx%d at %d,%d", h, w, y, x)
                            .isEqualTo(expected);
                }
            }
        }
    }
}

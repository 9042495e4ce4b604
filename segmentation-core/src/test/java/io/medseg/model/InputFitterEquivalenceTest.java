package io.medseg.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.Image;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fitter's direct paths (writing into a batch, arg-max and probabilities read straight from the network
 * output) against what they shortcut: {@link InputFitter#input} as it was defined pixel by pixel, and
 * {@link InputFitter#probabilitiesToImage} followed by an arg-max.
 */
class InputFitterEquivalenceTest {

    /** The network input as defined: every network pixel from the image or, outside it, the image minimum. */
    private static float[] inputReference(UNetSpec spec, Image image) {
        int h = spec.inputHeight();
        int w = spec.inputWidth();
        int c = spec.inputChannels();
        float[] out = new float[h * w * c];
        int y0 = Math.floorDiv(image.height() - h, 2);
        int x0 = Math.floorDiv(image.width() - w, 2);
        float fill = Float.POSITIVE_INFINITY;
        for (float v : image.toArray()) {
            fill = Math.min(fill, v);
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int sy = y + y0;
                int sx = x + x0;
                boolean inside = sy >= 0 && sy < image.height() && sx >= 0 && sx < image.width();
                for (int ch = 0; ch < c; ch++) {
                    out[(y * w + x) * c + ch] = inside ? image.get(sy, sx, ch) : fill;
                }
            }
        }
        spec.normalization().applyInPlace(out);
        return out;
    }

    private static UNetSpec spec(int h, int w, int c, int k, Normalization norm) {
        return UNet.builder().inputShape(h, w, c).numClasses(k).depth(1).baseFilters(2).normalization(norm)
                .inputFit(InputFit.CENTRE_CROP).build();
    }

    private static Image randomImage(SplittableRandom r, int h, int w, int c) {
        float[] px = new float[h * w * c];
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextInt(8) == 0 ? -0f : (float) r.nextDouble(-100, 1000);
        }
        return Image.of(h, w, c, px);
    }

    @Test
    void inputIntoWritesTheDefinedInputIntoItsSliceOnly() {
        SplittableRandom r = new SplittableRandom(1);
        Normalization[] norms = {Normalization.none(), Normalization.percentile(1, 99), Normalization.zScore()};
        for (int t = 0; t < 300; t++) {
            int c = 1 + r.nextInt(3);
            UNetSpec spec = spec(4 + 2 * r.nextInt(6), 4 + 2 * r.nextInt(6), c, 2, norms[t % norms.length]);
            InputFitter fitter = new InputFitter(spec);
            Image img = randomImage(r, 1 + r.nextInt(20), 1 + r.nextInt(20), c);
            float[] expected = inputReference(spec, img);
            assertThat(fitter.input(img)).as("%s into %s", img, spec).containsExactly(expected);
            int offset = r.nextInt(10);
            float[] batch = new float[offset + expected.length + 7];
            Arrays.fill(batch, 42f);
            fitter.inputInto(img, batch, offset);
            assertThat(Arrays.copyOfRange(batch, offset, offset + expected.length)).containsExactly(expected);
            for (int i = 0; i < batch.length; i++) {
                if (i < offset || i >= offset + expected.length) {
                    assertThat(batch[i]).isEqualTo(42f);
                }
            }
        }
    }

    @Test
    void inputIntoRefusesAWrongShapeAndASliceOutsideTheArray() {
        InputFitter exact = new InputFitter(UNet.builder().inputShape(4, 4, 1).numClasses(2).depth(1)
                .baseFilters(2).normalization(Normalization.none()).inputFit(InputFit.EXACT).build());
        assertThatThrownBy(() -> exact.inputInto(Image.of(4, 5, new float[20]), new float[16], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model input shape mismatch: the model expects 4x4x1, got 4x5x1");
        assertThatThrownBy(() -> exact.inputInto(Image.of(4, 4, new float[16]), new float[20], 5))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void labelsAndProbabilitiesComeStraightFromTheNetworkOutputAsFromTheMappedProbabilities() {
        SplittableRandom r = new SplittableRandom(2);
        for (int t = 0; t < 300; t++) {
            int k = 2 + r.nextInt(3);
            UNetSpec spec = spec(2 + 2 * r.nextInt(5), 2 + 2 * r.nextInt(5), 1, k, Normalization.none());
            InputFitter fitter = new InputFitter(spec);
            int netPer = spec.inputHeight() * spec.inputWidth() * k;
            int offset = r.nextInt(3) * netPer;
            float[] net = new float[offset + netPer + 5];
            for (int i = 0; i < net.length; i++) {
                // few distinct values, so that ties between classes are common
                net[i] = r.nextInt(4) / 4f;
            }
            int h = 1 + r.nextInt(12);
            int w = 1 + r.nextInt(12);
            float[] probs = fitter.probabilitiesToImage(net, offset, h, w);
            byte[] labels = fitter.labelsToImage(net, offset, h, w);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int best = 0;
                    for (int c = 1; c < k; c++) {
                        if (probs[(y * w + x) * k + c] > probs[(y * w + x) * k + best]) {
                            best = c;
                        }
                    }
                    assertThat(labels[y * w + x]).as("label at %d, %d", y, x).isEqualTo((byte) best);
                    for (int c = 0; c < k; c++) {
                        assertThat(fitter.probabilityAt(net, offset, h, w, y, x, c))
                                .isEqualTo(probs[(y * w + x) * k + c]);
                    }
                }
            }
        }
    }

    @Test
    void probabilityAtRefusesIndicesOutsideTheImageOrClasses() {
        InputFitter fitter = new InputFitter(spec(4, 4, 1, 2, Normalization.none()));
        float[] net = new float[32];
        assertThat(fitter.probabilityAt(net, 0, 6, 6, 0, 0, 0)).isEqualTo(1f);
        assertThatThrownBy(() -> fitter.probabilityAt(net, 0, 6, 6, 6, 0, 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> fitter.probabilityAt(net, 0, 6, 6, 0, -1, 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> fitter.probabilityAt(net, 0, 6, 6, 0, 0, 2))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}

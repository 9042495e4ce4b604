package io.medseg.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.medseg.backend.ModelState;
import io.medseg.backend.SegmentationModel;
import io.medseg.backend.TrainingSession;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.loss.LossSpec;
import io.medseg.model.InputFit;
import io.medseg.model.Normalization;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.optim.OptimizerSpec;
import io.medseg.testdata.FakeSegmentationModel;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

class UncertaintyTest {
    private static final double EPS = 1e-6;

    private static UNetSpec spec(int h, int w, InputFit fit, double dropout) {
        return UNet.builder().inputShape(h, w, 1).numClasses(2).depth(1).baseFilters(2).dropout(dropout)
                .normalization(Normalization.none()).inputFit(fit).build();
    }

    /** H(p) / ln 2 for two classes. */
    private static double binaryEntropy(double p) {
        return -(p * Math.log(p) + (1 - p) * Math.log(1 - p)) / Math.log(2);
    }

    /**
     * A network whose foreground probability is given per pixel of its input grid: by default the input value
     * itself, else {@code byColumn} of the network column (whatever the input), so flipped passes disagree.
     */
    private static final class ProbabilityModel implements SegmentationModel {
        private final UNetSpec spec;
        private final IntToDoubleFunction byColumn;
        private final boolean dropout;

        ProbabilityModel(UNetSpec spec, IntToDoubleFunction byColumn, boolean dropout) {
            this.spec = spec;
            this.byColumn = byColumn;
            this.dropout = dropout;
        }

        @Override
        public UNetSpec spec() {
            return spec;
        }

        @Override
        public String backendName() {
            return "probability";
        }

        @Override
        public float[] forward(float[] input, int batchSize) {
            int w = spec.inputWidth();
            float[] out = new float[input.length * 2];
            for (int p = 0; p < input.length; p++) {
                float fg = byColumn == null ? input[p] : (float) byColumn.applyAsDouble(p % w);
                out[2 * p] = 1 - fg;
                out[2 * p + 1] = fg;
            }
            return out;
        }

        @Override
        public boolean supportsDropoutSampling() {
            return dropout;
        }

        /** Foreground certain on even seeds, background certain on odd ones. */
        @Override
        public float[] forwardWithDropout(float[] input, int batchSize, long seed) {
            if (!dropout) {
                return SegmentationModel.super.forwardWithDropout(input, batchSize, seed);
            }
            float[] out = new float[input.length * 2];
            for (int p = 0; p < input.length; p++) {
                out[2 * p + (seed % 2 == 0 ? 1 : 0)] = 1f;
            }
            return out;
        }

        @Override
        public TrainingSession trainingSession(LossSpec loss, OptimizerSpec optimizer) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ModelState snapshot() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void restore(ModelState state) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void save(Path dir) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void entropyOfOnePassIsThatOfItsProbabilitiesAndTheVarianceIsZero() {
        ProbabilityModel model = new ProbabilityModel(spec(2, 2, InputFit.EXACT, 0), null, false);
        Image img = Image.of(2, 2, new float[] {0.5f, 1f, 0.25f, 0f});
        Prediction p = model.segmenter().predictWithUncertainty(img);
        UncertaintyMap u = p.uncertainty().orElseThrow();
        assertThat(u.passes()).isEqualTo(1);
        assertThat(u.entropy(0, 0)).isCloseTo(1f, within(1e-6f));
        assertThat(u.entropy(0, 1)).isZero();
        assertThat((double) u.entropy(1, 0)).isCloseTo(binaryEntropy(0.25), within(EPS));
        assertThat(u.entropy(1, 1)).isZero();
        assertThat(u.variance()).containsOnly(0f);
        // foreground: (0, 1) alone (0.5 is a tie, background); summed entropy / 1 pixel
        assertThat(p.mask().count(1)).isEqualTo(1);
        assertThat(u.score()).isCloseTo(1 + binaryEntropy(0.25), within(EPS));
        // the plain segmenter carries no map, and its masks are the same
        assertThat(model.segmenter().predictWithProbabilities(img).uncertainty()).isEmpty();
        assertThat(model.segmenter().predict(img).toArray()).containsExactly(p.mask().toArray());
    }

    @Test
    void flippedPassesThatDisagreeGiveTheirVarianceAndTheEntropyOfTheirMean() {
        // left half of the network grid says foreground 0.9, right half 0.1: a horizontal flip swaps them
        ProbabilityModel model = new ProbabilityModel(spec(4, 4, InputFit.EXACT, 0), x -> x < 2 ? 0.9 : 0.1,
                false);
        Segmenter s = model.segmenter().withTestTimeAugmentation(TestTimeAugmentation.FLIPS).withUncertainty();
        Prediction p = s.predictBatch(List.of(Image.of(4, 4, new float[16]))).get(0);
        UncertaintyMap u = p.uncertainty().orElseThrow();
        assertThat(u.passes()).isEqualTo(4);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                // passes 0.9, 0.1, 0.9, 0.1: mean 0.5, variance 0.16 in each class
                assertThat(u.entropy(y, x)).isCloseTo(1f, within(1e-5f));
                assertThat(u.variance(y, x)).isCloseTo(0.16f, within(1e-5f));
                assertThat(p.probability(y, x, 1)).isCloseTo(0.5f, within(1e-6f));
            }
        }
        // without augmentation the same network is sure of itself at 0.9/0.1: entropy H(0.9), variance 0
        UncertaintyMap single = model.segmenter().withUncertainty().predictBatch(List.of(Image.of(4, 4,
                new float[16]))).get(0).uncertainty().orElseThrow();
        assertThat((double) single.entropy(0, 0)).isCloseTo(binaryEntropy(0.9), within(EPS));
        assertThat(single.variance(0, 3)).isZero();
    }

    @Test
    void mapsComeBackAtTheImageSizeThroughTheCentreCrop() {
        ProbabilityModel model = new ProbabilityModel(spec(4, 4, InputFit.CENTRE_CROP, 0), null, false);
        // 6x8 image: the 4x4 window starts at row 1, column 2
        float[] px = new float[48];
        px[1 * 8 + 2] = 0.5f;   // inside, top-left of the window
        px[4 * 8 + 5] = 0.25f;  // inside, bottom-right
        px[0] = 0.5f;           // outside: not seen, certain background
        Prediction p = model.segmenter().withUncertainty().predictBatch(List.of(Image.of(6, 8, px))).get(0);
        UncertaintyMap u = p.uncertainty().orElseThrow();
        assertThat(u.height()).isEqualTo(6);
        assertThat(u.width()).isEqualTo(8);
        float[] e = u.entropy();
        assertThat(e[1 * 8 + 2]).isCloseTo(1f, within(1e-6f));
        assertThat((double) e[4 * 8 + 5]).isCloseTo(binaryEntropy(0.25), within(EPS));
        e[1 * 8 + 2] = 0;
        e[4 * 8 + 5] = 0;
        assertThat(e).containsOnly(0f);
    }

    @Test
    void theScoreRanksASmallUncertainStructureAboveALargeOneWithTheSameUncertainty() {
        float[] entropy = new float[100];
        for (int i = 0; i < 10; i++) {
            entropy[i] = 0.5f;   // 5 in all
        }
        assertThat(UncertaintyMap.score(entropy, square(10, 8))).isCloseTo(5.0 / 64, within(EPS));
        assertThat(UncertaintyMap.score(entropy, square(10, 2))).isCloseTo(5.0 / 4, within(EPS));
        // no foreground: the summed entropy itself
        assertThat(UncertaintyMap.score(entropy, square(10, 0))).isCloseTo(5.0, within(EPS));
        assertThat(UncertaintyMap.score(new float[100], square(10, 2))).isZero();
        assertThatThrownBy(() -> UncertaintyMap.score(new float[99], square(10, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("99 values");
    }

    /** A {@code size x size} mask with a {@code side x side} foreground square at the top left. */
    private static Mask square(int size, int side) {
        byte[] labels = new byte[size * size];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                labels[y * size + x] = 1;
            }
        }
        return Mask.wrap(size, size, labels);
    }

    @Test
    void monteCarloDropoutSamplesAreAveragedWithTheirVariance() {
        ProbabilityModel model = new ProbabilityModel(spec(2, 2, InputFit.EXACT, 0.5), null, true);
        Segmenter s = model.segmenter().withMonteCarloDropout(2).withUncertainty();
        assertThat(s.passes()).isEqualTo(2);
        UncertaintyMap u = s.predictBatch(List.of(Image.of(2, 2, new float[4]))).get(0).uncertainty()
                .orElseThrow();
        // one sample certain of foreground, one of background: mean 0.5, variance 0.25
        assertThat(u.passes()).isEqualTo(2);
        assertThat(u.entropy()).containsOnly(1f);
        assertThat(u.variance()).containsOnly(0.25f);
        assertThat(model.segmenter().withTestTimeAugmentation(TestTimeAugmentation.DIHEDRAL)
                .withMonteCarloDropout(3).passes()).isEqualTo(24);
    }

    @Test
    void monteCarloDropoutIsRefusedWhereTheModelHasNoDropoutOrCannotSampleIt() {
        ProbabilityModel noDropout = new ProbabilityModel(spec(2, 2, InputFit.EXACT, 0), null, true);
        assertThatThrownBy(() -> noDropout.segmenter().withMonteCarloDropout(4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has dropout 0");
        ProbabilityModel folded = new ProbabilityModel(spec(2, 2, InputFit.EXACT, 0.5), null, false);
        assertThatThrownBy(() -> folded.segmenter().withMonteCarloDropout(4))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("cannot run its network with dropout active");
        assertThat(folded.segmenter().withMonteCarloDropout(0).monteCarloSamples()).isZero();
    }

    @Test
    void masksWithUncertaintyAreThoseWithout() {
        FakeSegmentationModel model = new FakeSegmentationModel(spec(6, 6, InputFit.EXACT, 0));
        float[] px = new float[36];
        px[7] = 1;
        px[8] = 1;
        px[14] = 1;
        List<Image> images = List.of(Image.of(6, 6, px), Image.of(6, 6, new float[36]));
        Segmenter plain = model.segmenter().withTestTimeAugmentation(TestTimeAugmentation.DIHEDRAL);
        List<Prediction> with = plain.withUncertainty().predictBatch(images);
        List<Mask> without = plain.predictAll(images);
        for (int i = 0; i < images.size(); i++) {
            assertThat(with.get(i).mask().toArray()).containsExactly(without.get(i).toArray());
            assertThat(with.get(i).uncertainty().orElseThrow().passes()).isEqualTo(8);
        }
        // the fake network is certain of every pixel, whichever way the image is turned
        assertThat(with.get(0).uncertainty().orElseThrow().score()).isZero();
    }
}

package io.medseg.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each standard perturbation does what its name and parameter say, deterministically. */
class PerturbationTest {
    private static final int N = 32;

    /** A ramp from 10 to 10 + 310 across columns, with a labelled square of value 1000 in the middle. */
    private static Sample sample() {
        float[] px = new float[N * N];
        byte[] labels = new byte[N * N];
        for (int y = 0; y < N; y++) {
            for (int x = 0; x < N; x++) {
                boolean inside = y >= 10 && y < 22 && x >= 12 && x < 20;
                px[y * N + x] = inside ? 1000f : 10f + 10f * x;
                labels[y * N + x] = (byte) (inside ? 1 : 0);
            }
        }
        return new Sample("s", "p", Image.of(N, N, px), Mask.of(N, N, labels));
    }

    @Test
    void theStandardSetHasTheDocumentedNamesAndGroups() {
        assertThat(Perturbation.standard()).extracting(Perturbation::name).containsExactly("noise0.02", "noise0.05",
                "noise0.1", "scale0.5", "scale2", "gamma0.7", "gamma1.5", "rotate-10", "rotate+10", "blur");
        assertThat(Perturbation.names(Perturbation.standard())).contains("noise", "scale", "gamma", "rotation",
                "blur");
    }

    @Test
    void scaleMultipliesEveryIntensityAndKeepsTheLabel() {
        Sample s = sample();
        Sample out = Perturbation.scale(2).apply(s, 0);
        float[] a = s.image().toArray();
        float[] b = out.image().toArray();
        for (int i = 0; i < a.length; i++) {
            assertThat(b[i]).isEqualTo(a[i] * 2);
        }
        assertThat(out.mask()).isEqualTo(s.mask());
    }

    @Test
    void gammaKeepsTheRangeAndBendsTheMiddle() {
        Sample s = sample();
        Sample out = Perturbation.gamma(1.5).apply(s, 0);
        // the ramp value 10 + 10 * 16 = 170 is (170 - 10) / 990 of the range 10..1000
        double t = 160.0 / 990;
        assertThat(out.image().get(0, 16)).isCloseTo((float) (10 + 990 * Math.pow(t, 1.5)), within(0.5f));
        assertThat(out.image().get(0, 0)).isEqualTo(10f);
        assertThat(out.image().get(12, 14)).isEqualTo(1000f);
        assertThat(out.mask()).isEqualTo(s.mask());
    }

    @Test
    void noiseIsSeededPerImageAndOfTheStatedSigma() {
        Sample s = sample();
        Perturbation p = Perturbation.noise(0.05);
        Sample a = p.apply(s, 3);
        assertThat(p.apply(s, 3).image()).isEqualTo(a.image());
        assertThat(p.apply(s, 4).image()).isNotEqualTo(a.image());
        double sum = 0;
        double sq = 0;
        for (int i = 0; i < N * N; i++) {
            double d = a.image().toArray()[i] - s.image().toArray()[i];
            sum += d;
            sq += d * d;
        }
        double mean = sum / (N * N);
        double sd = Math.sqrt(sq / (N * N) - mean * mean);
        // sigma = 0.05 x (1000 - 10); 1024 draws give the sample sd within a few per cent
        assertThat(sd).isCloseTo(0.05 * 990, within(0.1 * 0.05 * 990));
        assertThat(a.mask()).isEqualTo(s.mask());
    }

    @Test
    void rotationMovesImageAndLabelTogether() {
        Sample s = sample();
        for (Perturbation p : List.of(Perturbation.rotate(-10), Perturbation.rotate(10))) {
            Sample out = p.apply(s, 0);
            assertThat(out.mask()).as(p.name()).isNotEqualTo(s.mask());
            assertThat(out).isEqualTo(Augmentations.affine(s, p.name().endsWith("-10") ? -10 : 10, 1, 0, 0));
            int labelled = 0;
            int bright = 0;
            for (int y = 0; y < N; y++) {
                for (int x = 0; x < N; x++) {
                    if (out.mask().get(y, x) == 1) {
                        labelled++;
                        bright += out.image().get(y, x) > 500 ? 1 : 0;
                    }
                }
            }
            // the square keeps its area within a few edge pixels, and its label stays on its bright pixels
            assertThat(labelled).isBetween(96 - 12, 96 + 12);
            assertThat((double) bright / labelled).isGreaterThan(0.9);
        }
        assertThat(Perturbation.rotate(-10).apply(s, 0).mask()).isNotEqualTo(Perturbation.rotate(10).apply(s, 0)
                .mask());
    }

    @Test
    void blurIsANormalisedGaussianOfTheStatedSigma() {
        float[] px = new float[N * N];
        px[16 * N + 16] = 1f;
        Sample impulse = new Sample("s", "p", Image.of(N, N, px), Mask.empty(N, N));
        Sample out = Perturbation.blur(1).apply(impulse, 0);
        double sum = 0;
        for (float v : out.image().toArray()) {
            sum += v;
        }
        assertThat(sum).isCloseTo(1, within(1e-5));
        // separable Gaussian of sigma 1: per axis the centre weight of the normalised kernel of radius 3, squared
        double c = 1 / (1 + 2 * (Math.exp(-0.5) + Math.exp(-2) + Math.exp(-4.5)));
        assertThat((double) out.image().get(16, 16)).isCloseTo(c * c, within(1e-6));
        assertThat((double) out.image().get(16, 17)).isCloseTo(c * c * Math.exp(-0.5), within(1e-6));
        assertThat(out.image().get(16, 15)).isEqualTo(out.image().get(16, 17));
        Sample constant = new Sample("s", "p", Image.of(N, N, new float[N * N]), Mask.empty(N, N));
        assertThat(Perturbation.blur(1).apply(constant, 0).image()).isEqualTo(constant.image());
    }
}

package io.medseg.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.backend.Backend;
import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.inference.AdversarialAttack;
import io.medseg.model.Activation;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gradient of the per-image cross-entropy with respect to the input, and the attacks that step along it. */
class InputGradientTest {
    private static final UNetSpec SPEC = UNet.builder().inputShape(16, 16, 1).numClasses(2).depth(2).baseFilters(4)
            .build();
    private static final int PER = 16 * 16;

    /** {@code batch} 16x16 single-channel images of uniform noise. */
    static float[] input(int batch, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[batch * PER];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        return x;
    }

    /** A disc of class 1 in each image. */
    private static byte[] labels(int batch) {
        byte[] y = new byte[batch * PER];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < PER; i++) {
                int dy = i / 16 - 8;
                int dx = i % 16 - 8;
                y[b * PER + i] = (byte) (dy * dy + dx * dx < 20 + 10 * b ? 1 : 0);
            }
        }
        return y;
    }

    /** Per-image mean cross-entropy, from the model's probabilities, in double. */
    static double[] losses(SegmentationModel m, float[] x, byte[] y, int batch) {
        float[] p = m.forward(x, batch);
        int k = m.spec().numClasses();
        double[] out = new double[batch];
        for (int b = 0; b < batch; b++) {
            double sum = 0;
            for (int i = 0; i < PER; i++) {
                sum -= Math.log(Math.max(p[(b * PER + i) * k + y[b * PER + i]], 1e-30));
            }
            out[b] = sum / PER;
        }
        return out;
    }

    @Test
    void gradientMatchesCentralDifferencesAlongRandomDirections() throws Exception {
        Backend backend = Backends.load();
        // ELU: a smooth activation, so that central differences converge (ReLU kinks make them noisy)
        UNetSpec smooth = UNet.builder().inputShape(16, 16, 1).numClasses(2).depth(2).baseFilters(4)
                .activation(Activation.ELU).build();
        try (SegmentationModel m = backend.create(smooth, 7)) {
            float[] x = input(1, 1);
            byte[] y = labels(1);
            float[] g = m.inputGradient(x, y, 1);
            assertThat(g).hasSize(PER);
            SplittableRandom r = new SplittableRandom(3);
            double h = 1e-3;
            for (int trial = 0; trial < 3; trial++) {
                float[] d = new float[PER];
                double analytic = 0;
                for (int i = 0; i < PER; i++) {
                    d[i] = (float) r.nextGaussian();
                    analytic += g[i] * (double) d[i];
                }
                float[] plus = x.clone();
                float[] minus = x.clone();
                for (int i = 0; i < PER; i++) {
                    plus[i] += (float) (h * d[i]);
                    minus[i] -= (float) (h * d[i]);
                }
                double numeric = (losses(m, plus, y, 1)[0] - losses(m, minus, y, 1)[0]) / (2 * h);
                assertThat(analytic).as("directional derivative %d", trial)
                        .isCloseTo(numeric, org.assertj.core.data.Offset.offset(0.05 * Math.abs(numeric) + 1e-5));
                assertThat(Math.abs(analytic)).isGreaterThan(1e-6);
            }
        }
    }

    @Test
    void eachImageGetsTheGradientOfItsOwnLossAndLoadedModelsAgree(@TempDir Path dir) throws Exception {
        Backend backend = Backends.load();
        float[] x = input(2, 5);
        byte[] y = labels(2);
        float[] batched;
        try (SegmentationModel m = backend.create(SPEC, 11)) {
            batched = m.inputGradient(x, y, 2);
            float[] second = m.inputGradient(Arrays.copyOfRange(x, PER, 2 * PER), Arrays.copyOfRange(y, PER, 2 * PER),
                    1);
            assertThat(maxAbs(Arrays.copyOfRange(batched, PER, 2 * PER), second)).isLessThan(1e-6);
            m.save(dir.resolve("model"));
        }
        try (SegmentationModel loaded = backend.load(dir.resolve("model"))) {
            assertThat(loaded).isInstanceOf(TfInferenceModel.class);
            float[] g = loaded.inputGradient(x, y, 2);
            // the loaded graph has batch norm folded: the same function up to rounding
            assertThat(maxAbs(g, batched)).isLessThan(1e-4 * (1 + maxAbs(batched, new float[batched.length])));
            assertThatThrownBy(() -> loaded.inputGradient(x, new byte[PER], 2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labels");
            byte[] bad = y.clone();
            bad[0] = 2;
            assertThatThrownBy(() -> loaded.inputGradient(x, bad, 2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 2");
        }
    }

    @Test
    void fgsmAndPgdStayWithinBudgetAndRaiseTheLoss() throws Exception {
        Backend backend = Backends.load();
        try (SegmentationModel m = backend.create(SPEC, 13)) {
            float[] x = input(2, 9);
            byte[] y = labels(2);
            double[] clean = losses(m, x, y, 2);
            AdversarialAttack fgsm = AdversarialAttack.fgsm(0.03);
            AdversarialAttack pgd = AdversarialAttack.pgd(0.03, 5, 0.01);
            float[] xf = fgsm.perturb(m, x, y, 2);
            float[] xp = pgd.perturb(m, x, y, 2);
            assertThat(maxAbs(xf, x)).isLessThanOrEqualTo(0.03 + 1e-6).isGreaterThan(0.029);
            assertThat(maxAbs(xp, x)).isLessThanOrEqualTo(0.03 + 1e-6).isGreaterThan(0.029);
            double[] lf = losses(m, xf, y, 2);
            double[] lp = losses(m, xp, y, 2);
            for (int b = 0; b < 2; b++) {
                assertThat(lf[b]).as("fgsm loss of image %d", b).isGreaterThan(clean[b]);
                assertThat(lp[b]).as("pgd loss of image %d", b).isGreaterThan(clean[b]);
            }
            assertThat(x).isEqualTo(input(2, 9));
        }
    }

    private static double maxAbs(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }
}

package io.medseg.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.medseg.backend.BackendUnavailableException;
import io.medseg.backend.Backends;
import io.medseg.loss.LossSpec;
import io.medseg.loss.Losses;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Each loss in the graph against the same formula computed independently in plain Java. */
class LossGraphTest {
    private static final int N = 2;
    private static final int H = 3;
    private static final int W = 4;
    private static final int K = 3;
    private static float[] logits;
    private static int[] labels;

    @BeforeAll
    static void data() throws BackendUnavailableException {
        Backends.load(); // natives
        SplittableRandom r = new SplittableRandom(17);
        logits = new float[N * H * W * K];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (r.nextDouble() * 4 - 2);
        }
        labels = new int[N * H * W];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = r.nextInt(K);
        }
        labels[0] = 2; // every class present in image 0
        labels[1] = 1;
    }

    private static double graphLoss(LossSpec spec) {
        float[] oneHot = new float[N * H * W * K];
        for (int i = 0; i < labels.length; i++) {
            oneHot[i * K + labels[i]] = 1f;
        }
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            Operand<TFloat32> l = tf.constant(org.tensorflow.ndarray.Shape.of(N, H, W, K),
                    org.tensorflow.ndarray.buffer.DataBuffers.of(logits, true, false));
            Operand<TFloat32> y = tf.constant(org.tensorflow.ndarray.Shape.of(N, H, W, K),
                    org.tensorflow.ndarray.buffer.DataBuffers.of(oneHot, true, false));
            Operand<TFloat32> loss = LossGraph.build(tf, spec, l, y, K);
            try (Result r = s.runner().fetch(loss).run()) {
                return ((TFloat32) r.get(0)).getFloat();
            }
        }
    }

    private static double[] softmax(int pixel) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < K; c++) {
            max = Math.max(max, logits[pixel * K + c]);
        }
        double sum = 0;
        double[] p = new double[K];
        for (int c = 0; c < K; c++) {
            p[c] = Math.exp(logits[pixel * K + c] - max);
            sum += p[c];
        }
        for (int c = 0; c < K; c++) {
            p[c] /= sum;
        }
        return p;
    }

    @Test
    void crossEntropyIsTheMeanNegativeLogLikelihood() {
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            sum -= Math.log(softmax(i)[labels[i]]);
        }
        assertThat(graphLoss(Losses.crossEntropy())).isCloseTo(sum / labels.length, offset(1e-5));
    }

    @Test
    void weightedCrossEntropyDividesByTheSumOfWeights() {
        double[] w = {0.2, 1.0, 3.0};
        double num = 0;
        double den = 0;
        for (int i = 0; i < labels.length; i++) {
            num -= w[labels[i]] * Math.log(softmax(i)[labels[i]]);
            den += w[labels[i]];
        }
        assertThat(graphLoss(Losses.weightedCrossEntropy(w))).isCloseTo(num / den, offset(1e-5));
    }

    private static double dice(int fromPixel, int toPixel, int c, double smooth) {
        double inter = 0;
        double sum = 0;
        for (int i = fromPixel; i < toPixel; i++) {
            double p = softmax(i)[c];
            double g = labels[i] == c ? 1 : 0;
            inter += p * g;
            sum += p + g;
        }
        return (2 * inter + smooth) / (sum + smooth);
    }

    @Test
    void batchSoftDicePoolsAllImagesPerForegroundClass() {
        double expected = 1 - (dice(0, N * H * W, 1, 1) + dice(0, N * H * W, 2, 1)) / 2;
        assertThat(graphLoss(Losses.softDice())).isCloseTo(expected, offset(1e-5));
    }

    @Test
    void perImageSoftDiceAveragesOverImagesAndForegroundClasses() {
        int per = H * W;
        double sum = 0;
        for (int n = 0; n < N; n++) {
            for (int c = 1; c < K; c++) {
                sum += dice(n * per, (n + 1) * per, c, 1);
            }
        }
        double expected = 1 - sum / (N * (K - 1));
        assertThat(graphLoss(Losses.softDicePerImage())).isCloseTo(expected, offset(1e-5));
        assertThat(expected).isNotCloseTo(1 - (dice(0, N * per, 1, 1) + dice(0, N * per, 2, 1)) / 2, offset(1e-4));
    }

    @Test
    void softDiceWithBackgroundIncludesClassZero() {
        double expected = 1 - (dice(0, N * H * W, 0, 0.5) + dice(0, N * H * W, 1, 0.5)
                + dice(0, N * H * W, 2, 0.5)) / 3;
        assertThat(graphLoss(Losses.softDice(true, 0.5))).isCloseTo(expected, offset(1e-5));
    }

    @Test
    void weightedSumAddsWeightedTerms() {
        double ce = graphLoss(Losses.crossEntropy());
        double d = graphLoss(Losses.softDice());
        assertThat(graphLoss(Losses.sum(0.5, Losses.crossEntropy(), 2.0, Losses.softDice())))
                .isCloseTo(0.5 * ce + 2.0 * d, offset(1e-5));
    }
}

package io.medseg.inference;

import io.medseg.data.Mask;
import java.util.Objects;

/**
 * How sure the network was of each pixel of one prediction, at the image's own size, and one score for the whole
 * image.
 *
 * <ul>
 *   <li><b>Entropy</b>: the predictive entropy of the mean class probabilities (the mean over every pass, see
 *       {@link #passes()}), divided by {@code ln K} for {@code K} classes so that it lies in {@code [0, 1]}: 0 where
 *       one class has probability 1, 1 where all classes are equally likely. With a single pass it is the entropy
 *       of that pass, which is still meaningful: it is high where the network's softmax hesitates.</li>
 *   <li><b>Variance</b>: the variance across the passes of each class probability (population variance, divided
 *       by the number of passes), averaged over the classes; for two classes it is the variance of the foreground
 *       probability, at most 0.25. It measures how much the passes disagree; with one pass it is 0 everywhere.</li>
 * </ul>
 *
 * <p>Pixels the network did not see (outside a centre crop) have entropy and variance 0, as their probabilities are
 * background with certainty.
 *
 * <p>The {@link #score() score} is the summed entropy over the whole image divided by the number of pixels of the
 * predicted foreground (any class other than 0; divided by 1 when there is none): an estimate of the uncertain area
 * relative to the size of the structure. Dice penalises errors relative to the structure's size
 * ({@code 1 - Dice = |A xor B| / (|A| + |B|)}) and the summed entropy stands for the number of pixels the network
 * may have got wrong, so a high score is meant to flag a low Dice; a prediction with no foreground at all but
 * uncertain pixels scores high. The score is 0 only when every pixel is certain.
 */
public final class UncertaintyMap {
    private final int height;
    private final int width;
    private final float[] entropy;
    private final float[] variance;
    private final int passes;
    private final double score;

    /**
     * A map of per-pixel values computed elsewhere (row-major at {@code height x width}, copied), e.g. by another
     * runtime, with its score against {@code mask}.
     *
     * @param passes how many network passes the mean and variance were taken over (at least 1)
     * @param mask the prediction the score refers to, of the same size
     * @throws IllegalArgumentException if a map or the mask does not have the size, or {@code passes < 1}
     */
    public static UncertaintyMap of(int height, int width, float[] entropy, float[] variance, int passes,
            Mask mask) {
        if (mask.height() != height || mask.width() != width) {
            throw new IllegalArgumentException("a " + mask.height() + "x" + mask.width() + " mask for maps of "
                    + height + "x" + width);
        }
        return new UncertaintyMap(height, width, entropy.clone(), variance.clone(), passes, mask);
    }

    /** As {@link #of}, the arrays the map's from now on. */
    UncertaintyMap(int height, int width, float[] entropy, float[] variance, int passes, Mask mask) {
        if (entropy.length != height * width || variance.length != height * width) {
            throw new IllegalArgumentException("maps of " + entropy.length + " and " + variance.length
                    + " values for an image of " + height + "x" + width);
        }
        if (passes < 1) {
            throw new IllegalArgumentException("passes must be at least 1, got " + passes);
        }
        this.height = height;
        this.width = width;
        this.entropy = entropy;
        this.variance = variance;
        this.passes = passes;
        this.score = score(entropy, mask);
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Network passes the maps were taken over: test-time augmentation variants times Monte-Carlo samples. */
    public int passes() {
        return passes;
    }

    /** Normalised predictive entropy at {@code (y, x)}, in {@code [0, 1]}. */
    public float entropy(int y, int x) {
        return entropy[index(y, x)];
    }

    /** Variance across the passes at {@code (y, x)}, averaged over the classes; 0 with one pass. */
    public float variance(int y, int x) {
        return variance[index(y, x)];
    }

    /** A copy of the entropy map, row-major. */
    public float[] entropy() {
        return entropy.clone();
    }

    /** A copy of the variance map, row-major. */
    public float[] variance() {
        return variance.clone();
    }

    /** The per-image score: summed entropy over the predicted foreground's pixel count (see the class comment). */
    public double score() {
        return score;
    }

    /**
     * The score of an entropy map (row-major, the mask's size) against a predicted mask: the summed entropy divided
     * by the number of foreground pixels of {@code mask}, or by 1 when it has none.
     */
    public static double score(float[] entropy, Mask mask) {
        Objects.requireNonNull(entropy, "entropy");
        Objects.requireNonNull(mask, "mask");
        if (entropy.length != mask.height() * mask.width()) {
            throw new IllegalArgumentException("an entropy map of " + entropy.length + " values for a "
                    + mask.height() + "x" + mask.width() + " mask");
        }
        double sum = 0;
        for (float e : entropy) {
            sum += e;
        }
        long foreground = (long) mask.height() * mask.width() - mask.count(0);
        return sum / Math.max(1, foreground);
    }

    /**
     * Normalised entropy of the {@code k} probabilities at {@code probs[at..at + k)}: {@code -sum p ln p / ln k},
     * with {@code 0 ln 0 = 0}; 0 for a single class.
     */
    public static float entropy(float[] probs, int at, int k) {
        if (k < 2) {
            return 0f;
        }
        double h = 0;
        for (int c = 0; c < k; c++) {
            double p = probs[at + c];
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        return (float) Math.max(0, Math.min(1, h / Math.log(k)));
    }

    private int index(int y, int x) {
        Objects.checkIndex(y, height);
        Objects.checkIndex(x, width);
        return y * width + x;
    }
}

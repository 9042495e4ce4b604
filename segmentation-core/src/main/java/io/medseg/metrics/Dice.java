package io.medseg.metrics;

import io.medseg.data.Mask;
import java.util.List;

/**
 * The Dice similarity coefficient {@code 2|A ∩ B| / (|A| + |B|)} between a reference and a predicted mask.
 *
 * <p>Empty-mask rule: when neither mask contains the class, the Dice is 1 (both agree there is nothing); when only
 * one does, it is 0. So a per-image value is always defined, never NaN.
 */
public final class Dice {
    private Dice() {
    }

    /** Dice of one class in one image. */
    public static double of(Mask reference, Mask prediction, int classIndex) {
        long[] c = counts(reference, prediction, classIndex);
        return ratio(c[0], c[1], c[2]);
    }

    /**
     * Mean over the foreground classes {@code 1..numClasses-1} of one image; a class absent from both masks counts
     * as 1 by the empty-mask rule.
     */
    public static double foreground(Mask reference, Mask prediction, int numClasses) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be >= 2: " + numClasses);
        }
        double sum = 0;
        for (int c = 1; c < numClasses; c++) {
            sum += of(reference, prediction, c);
        }
        return sum / (numClasses - 1);
    }

    /**
     * Per-image foreground Dice, their mean, and the global Dice that pools all pixels of all images (so large
     * structures weigh more) for the given class.
     */
    public static DiceSummary summarise(List<Mask> references, List<Mask> predictions, int classIndex) {
        if (references.size() != predictions.size()) {
            throw new IllegalArgumentException("references and predictions differ in count: " + references.size()
                    + " vs " + predictions.size());
        }
        double[] per = new double[references.size()];
        long inter = 0;
        long ref = 0;
        long pred = 0;
        for (int i = 0; i < per.length; i++) {
            long[] c = counts(references.get(i), predictions.get(i), classIndex);
            per[i] = ratio(c[0], c[1], c[2]);
            inter += c[0];
            ref += c[1];
            pred += c[2];
        }
        return new DiceSummary(per, ratio(inter, ref, pred));
    }

    /**
     * The Dice of pooled counts: {@code 2 * intersection / (reference + prediction)}, 1 when both are empty. With
     * {@link #overlap} summed over images it is {@link DiceSummary#global()}, for callers that count image by
     * image in different places (a Spark job's partitions).
     */
    public static double ratio(long inter, long ref, long pred) {
        if (ref + pred == 0) {
            return 1.0;
        }
        return 2.0 * inter / (ref + pred);
    }

    /** {intersection, reference count, prediction count} of class {@code classIndex}. */
    public static long[] overlap(Mask reference, Mask prediction, int classIndex) {
        return counts(reference, prediction, classIndex);
    }

    /** {intersection, reference count, prediction count}. */
    private static long[] counts(Mask reference, Mask prediction, int classIndex) {
        if (reference.height() != prediction.height() || reference.width() != prediction.width()) {
            throw new IllegalArgumentException("mask sizes differ: reference " + reference.height() + "x"
                    + reference.width() + ", prediction " + prediction.height() + "x" + prediction.width());
        }
        long inter = 0;
        long r = 0;
        long p = 0;
        for (int y = 0; y < reference.height(); y++) {
            for (int x = 0; x < reference.width(); x++) {
                boolean a = reference.get(y, x) == classIndex;
                boolean b = prediction.get(y, x) == classIndex;
                if (a) {
                    r++;
                }
                if (b) {
                    p++;
                }
                if (a && b) {
                    inter++;
                }
            }
        }
        return new long[] {inter, r, p};
    }
}

package io.medseg.loss;

import java.util.Arrays;
import java.util.List;

/** Factory methods for {@link LossSpec}s. */
public final class Losses {
    private Losses() {
    }

    public static LossSpec crossEntropy() {
        return new LossSpec.CrossEntropy(List.of());
    }

    public static LossSpec weightedCrossEntropy(double... classWeights) {
        return new LossSpec.CrossEntropy(Arrays.stream(classWeights).boxed().toList());
    }

    /** Soft Dice over the foreground classes, smoothing 1. */
    public static LossSpec softDice() {
        return new LossSpec.SoftDice(false, 1.0);
    }

    public static LossSpec softDice(boolean includeBackground, double smooth) {
        return new LossSpec.SoftDice(includeBackground, smooth);
    }

    /** Foreground soft Dice computed per image and averaged, smoothing 1: small structures count fully. */
    public static LossSpec softDicePerImage() {
        return new LossSpec.SoftDice(false, 1.0, true);
    }

    /** Cross-entropy plus per-image foreground soft Dice, equal weights. */
    public static LossSpec crossEntropyPlusPerImageDice() {
        return sum(1.0, crossEntropy(), 1.0, softDicePerImage());
    }

    /** Cross-entropy plus foreground soft Dice, equal weights: the usual choice against class imbalance. */
    public static LossSpec crossEntropyPlusDice() {
        return sum(1.0, crossEntropy(), 1.0, softDice());
    }

    public static LossSpec sum(double w1, LossSpec l1, double w2, LossSpec l2) {
        return new LossSpec.WeightedSum(List.of(new LossSpec.Term(w1, l1), new LossSpec.Term(w2, l2)));
    }
}

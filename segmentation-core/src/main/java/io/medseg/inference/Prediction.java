package io.medseg.inference;

import io.medseg.data.Mask;

/**
 * A segmentation and the class probabilities it came from ({@code height x width x numClasses}, row-major,
 * class-last).
 */
public final class Prediction {
    private final Mask mask;
    private final int numClasses;
    private final float[] probabilities;

    Prediction(Mask mask, int numClasses, float[] probabilities) {
        this.mask = mask;
        this.numClasses = numClasses;
        this.probabilities = probabilities;
    }

    public Mask mask() {
        return mask;
    }

    public int numClasses() {
        return numClasses;
    }

    public float probability(int y, int x, int classIndex) {
        return probabilities[(y * mask.width() + x) * numClasses + classIndex];
    }

    /** A copy of all probabilities. */
    public float[] probabilities() {
        return probabilities.clone();
    }
}

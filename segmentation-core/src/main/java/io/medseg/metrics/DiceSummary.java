package io.medseg.metrics;

import java.util.Arrays;

/** Per-image Dice values with their mean and the pooled (global) Dice over all pixels. */
public final class DiceSummary {
    private final double[] perImage;
    private final double global;

    DiceSummary(double[] perImage, double global) {
        this.perImage = perImage.clone();
        this.global = global;
    }

    public double[] perImage() {
        return perImage.clone();
    }

    public int count() {
        return perImage.length;
    }

    /** Mean of the per-image values; 0 images give 0. */
    public double mean() {
        return perImage.length == 0 ? 0.0 : Arrays.stream(perImage).average().orElse(0.0);
    }

    public double global() {
        return global;
    }
}

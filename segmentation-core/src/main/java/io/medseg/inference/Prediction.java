package io.medseg.inference;

import io.medseg.data.Mask;
import io.medseg.model.InputFitter;
import java.util.Optional;

/**
 * A segmentation and the class probabilities it came from ({@code height x width x numClasses}, row-major,
 * class-last).
 *
 * <p>The probabilities are read from the network's output for the whole batch the image ran in, mapped to the
 * image on access; a prediction keeps that output alive while it lives. A segmenter asked for uncertainty
 * ({@link Segmenter#withUncertainty()}) adds an {@link UncertaintyMap}.
 */
public final class Prediction {
    private final Mask mask;
    private final int numClasses;
    private final InputFitter fitter;
    private final float[] netProbs;
    private final int netOffset;
    private final UncertaintyMap uncertainty;

    /**
     * {@code netProbs[netOffset..]}: the network's output for this image, mapped back by {@code fitter};
     * {@code uncertainty} null when it was not asked for.
     */
    Prediction(Mask mask, int numClasses, InputFitter fitter, float[] netProbs, int netOffset,
            UncertaintyMap uncertainty) {
        this.mask = mask;
        this.numClasses = numClasses;
        this.fitter = fitter;
        this.netProbs = netProbs;
        this.netOffset = netOffset;
        this.uncertainty = uncertainty;
    }

    public Mask mask() {
        return mask;
    }

    public int numClasses() {
        return numClasses;
    }

    /** Probability of {@code classIndex} at {@code (y, x)}; each index must lie within the image and the classes. */
    public float probability(int y, int x, int classIndex) {
        return fitter.probabilityAt(netProbs, netOffset, mask.height(), mask.width(), y, x, classIndex);
    }

    /**
     * The uncertainty of this prediction, at the image's size; empty unless the segmenter was asked for it
     * ({@link Segmenter#withUncertainty()}).
     */
    public Optional<UncertaintyMap> uncertainty() {
        return Optional.ofNullable(uncertainty);
    }

    /** A copy of all probabilities. */
    public float[] probabilities() {
        return fitter.probabilitiesToImage(netProbs, netOffset, mask.height(), mask.width());
    }
}

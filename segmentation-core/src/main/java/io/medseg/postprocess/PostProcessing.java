package io.medseg.postprocess;

import io.medseg.data.Mask;

/**
 * Clean-up applied to every predicted mask, for every foreground class: optionally keep only the largest connected
 * component (a heart has one left ventricle; stray blobs elsewhere are false positives), then optionally fill holes
 * (the cavity mask is solid; papillary muscles can punch holes in a prediction).
 */
public record PostProcessing(boolean largestComponent, boolean fillHoles) {

    /** Leaves masks as the network predicted them. */
    public static PostProcessing none() {
        return new PostProcessing(false, false);
    }

    /** Largest component, then hole filling. */
    public static PostProcessing largestComponentAndFillHoles() {
        return new PostProcessing(true, true);
    }

    public boolean isNone() {
        return !largestComponent && !fillHoles;
    }

    /** Applies the enabled steps to classes {@code 1..numClasses-1}. */
    public Mask apply(Mask mask, int numClasses) {
        Mask m = mask;
        for (int c = 1; c < numClasses; c++) {
            if (largestComponent) {
                m = MaskOps.largestComponent(m, c);
            }
            if (fillHoles) {
                m = MaskOps.fillHoles(m, c);
            }
        }
        return m;
    }
}

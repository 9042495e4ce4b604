package io.medseg.postprocess;

import io.medseg.data.Mask;
import java.util.Arrays;

/**
 * Clean-up applied to every predicted mask, for every foreground class: optionally keep only the largest connected
 * component (a heart has one left ventricle; stray blobs elsewhere are false positives), then optionally fill holes
 * (the cavity mask is solid; papillary muscles can punch holes in a prediction).
 */
public record PostProcessing(boolean largestComponent, boolean fillHoles) implements java.io.Serializable {

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

    /**
     * Applies the enabled steps to classes {@code 1..numClasses-1}, in turn; returns {@code mask} itself when no
     * step changed anything.
     */
    public Mask apply(Mask mask, int numClasses) {
        if (isNone() || numClasses <= 1) {
            return mask;
        }
        // the steps of all classes work on one copy, so there is at most one new mask (none if nothing changed)
        int h = mask.height();
        int w = mask.width();
        int n = h * w;
        RunLabelling scratch = RunLabelling.get(n);
        byte[] labels = scratch.labels(n);
        mask.copyTo(labels, 0);
        boolean changed = false;
        for (int c = 1; c < numClasses; c++) {
            if (largestComponent) {
                changed |= MaskOps.keepLargest(scratch, labels, h, w, c);
            }
            if (fillHoles) {
                changed |= MaskOps.fill(scratch, labels, h, w, c);
            }
        }
        return changed ? Mask.wrap(h, w, Arrays.copyOf(labels, n)) : mask;
    }
}

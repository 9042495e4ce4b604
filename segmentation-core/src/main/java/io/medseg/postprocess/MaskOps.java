package io.medseg.postprocess;

import io.medseg.data.Mask;
import java.util.Arrays;

/**
 * Morphological clean-up of predicted masks. Connectivity is 4-neighbour for the foreground (a structure must be
 * edge-connected) and therefore 8-neighbour for the background, the usual consistent pairing on a square grid.
 */
public final class MaskOps {
    private MaskOps() {
    }

    /**
     * Keeps only the largest 4-connected component of {@code classIndex} (ties: the one met first in row-major
     * order); other pixels of that class become background. Other classes are untouched. Returns {@code mask}
     * itself when the class has at most one component.
     */
    public static Mask largestComponent(Mask mask, int classIndex) {
        int n = mask.height() * mask.width();
        RunLabelling scratch = RunLabelling.get(n);
        byte[] labels = scratch.labels(n);
        mask.copyTo(labels, 0);
        return keepLargest(scratch, labels, mask.height(), mask.width(), classIndex)
                ? Mask.wrap(mask.height(), mask.width(), Arrays.copyOf(labels, n)) : mask;
    }

    /**
     * Fills holes of {@code classIndex}: background regions (8-connected) that do not touch the image border become
     * {@code classIndex}. Returns {@code mask} itself when there is no hole.
     */
    public static Mask fillHoles(Mask mask, int classIndex) {
        int n = mask.height() * mask.width();
        RunLabelling scratch = RunLabelling.get(n);
        byte[] labels = scratch.labels(n);
        mask.copyTo(labels, 0);
        return fill(scratch, labels, mask.height(), mask.width(), classIndex)
                ? Mask.wrap(mask.height(), mask.width(), Arrays.copyOf(labels, n)) : mask;
    }

    /**
     * {@link #largestComponent} on {@code labels} ({@code h x w}) in place; {@code false} (and {@code labels}
     * untouched) when the class has at most one component.
     */
    static boolean keepLargest(RunLabelling scratch, byte[] labels, int h, int w, int classIndex) {
        if (classIndex < 0 || classIndex > Byte.MAX_VALUE) {
            return false; // no pixel can hold it
        }
        scratch.label(labels, h, w, classIndex, false);
        int best = -1;
        int components = 0;
        for (int r = 0; r < scratch.runs; r++) {
            if (scratch.parent[r] == r) {
                components++;
                // roots come in the order of their components' first pixels: strictly larger keeps the first
                if (best < 0 || scratch.size[r] > scratch.size[best]) {
                    best = r;
                }
            }
        }
        if (components <= 1) {
            return false;
        }
        for (int r = 0; r < scratch.runs; r++) {
            if (scratch.parent[r] != best) {
                int base = scratch.row[r] * w;
                Arrays.fill(labels, base + scratch.start[r], base + scratch.end[r], (byte) 0);
            }
        }
        return true;
    }

    /**
     * {@link #fillHoles} on {@code labels} ({@code h x w}) in place; {@code false} when there was no hole. A label
     * outside 0..127 is written as {@code (byte) classIndex}, which {@link Mask} then refuses.
     */
    static boolean fill(RunLabelling scratch, byte[] labels, int h, int w, int classIndex) {
        scratch.label(labels, h, w, 0, true);
        boolean changed = false;
        for (int r = 0; r < scratch.runs; r++) {
            if (!scratch.border[scratch.parent[r]]) {
                int base = scratch.row[r] * w;
                Arrays.fill(labels, base + scratch.start[r], base + scratch.end[r], (byte) classIndex);
                changed = true;
            }
        }
        return changed;
    }
}

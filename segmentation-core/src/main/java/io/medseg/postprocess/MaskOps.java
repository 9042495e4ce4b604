package io.medseg.postprocess;

import io.medseg.data.Mask;

/**
 * Morphological clean-up of predicted masks. Connectivity is 4-neighbour for the foreground (a structure must be
 * edge-connected) and therefore 8-neighbour for the background, the usual consistent pairing on a square grid.
 */
public final class MaskOps {
    private MaskOps() {
    }

    /**
     * Keeps only the largest 4-connected component of {@code classIndex} (ties: the one met first in row-major
     * order); other pixels of that class become background. Other classes are untouched.
     */
    public static Mask largestComponent(Mask mask, int classIndex) {
        int h = mask.height();
        int w = mask.width();
        byte[] labels = mask.toArray();
        int[] comp = new int[h * w];
        int[] queue = new int[h * w];
        int next = 0;
        int best = 0;
        int bestSize = 0;
        for (int start = 0; start < labels.length; start++) {
            if (labels[start] != classIndex || comp[start] != 0) {
                continue;
            }
            next++;
            int size = flood(labels, comp, queue, start, h, w, classIndex, next, false);
            if (size > bestSize) {
                bestSize = size;
                best = next;
            }
        }
        if (next <= 1) {
            return mask;
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == classIndex && comp[i] != best) {
                labels[i] = 0;
            }
        }
        return Mask.wrap(h, w, labels);
    }

    /**
     * Fills holes of {@code classIndex}: background regions (8-connected) that do not touch the image border become
     * {@code classIndex}.
     */
    public static Mask fillHoles(Mask mask, int classIndex) {
        int h = mask.height();
        int w = mask.width();
        byte[] labels = mask.toArray();
        int[] reached = new int[h * w];
        int[] queue = new int[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (y != 0 && y != h - 1 && x != 0 && x != w - 1) {
                    continue;
                }
                int i = y * w + x;
                if (labels[i] == 0 && reached[i] == 0) {
                    flood(labels, reached, queue, i, h, w, 0, 1, true);
                }
            }
        }
        boolean changed = false;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == 0 && reached[i] == 0) {
                labels[i] = (byte) classIndex;
                changed = true;
            }
        }
        return changed ? Mask.wrap(h, w, labels) : mask;
    }

    /** Breadth-first fill of pixels labelled {@code value} from {@code start}; returns the region size. */
    private static int flood(byte[] labels, int[] mark, int[] queue, int start, int h, int w, int value, int id,
            boolean eight) {
        int head = 0;
        int tail = 0;
        queue[tail++] = start;
        mark[start] = id;
        while (head < tail) {
            int i = queue[head++];
            int y = i / w;
            int x = i % w;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    if ((dx == 0 && dy == 0) || (!eight && dx != 0 && dy != 0)) {
                        continue;
                    }
                    int ny = y + dy;
                    int nx = x + dx;
                    if (ny < 0 || ny >= h || nx < 0 || nx >= w) {
                        continue;
                    }
                    int j = ny * w + nx;
                    if (labels[j] == value && mark[j] == 0) {
                        mark[j] = id;
                        queue[tail++] = j;
                    }
                }
            }
        }
        return tail;
    }
}

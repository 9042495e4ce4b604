package io.medseg.mlops.drift;

import io.medseg.data.Image;
import java.util.Arrays;
import java.util.List;

/**
 * The pooled histogram of signal-region intensities relative to each image's 99th percentile (pixel value over
 * the percentile, for pixels above 10% of it), in bins whose inner edges are the reference's quantiles. The first
 * and last bins are open-ended; bin {@code i} holds the values {@code v} with {@code edges[i-1] < v <= edges[i]}.
 *
 * <p>Reference edges are picked on a grid of 0.001 (relative units) from a fine histogram, so the reference bins
 * hold close to, not exactly, equal shares; counting against the chosen edges is exact. Quantiles that coincide
 * (a heavy tie) give fewer bins.
 */
public final class IntensityHistogram {
    private static final int GRID_PER_UNIT = 1000;
    private static final int GRID_START = (int) Math.round(ImageStatistics.SIGNAL_FRACTION * GRID_PER_UNIT);
    private static final int GRID_CELLS = 8 * GRID_PER_UNIT;

    private final double[] edges;
    private final long[] counts;

    /** A histogram over {@code edges} (strictly increasing, finite) with {@code edges.length + 1} counts. */
    public IntensityHistogram(double[] edges, long[] counts) {
        if (edges == null || counts == null) {
            throw new IllegalArgumentException("histogram edges and counts must not be null");
        }
        for (int i = 0; i < edges.length; i++) {
            if (!Double.isFinite(edges[i]) || (i > 0 && !(edges[i] > edges[i - 1]))) {
                throw new IllegalArgumentException("histogram edges must be finite and strictly increasing: "
                        + Arrays.toString(edges));
            }
        }
        if (counts.length != edges.length + 1) {
            throw new IllegalArgumentException("histogram with " + edges.length + " edges needs "
                    + (edges.length + 1) + " counts, got " + counts.length);
        }
        long total = 0;
        for (long c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("histogram counts must not be negative: " + c);
            }
            total += c;
        }
        if (total == 0) {
            throw new IllegalArgumentException("histogram counts must not all be zero");
        }
        this.edges = edges.clone();
        this.counts = counts.clone();
    }

    /** Reference histogram: edges at the {@code bins}-quantiles of the pooled relative intensities. */
    static IntensityHistogram withQuantileEdges(List<Image> images, double[] scales, int bins) {
        long[] grid = new long[GRID_CELLS + 1];
        long total = 0;
        for (int k = 0; k < images.size(); k++) {
            float[] px = images.get(k).toArray();
            double threshold = ImageStatistics.SIGNAL_FRACTION * scales[k];
            for (float v : px) {
                if (v > threshold) {
                    int cell = (int) Math.ceil(v / scales[k] * GRID_PER_UNIT) - GRID_START - 1;
                    grid[Math.max(0, Math.min(GRID_CELLS, cell))]++;
                    total++;
                }
            }
        }
        double[] chosen = new double[bins - 1];
        int n = 0;
        long cumulative = 0;
        int cell = 0;
        for (int q = 1; q < bins; q++) {
            double target = (double) total * q / bins;
            while (cell < GRID_CELLS && cumulative + grid[cell] < target) {
                cumulative += grid[cell];
                cell++;
            }
            if (cell == GRID_CELLS) {
                break; // the quantile lies in the overflow cell, beyond any edge the grid can place
            }
            double edge = (double) (GRID_START + cell + 1) / GRID_PER_UNIT;
            if (n == 0 || edge > chosen[n - 1]) {
                chosen[n++] = edge;
            }
        }
        double[] edges = Arrays.copyOf(chosen, n);
        return counted(images, scales, edges);
    }

    /** Counts the relative intensities of {@code images} (with their 99th percentiles) into bins at {@code edges}. */
    static IntensityHistogram counted(List<Image> images, double[] scales, double[] edges) {
        long[] counts = new long[edges.length + 1];
        for (int k = 0; k < images.size(); k++) {
            float[] px = images.get(k).toArray();
            double threshold = ImageStatistics.SIGNAL_FRACTION * scales[k];
            for (float v : px) {
                if (v > threshold) {
                    counts[bin(edges, v / scales[k])]++;
                }
            }
        }
        return new IntensityHistogram(edges, counts);
    }

    /** Index of the bin holding {@code value}: the number of edges strictly below it. */
    static int bin(double[] edges, double value) {
        int lo = 0;
        int hi = edges.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (edges[mid] < value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Inner bin edges (a copy). */
    public double[] edges() {
        return edges.clone();
    }

    /** Pixel counts per bin (a copy), {@code edges().length + 1} of them. */
    public long[] counts() {
        return counts.clone();
    }

    /** Number of bins. */
    public int bins() {
        return counts.length;
    }

    /** Total pixel count. */
    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    /** Share of pixels per bin. */
    public double[] proportions() {
        double t = total();
        double[] p = new double[counts.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = counts[i] / t;
        }
        return p;
    }

    /** Whether {@code other} uses exactly the same edges. */
    public boolean sameEdges(IntensityHistogram other) {
        return Arrays.equals(edges, other.edges);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IntensityHistogram h && Arrays.equals(edges, h.edges) && Arrays.equals(counts, h.counts);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(edges) + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "IntensityHistogram[" + bins() + " bins, " + total() + " pixels]";
    }
}

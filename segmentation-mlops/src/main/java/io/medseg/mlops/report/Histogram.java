package io.medseg.mlops.report;

import java.util.Arrays;

/**
 * Counts of values in equal-width bins over {@code [lo, hi]}: bin {@code i} holds {@code lo + i*w <= v < lo + (i+1)*w}
 * with {@code w = (hi - lo) / bins}, the last bin also holding {@code v == hi}. Values that are not finite are left
 * out.
 */
@SuppressWarnings("ArrayRecordComponent") // counts and edges of one chart, never compared
public record Histogram(double lo, double hi, int[] counts) {
    public Histogram {
        counts = counts.clone();
    }

    @Override
    public int[] counts() {
        return counts.clone();
    }

    public int bins() {
        return counts.length;
    }

    public double binWidth() {
        return (hi - lo) / counts.length;
    }

    /**
     * {@code bins} bins over [0, 1] when every value lies there (scores such as Dice), otherwise over the values'
     * range (widened by 1 on each side when all values are equal).
     */
    public static Histogram of(double[] values, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be at least 1: " + bins);
        }
        double[] v = Arrays.stream(values).filter(Double::isFinite).toArray();
        double min = Arrays.stream(v).min().orElse(0);
        double max = Arrays.stream(v).max().orElse(1);
        double lo;
        double hi;
        if (min >= 0 && max <= 1) {
            lo = 0;
            hi = 1;
        } else if (min == max) {
            lo = min - 1;
            hi = max + 1;
        } else {
            lo = min;
            hi = max;
        }
        int[] counts = new int[bins];
        for (double x : v) {
            int i = (int) Math.floor((x - lo) / (hi - lo) * bins);
            counts[Math.max(0, Math.min(bins - 1, i))]++;
        }
        return new Histogram(lo, hi, counts);
    }
}

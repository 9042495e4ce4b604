package io.medseg.metrics;

import java.util.Arrays;
import java.util.Objects;

/**
 * Rank statistics for asking whether a score means something: the exact area under the ROC curve of a score for a
 * binary outcome, and Spearman's rank correlation of two series. Tied values get the average of the ranks they
 * span, so neither depends on the order of the input.
 */
public final class RankStatistics {
    private RankStatistics() {
    }

    /**
     * The 1-based ranks of {@code values} in ascending order, tied values sharing the mean of the ranks they span
     * ({@code -0.0} and {@code 0.0} are tied; e.g. {@code [10, 20, 20, 30]} gives {@code [1, 2.5, 2.5, 4]}).
     *
     * @throws IllegalArgumentException if a value is NaN
     */
    public static double[] averageRanks(double[] values) {
        Objects.requireNonNull(values, "values");
        int n = values.length;
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(values[i])) {
                throw new IllegalArgumentException("value " + i + " is NaN: ranks need numbers");
            }
        }
        int[] order = sortedIndices(values);
        double[] ranks = new double[n];
        int i = 0;
        while (i < n) {
            int j = i + 1;
            while (j < n && values[order[j]] == values[order[i]]) {
                j++;
            }
            // positions i..j-1 hold ties: ranks i+1..j, whose mean is (i + 1 + j) / 2
            double rank = (i + 1 + j) / 2.0;
            for (int t = i; t < j; t++) {
                ranks[order[t]] = rank;
            }
            i = j;
        }
        return ranks;
    }

    /**
     * The area under the ROC curve of {@code scores} for telling the {@code positive} cases from the others: the
     * probability that a random positive scores higher than a random negative, ties counting one half (the
     * Mann-Whitney U statistic over {@code positives x negatives}). 0.5 is chance, 1 a perfect ranking.
     *
     * @throws IllegalArgumentException if the lengths differ, a score is NaN, or there are no positives or no
     *     negatives (the area is then undefined)
     */
    public static double auroc(double[] scores, boolean[] positive) {
        Objects.requireNonNull(scores, "scores");
        Objects.requireNonNull(positive, "positive");
        if (scores.length != positive.length) {
            throw new IllegalArgumentException(scores.length + " scores for " + positive.length + " outcomes");
        }
        long positives = 0;
        for (boolean p : positive) {
            if (p) {
                positives++;
            }
        }
        long negatives = scores.length - positives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException("the area under the ROC curve needs positives and negatives, got "
                    + positives + " positive and " + negatives + " negative cases");
        }
        double[] ranks = averageRanks(scores);
        double rankSum = 0;
        for (int i = 0; i < ranks.length; i++) {
            if (positive[i]) {
                rankSum += ranks[i];
            }
        }
        double u = rankSum - positives * (positives + 1) / 2.0;
        return u / ((double) positives * negatives);
    }

    /**
     * Spearman's rank correlation of {@code a} and {@code b}: the Pearson correlation of their average ranks, in
     * {@code [-1, 1]}.
     *
     * @throws IllegalArgumentException if the lengths differ, there are fewer than 2 pairs, a value is NaN, or
     *     either series is constant (the correlation is then undefined)
     */
    public static double spearman(double[] a, double[] b) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        if (a.length != b.length) {
            throw new IllegalArgumentException("series of " + a.length + " and " + b.length + " values");
        }
        if (a.length < 2) {
            throw new IllegalArgumentException("a rank correlation needs at least 2 pairs, got " + a.length);
        }
        double[] ra = averageRanks(a);
        double[] rb = averageRanks(b);
        double mean = (a.length + 1) / 2.0; // the mean of the ranks 1..n, ties or not
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            double da = ra[i] - mean;
            double db = rb[i] - mean;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        if (saa == 0 || sbb == 0) {
            throw new IllegalArgumentException("a rank correlation is undefined when a series is constant");
        }
        return sab / Math.sqrt(saa * sbb);
    }

    /** The indices of {@code values} in ascending order of value, by a merge sort on primitive indices. */
    private static int[] sortedIndices(double[] values) {
        int n = values.length;
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        int[] tmp = new int[n];
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n - width; lo += 2 * width) {
                int mid = lo + width;
                int hi = Math.min(lo + 2 * width, n);
                int i = lo;
                int j = mid;
                int t = lo;
                while (i < mid && j < hi) {
                    tmp[t++] = Double.compare(values[a[j]], values[a[i]]) < 0 ? a[j++] : a[i++];
                }
                while (i < mid) {
                    tmp[t++] = a[i++];
                }
                while (j < hi) {
                    tmp[t++] = a[j++];
                }
                System.arraycopy(tmp, lo, a, lo, hi - lo);
            }
        }
        return a;
    }
}

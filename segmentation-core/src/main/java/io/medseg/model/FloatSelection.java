package io.medseg.model;

import java.util.Arrays;

/**
 * Order statistics of a float range without sorting it: the values that {@code Arrays.sort(float[])} would put at
 * given positions, found by selection in expected linear time. The order is the sort's: {@link Float#compare},
 * so {@code -0.0 < 0.0} and NaN (every NaN alike) after {@code +Infinity}.
 *
 * <p>The floats are mapped to {@code int} keys with the same order and selected in a per-thread scratch array, so
 * the input is left as it is and nothing of the image's size is allocated per call.
 */
final class FloatSelection {
    /** Scratch arrays up to this many keys stay with their thread; larger ones are dropped after the call. */
    private static final int MAX_KEPT = 1 << 22;
    /** Windows below this size are sorted outright. */
    private static final int SMALL = 24;
    /** Windows at least this large take their pivot from a sample, placed just beyond the wanted rank. */
    private static final int SAMPLED = 2048;
    private static final int SAMPLE = 63;
    /** Sample ranks between the wanted rank and the pivot or cut, so that the rank usually lands on its side. */
    private static final int SAMPLE_MARGIN = 3;
    /** Ranges at least this large first try {@link #selectFromTails}, with a sample of this many values. */
    private static final int FILTERED = 4096;
    private static final int TAIL_SAMPLE = 127;
    private static final int TAIL_MARGIN = 4;

    private static final ThreadLocal<int[]> SCRATCH = ThreadLocal.withInitial(() -> new int[0]);

    private FloatSelection() {
    }

    /**
     * The type-7 percentiles ({@link Normalization#percentileOfSorted}) of {@code values[from..to)} for each of
     * {@code percents} (each within 0..100), exactly as sorting a copy of the range and interpolating would give.
     */
    static float[] percentiles(float[] values, int from, int to, double... percents) {
        int n = to - from;
        if (n <= 0) {
            throw new IllegalArgumentException("percentile of an empty array");
        }
        int[] kept = SCRATCH.get();
        int[] keys = kept.length >= n ? kept : new int[n];
        if (keys != kept && n <= MAX_KEPT) {
            SCRATCH.set(keys);
        }
        int[] ranks = new int[2 * percents.length];
        for (int p = 0; p < percents.length; p++) {
            int i = Normalization.lowerRank(n, percents[p]);
            ranks[2 * p] = i;
            ranks[2 * p + 1] = Math.min(i + 1, n - 1);
        }
        int[] wanted = ranks.clone();
        Arrays.sort(wanted);
        if (n < FILTERED || !selectFromTails(values, from, n, keys, wanted)) {
            for (int i = 0; i < n; i++) {
                keys[i] = key(values[from + i]);
            }
            selectRanks(keys, 0, n, wanted);
        }
        float[] out = new float[percents.length];
        for (int p = 0; p < percents.length; p++) {
            int i = ranks[2 * p];
            out[p] = Normalization.interpolate(value(keys[i]), value(keys[ranks[2 * p + 1]]),
                    Normalization.position(n, percents[p]) - i);
        }
        return out;
    }

    /**
     * Puts each of the ascending {@code wanted} ranks that lie in {@code [lo, hi)} where sorting would, when
     * {@code keys[lo..hi)} holds exactly the keys of those ranks. Each selection leaves nothing smaller after its
     * rank, so the next one only searches after it.
     */
    private static void selectRanks(int[] keys, int lo, int hi, int[] wanted) {
        int start = lo;
        for (int r : wanted) {
            if (r < start || r >= hi) {
                continue; // a repeated rank, already in place, or one outside the window
            }
            if (r == start) {
                moveMinimumTo(keys, start, hi);
            } else {
                select(keys, start, hi - 1, r);
            }
            start = r + 1;
        }
    }

    /**
     * The usual case of percentiles near both ends, in one pass without writing every key: a sample of the values
     * gives a cut at or above the lower wanted ranks and one at or below the upper ones; the keys at or below the
     * first go to the front of {@code keys} (they are exactly the smallest), those at or above the second to the
     * back (exactly the largest), and the ranks are selected there. Returns {@code false}, with {@code keys} of no
     * use, when the sample misjudged and a wanted rank fell between the cuts.
     */
    private static boolean selectFromTails(float[] values, int from, int n, int[] keys, int[] wanted) {
        int lowest = -1; // the highest wanted rank in the lower half, if any
        int highest = n; // the lowest wanted rank in the upper half, if any
        for (int r : wanted) {
            if (r < n / 2) {
                lowest = Math.max(lowest, r);
            } else {
                highest = Math.min(highest, r);
            }
        }
        int[] sample = new int[TAIL_SAMPLE];
        for (int s = 0; s < TAIL_SAMPLE; s++) {
            sample[s] = key(values[from + (int) ((2L * s + 1) * n / (2 * TAIL_SAMPLE))]);
        }
        Arrays.sort(sample);
        boolean low = lowest >= 0;
        boolean high = highest < n;
        int lowAt = Math.min(TAIL_SAMPLE - 1, (int) ((long) lowest * TAIL_SAMPLE / n) + TAIL_MARGIN);
        int highAt = Math.max(0, (int) ((long) highest * TAIL_SAMPLE / n) - TAIL_MARGIN);
        int lowCut = low ? sample[lowAt] : 0;
        int highCut = high ? sample[highAt] : 0;
        if (low && high && lowCut >= highCut) {
            return false; // the tails would overlap: many equal values, or percentiles close together
        }
        int a = 0;
        int b = n;
        for (int i = 0; i < n; i++) {
            int k = key(values[from + i]);
            if (low && k <= lowCut) {
                keys[a++] = k;
            } else if (high && k >= highCut) {
                keys[--b] = k;
            }
        }
        if (lowest >= a || highest < b) {
            return false;
        }
        selectRanks(keys, 0, a, wanted);
        selectRanks(keys, b, n, wanted);
        return true;
    }

    /** An int whose signed order is {@link Float#compare}'s order of {@code v} (all NaNs map to one key). */
    static int key(float v) {
        int bits = Float.floatToIntBits(v);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /** The float of a {@link #key} (NaN comes back as the canonical NaN). */
    static float value(int key) {
        return Float.intBitsToFloat(key ^ ((key >> 31) & 0x7fffffff));
    }

    /** Swaps the smallest of {@code a[from..to)} into {@code a[from]}. */
    private static void moveMinimumTo(int[] a, int from, int to) {
        int best = from;
        for (int i = from + 1; i < to; i++) {
            if (a[i] < a[best]) {
                best = i;
            }
        }
        swap(a, from, best);
    }

    /**
     * Rearranges {@code a[lo..hi]} so that {@code a[k]} holds what sorting would put there, everything before it is
     * no larger and everything after it no smaller. Falls back to sorting the window if the pivots keep being poor,
     * so the worst case stays {@code O(n log n)}.
     */
    static void select(int[] a, int lo, int hi, int k) {
        int budget = 3 * (32 - Integer.numberOfLeadingZeros(hi - lo + 1)) + 8;
        while (hi > lo) {
            if (hi - lo < SMALL || --budget < 0) {
                Arrays.sort(a, lo, hi + 1);
                return;
            }
            int pivot = hi - lo + 1 >= SAMPLED ? sampledPivot(a, lo, hi, k) : medianOfThree(a, lo, hi);
            // three-way partition: a[lo..lt) < pivot, a[lt..gt] == pivot, a(gt..hi] > pivot
            int lt = lo;
            int gt = hi;
            int i = lo;
            while (i <= gt) {
                int v = a[i];
                if (v < pivot) {
                    a[i++] = a[lt];
                    a[lt++] = v;
                } else if (v > pivot) {
                    a[i] = a[gt];
                    a[gt--] = v;
                } else {
                    i++;
                }
            }
            if (k < lt) {
                hi = lt - 1;
            } else if (k > gt) {
                lo = gt + 1;
            } else {
                return;
            }
        }
    }

    private static int medianOfThree(int[] a, int lo, int hi) {
        int x = a[lo];
        int y = a[(lo + hi) >>> 1];
        int z = a[hi];
        return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    }

    /**
     * A pivot from an evenly spread sample of the window, a few sample ranks past {@code k} on the side of the
     * window's nearer end, so that the partition usually leaves {@code k} in a part not much larger than the
     * distance from that end.
     */
    private static int sampledPivot(int[] a, int lo, int hi, int k) {
        int[] sample = new int[SAMPLE];
        long size = (long) hi - lo + 1;
        for (int s = 0; s < SAMPLE; s++) {
            sample[s] = a[lo + (int) ((2 * s + 1) * size / (2 * SAMPLE))];
        }
        Arrays.sort(sample);
        int at = (int) ((long) (k - lo) * SAMPLE / size);
        boolean lower = k - lo < hi - k;
        int pick = lower ? Math.min(SAMPLE - 1, at + SAMPLE_MARGIN) : Math.max(0, at - SAMPLE_MARGIN);
        return sample[pick];
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

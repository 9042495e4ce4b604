package io.medseg.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The normalisations against the sort-based definitions they replace, bit for bit: the percentile one finds its
 * order statistics by selection, which must give exactly what sorting a copy gives, for every input.
 */
class NormalizationEquivalenceTest {

    /** The percentile normalisation as defined by sorting a copy of the pixels. */
    private static void percentileBySorting(float[] pixels, double low, double high) {
        float[] sorted = pixels.clone();
        Arrays.sort(sorted);
        float lo = percentileOfSortedReference(sorted, low);
        float hi = percentileOfSortedReference(sorted, high);
        float range = hi - lo;
        if (!(range > 1e-12f)) {
            Arrays.fill(pixels, 0f);
            return;
        }
        for (int i = 0; i < pixels.length; i++) {
            float v = (pixels[i] - lo) / range;
            pixels[i] = v < 0f ? 0f : (v > 1f ? 1f : v);
        }
    }

    private static float percentileOfSortedReference(float[] sorted, double percent) {
        double pos = percent / 100.0 * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(i + 1, sorted.length - 1);
        double f = pos - i;
        return (float) (sorted[i] + f * (sorted[j] - sorted[i]));
    }

    /** The z-score normalisation as it was defined on a whole array. */
    private static void zScoreReference(float[] pixels) {
        double sum = 0;
        for (float p : pixels) {
            sum += p;
        }
        double mean = sum / pixels.length;
        double sq = 0;
        for (float p : pixels) {
            sq += (p - mean) * (p - mean);
        }
        double sd = Math.sqrt(sq / pixels.length);
        float scale = sd > 1e-12 ? (float) (1.0 / sd) : 0f;
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) ((pixels[i] - mean) * scale);
        }
    }

    private static final float[] SPECIAL = {0f, -0f, Float.NaN, Float.intBitsToFloat(0x7fc00001),
        Float.intBitsToFloat(0xffc00000), Float.intBitsToFloat(0x7f800001), Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE,
        Float.MIN_NORMAL, 1f, -1f, 1e-13f};

    /** Inputs of many sizes and kinds: noise, heavy duplicates, signed zeros, NaNs, infinities, ordered runs. */
    private static List<float[]> inputs(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<float[]> out = new ArrayList<>();
        int[] sizes = {1, 2, 3, 4, 5, 7, 10, 23, 24, 25, 31, 64, 100, 101, 257, 1000, 2047, 2048, 2049, 5000,
            16384, 65536};
        for (int n : sizes) {
            for (int kind = 0; kind < 12; kind++) {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = switch (kind) {
                        case 0 -> (float) r.nextDouble(0, 2000);
                        case 1 -> r.nextInt(5); // few distinct values
                        case 2 -> r.nextBoolean() ? 0f : -0f;
                        case 3 -> SPECIAL[r.nextInt(SPECIAL.length)];
                        case 4 -> r.nextInt(50) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)]
                                : (float) r.nextGaussian() * 100;
                        case 5 -> i; // ascending
                        case 6 -> n - i; // descending
                        case 7 -> Math.min(i, n - i); // organ pipe
                        case 8 -> i % 17; // saw tooth
                        case 9 -> 7f; // constant
                        case 10 -> Float.intBitsToFloat(r.nextInt()); // any bit pattern
                        // mostly background, of either sign
                        default -> r.nextInt(100) < 80 ? (r.nextBoolean() ? 0f : -0f) : (float) r.nextDouble(0, 1);
                    };
                }
                out.add(a);
            }
        }
        return out;
    }

    private static final double[][] PERCENTILES = {{1, 99}, {0, 100}, {0, 1e-9}, {99.9, 100}, {2.5, 97.5},
        {50, 50.000001}, {0, 50}, {33.3, 66.7}, {10, 90}};

    @Test
    void percentileMatchesSortingBitForBit() {
        int checked = 0;
        SplittableRandom r = new SplittableRandom(3);
        for (float[] input : inputs(11)) {
            List<double[]> pairs = new ArrayList<>(Arrays.asList(PERCENTILES));
            double a = r.nextDouble(0, 100);
            double b = r.nextDouble(0, 100);
            if (a != b) {
                pairs.add(new double[] {Math.min(a, b), Math.max(a, b)});
            }
            for (double[] p : pairs) {
                float[] expected = input.clone();
                percentileBySorting(expected, p[0], p[1]);
                float[] actual = input.clone();
                Normalization.percentile(p[0], p[1]).applyInPlace(actual);
                assertBitsEqual(actual, expected, "n=" + input.length + " percentiles " + Arrays.toString(p));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(2000);
    }

    @Test
    void percentileOfARangeNormalisesOnlyThatRange() {
        SplittableRandom r = new SplittableRandom(5);
        for (int t = 0; t < 200; t++) {
            int n = 1 + r.nextInt(3000);
            float[] a = new float[n + 40];
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextInt(10) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) r.nextDouble(-5, 5);
            }
            int from = r.nextInt(40);
            float[] expectedRange = Arrays.copyOfRange(a, from, from + n);
            percentileBySorting(expectedRange, 1, 99);
            float[] expected = a.clone();
            System.arraycopy(expectedRange, 0, expected, from, n);
            float[] actual = a.clone();
            Normalization.percentile(1, 99).applyInPlace(actual, from, from + n);
            assertBitsEqual(actual, expected, "range " + from + ".." + (from + n));
        }
    }

    @Test
    void zScoreMatchesItsDefinitionOnWholeArraysAndRanges() {
        SplittableRandom r = new SplittableRandom(9);
        for (float[] input : inputs(13)) {
            float[] expected = input.clone();
            zScoreReference(expected);
            float[] actual = input.clone();
            Normalization.zScore().applyInPlace(actual);
            assertBitsEqual(actual, expected, "z-score n=" + input.length);

            int from = r.nextInt(input.length);
            int to = from + r.nextInt(input.length - from + 1);
            float[] range = Arrays.copyOfRange(input, from, to);
            zScoreReference(range);
            float[] whole = input.clone();
            System.arraycopy(range, 0, whole, from, to - from);
            float[] inPlace = input.clone();
            Normalization.zScore().applyInPlace(inPlace, from, to);
            assertBitsEqual(inPlace, whole, "z-score range " + from + ".." + to);
        }
    }

    @Test
    void percentileOfAnEmptyRangeIsRejectedAndBadRangesToo() {
        assertThatThrownBy(() -> Normalization.percentile(1, 99).applyInPlace(new float[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> Normalization.percentile(1, 99).applyInPlace(new float[4], 3, 2))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Normalization.zScore().applyInPlace(new float[4], 0, 5))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Normalization.none().applyInPlace(new float[4], -1, 2))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void floatKeysOrderLikeFloatCompare() {
        SplittableRandom r = new SplittableRandom(17);
        for (int t = 0; t < 100_000; t++) {
            float a = t < 5000 ? SPECIAL[r.nextInt(SPECIAL.length)] : Float.intBitsToFloat(r.nextInt());
            float b = t % 3 == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : Float.intBitsToFloat(r.nextInt());
            assertThat(Integer.signum(Integer.compare(FloatSelection.key(a), FloatSelection.key(b))))
                    .as("%s vs %s", a, b).isEqualTo(Integer.signum(Float.compare(a, b)));
            assertThat(Float.compare(FloatSelection.value(FloatSelection.key(a)), a)).isZero();
        }
    }

    @Test
    void selectionPutsEveryRankWhereSortingDoesEvenOnHostileOrders() {
        SplittableRandom r = new SplittableRandom(23);
        for (int t = 0; t < 300; t++) {
            int n = 1 + r.nextInt(t < 250 ? 300 : 20_000);
            int[] a = new int[n];
            int kind = t % 6;
            for (int i = 0; i < n; i++) {
                a[i] = switch (kind) {
                    case 0 -> r.nextInt();
                    case 1 -> r.nextInt(3);
                    case 2 -> i;
                    case 3 -> -i;
                    case 4 -> (i % 2 == 0) ? i : n - i; // interleaved
                    default -> i % 2 == 0 ? 0 : Integer.MAX_VALUE;
                };
            }
            int[] sorted = a.clone();
            Arrays.sort(sorted);
            int k = r.nextInt(n);
            int[] b = a.clone();
            FloatSelection.select(b, 0, n - 1, k);
            assertThat(b[k]).as("rank %d of %d, kind %d", k, n, kind).isEqualTo(sorted[k]);
            for (int i = 0; i < n; i++) {
                if (i < k) {
                    assertThat(b[i]).isLessThanOrEqualTo(b[k]);
                } else if (i > k) {
                    assertThat(b[i]).isGreaterThanOrEqualTo(b[k]);
                }
            }
            int[] c = b.clone();
            Arrays.sort(c);
            assertThat(c).as("a permutation").isEqualTo(sorted);
        }
    }

    /**
     * Equal bits, -0.0 and 0.0 told apart; NaNs only need to be NaN on both sides, since Java does not fix which
     * NaN an operation on NaNs gives (compiled and interpreted code may differ).
     */
    private static void assertBitsEqual(float[] actual, float[] expected, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            if (Float.floatToIntBits(actual[i]) != Float.floatToIntBits(expected[i])) {
                throw new AssertionError(what + ": pixel " + i + " is " + actual[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(actual[i])) + "), expected " + expected[i]
                        + " (0x" + Integer.toHexString(Float.floatToRawIntBits(expected[i])) + ")");
            }
        }
    }
}

package io.medseg.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class NormalizationTest {

    /** 0, 1, ..., 100 in a shuffled order, so that the normalisation cannot rely on sorted input. */
    private static float[] zeroToHundredShuffled() {
        float[] a = new float[101];
        for (int i = 0; i < a.length; i++) {
            a[i] = (i * 37) % 101; // 37 is coprime with 101: a permutation of 0..100
        }
        return a;
    }

    @Test
    void percentileMapsLowAndHighPercentilesToZeroAndOneAndClips() {
        float[] px = zeroToHundredShuffled();
        float[] original = px.clone();
        Normalization.percentile(10, 90).applyInPlace(px);
        // on 0..100 the 10th percentile is 10 and the 90th is 90: v -> (v - 10) / 80, clipped to [0, 1]
        for (int i = 0; i < px.length; i++) {
            double v = original[i];
            double expected = Math.max(0, Math.min(1, (v - 10) / 80));
            assertThat((double) px[i]).as("pixel of value %s", v).isCloseTo(expected, within(1e-6));
        }
        int i50 = indexOf(original, 50);
        int i30 = indexOf(original, 30);
        int i5 = indexOf(original, 5);
        int i95 = indexOf(original, 95);
        assertThat(px[i50]).isCloseTo(0.5f, within(1e-6f));
        assertThat(px[i30]).isCloseTo(0.25f, within(1e-6f));
        assertThat(px[i5]).isEqualTo(0f);
        assertThat(px[i95]).isEqualTo(1f);
    }

    private static int indexOf(float[] a, float v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        throw new AssertionError(v + " not found");
    }

    @Test
    void percentileOfConstantImageGivesZerosNotNaN() {
        float[] px = {7f, 7f, 7f, 7f};
        Normalization.percentile(1, 99).applyInPlace(px);
        assertThat(px).containsOnly(0f);
    }

    @Test
    void zScoreGivesMeanZeroAndUnitStandardDeviation() {
        float[] px = {2, 4, 4, 4, 5, 5, 7, 9}; // mean 5, population sd 2
        Normalization.zScore().applyInPlace(px);
        assertThat(px).containsExactly(new float[] {-1.5f, -0.5f, -0.5f, -0.5f, 0f, 0f, 1f, 2f}, within(1e-6f));
        double mean = 0;
        for (float p : px) {
            mean += p;
        }
        mean /= px.length;
        double var = 0;
        for (float p : px) {
            var += (p - mean) * (p - mean);
        }
        assertThat(mean).isCloseTo(0, within(1e-6));
        assertThat(Math.sqrt(var / px.length)).isCloseTo(1, within(1e-6));
    }

    @Test
    void zScoreOfConstantImageGivesZeros() {
        float[] px = {3f, 3f, 3f};
        Normalization.zScore().applyInPlace(px);
        assertThat(px).containsOnly(0f);
    }

    @Test
    void noneLeavesPixelsUnchanged() {
        float[] px = {-3f, 0.5f, 1000f};
        Normalization.none().applyInPlace(px);
        assertThat(px).containsExactly(-3f, 0.5f, 1000f);
    }

    @Test
    void percentileOfSortedInterpolatesBetweenClosestRanks() {
        float[] sorted = {10, 20, 30, 40, 50};
        assertThat(Normalization.percentileOfSorted(sorted, 0)).isEqualTo(10f);
        assertThat(Normalization.percentileOfSorted(sorted, 100)).isEqualTo(50f);
        assertThat(Normalization.percentileOfSorted(sorted, 50)).isEqualTo(30f);
        // position 0.25 * 4 = 1 -> 20; position 0.1 * 4 = 0.4 -> 10 + 0.4 * 10 = 14
        assertThat(Normalization.percentileOfSorted(sorted, 25)).isEqualTo(20f);
        assertThat(Normalization.percentileOfSorted(sorted, 10)).isCloseTo(14f, within(1e-5f));
        // position 0.9 * 4 = 3.6 -> 40 + 0.6 * 10 = 46
        assertThat(Normalization.percentileOfSorted(sorted, 90)).isCloseTo(46f, within(1e-5f));
        assertThat(Normalization.percentileOfSorted(new float[] {4}, 37)).isEqualTo(4f);
    }

    @Test
    void percentileOfEmptyArrayIsRejected() {
        assertThatThrownBy(() -> Normalization.percentileOfSorted(new float[0], 50))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void invalidPercentilesAreRejected() {
        assertThatThrownBy(() -> Normalization.percentile(-1, 99)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1.0, 99.0");
        assertThatThrownBy(() -> Normalization.percentile(50, 50)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Normalization.percentile(90, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Normalization.percentile(1, 101)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Normalization.percentile(Double.NaN, 99))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Normalization.percentile(0, 100)).isEqualTo(new Normalization.Percentile(0, 100));
    }
}

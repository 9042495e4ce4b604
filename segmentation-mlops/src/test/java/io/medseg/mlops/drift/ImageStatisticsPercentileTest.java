package io.medseg.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ImageStatisticsPercentileTest {

    /** The definition: sort a copy, interpolate between the order statistics around 99 % of the way. */
    private static double bySorting(float[] pixels) {
        float[] sorted = pixels.clone();
        Arrays.sort(sorted);
        double pos = 0.99 * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * ((double) sorted[hi] - sorted[lo]);
    }

    private static void same(float[] pixels, String what) {
        float[] before = pixels.clone();
        double got = ImageStatistics.percentile99(pixels);
        assertThat(Double.doubleToRawLongBits(got)).as(what + ": %s vs %s", got, bySorting(pixels))
                .isEqualTo(Double.doubleToRawLongBits(bySorting(pixels)));
        assertThat(pixels).as(what + ": the input is left as it was").isEqualTo(before);
    }

    @Test
    void equalsSortingBitForBitOnRandomImagesOfEverySizeAndShape() {
        SplittableRandom r = new SplittableRandom(5);
        int[] sizes = {1, 2, 3, 9, 10, 99, 100, 101, 199, 200, 201, 1000, 4096, 65536, 65537};
        for (int n : sizes) {
            for (int trial = 0; trial < 5; trial++) {
                float[] continuous = new float[n];
                float[] ties = new float[n];
                float[] signed = new float[n];
                for (int i = 0; i < n; i++) {
                    continuous[i] = (float) (r.nextDouble() * 4000);
                    ties[i] = r.nextInt(6) * 100f;
                    signed[i] = r.nextBoolean() ? -0.0f : (float) r.nextGaussian();
                }
                same(continuous, n + " continuous");
                same(ties, n + " ties");
                same(signed, n + " signed, -0.0 and 0.0");
            }
        }
    }

    @Test
    void equalsSortingOnOrderedAndConstantImages() {
        float[] up = new float[256 * 256];
        float[] down = new float[up.length];
        float[] constant = new float[up.length];
        for (int i = 0; i < up.length; i++) {
            up[i] = i;
            down[i] = up.length - i;
            constant[i] = 7f;
        }
        same(up, "ascending");
        same(down, "descending");
        same(constant, "constant");
        assertThat(ImageStatistics.percentile99(up)).isEqualTo(0.99 * (up.length - 1));
    }
}

package io.medseg.tf.tensorboard;

import java.util.Arrays;
import org.tensorflow.proto.HistogramProto;

/**
 * TensorBoard's default histogram: bucket limits growing by 10% from 1e-12 to 1e20 on either side of 0, closed by
 * {@code -Double.MAX_VALUE} and {@code Double.MAX_VALUE}, the layout TensorFlow's own histogram summaries use. A
 * value goes to the first bucket whose limit is greater than it, so bucket {@code i} counts
 * {@code [limit[i - 1], limit[i])}. Runs of empty buckets are merged into their last limit, as TensorFlow does, so
 * a histogram of a few values stays small.
 */
final class HistogramBuckets {
    /** All limits, ascending. */
    static final double[] LIMITS = limits();

    private HistogramBuckets() {
    }

    private static double[] limits() {
        int n = 0;
        for (double v = 1e-12; v < 1e20; v *= 1.1) {
            n++;
        }
        // negatives (and -MAX), 0, positives (and +MAX)
        double[] out = new double[2 * (n + 1) + 1];
        out[0] = -Double.MAX_VALUE;
        out[out.length - 1] = Double.MAX_VALUE;
        out[n + 1] = 0;
        int i = 0;
        for (double v = 1e-12; v < 1e20; v *= 1.1, i++) {
            out[n - i] = -v;
            out[n + 2 + i] = v;
        }
        return out;
    }

    /** The histogram of {@code values}, which must be finite and at least one. */
    static HistogramProto of(float[] values) {
        double[] counts = new double[LIMITS.length];
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        double sumSquares = 0;
        for (float f : values) {
            double v = f;
            // comparisons rather than Math.min/max, so that a signed zero comes out as TensorFlow's does
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
            sum += v;
            sumSquares += v * v;
            counts[bucketOf(v)]++;
        }
        HistogramProto.Builder h = HistogramProto.newBuilder().setMin(min).setMax(max).setNum(values.length)
                .setSum(sum).setSumSquares(sumSquares);
        for (int i = 0; i < counts.length;) {
            double limit = LIMITS[i];
            double count = counts[i];
            i++;
            if (count == 0) {
                while (i < counts.length && counts[i] == 0) {
                    limit = LIMITS[i];
                    i++;
                }
            }
            h.addBucketLimit(limit).addBucket(count);
        }
        return h.build();
    }

    /** Index of the first limit greater than {@code v} (the last bucket for {@code v >= Double.MAX_VALUE}). */
    static int bucketOf(double v) {
        // -0.0 counts as 0 (binarySearch would order it below 0.0)
        int i = Arrays.binarySearch(LIMITS, v == 0 ? 0.0 : v);
        // an exact hit on limit i belongs to bucket i + 1; otherwise the insertion point is the first greater limit
        int b = i >= 0 ? i + 1 : -i - 1;
        return Math.min(b, LIMITS.length - 1);
    }
}

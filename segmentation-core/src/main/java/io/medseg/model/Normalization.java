package io.medseg.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Arrays;
import java.util.Objects;

/**
 * Per-image intensity normalisation, recorded in the model spec so that inference applies exactly what training
 * applied. Works on all pixels of one image at once, so it is independent of the scanner's intensity scale.
 *
 * <p>In JSON it is an object with a {@code "type"} of {@code "percentile"} (with {@code "low"} and {@code "high"}),
 * {@code "zscore"} or {@code "none"}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = Normalization.Percentile.class, name = "percentile"),
        @JsonSubTypes.Type(value = Normalization.ZScore.class, name = "zscore"),
        @JsonSubTypes.Type(value = Normalization.None.class, name = "none")})
public sealed interface Normalization {

    /** Normalises {@code pixels} in place. */
    default void applyInPlace(float[] pixels) {
        applyInPlace(pixels, 0, pixels.length);
    }

    /**
     * Normalises {@code pixels[from..to)} in place, as {@link #applyInPlace(float[])} would normalise an array of
     * just those pixels; the rest of the array is not read or written.
     */
    void applyInPlace(float[] pixels, int from, int to);

    /** Maps the {@code low}..{@code high} percentiles to 0..1 and clips to that range. */
    record Percentile(double low, double high) implements Normalization {
        public Percentile {
            if (!(low >= 0 && low < high && high <= 100)) {
                throw new IllegalArgumentException("percentiles must satisfy 0 <= low < high <= 100: " + low
                        + ", " + high);
            }
        }

        /**
         * {@inheritDoc} The percentiles are found by selection rather than by sorting, with the same result as
         * {@link Normalization#percentileOfSorted} on a sorted copy, bit for bit.
         */
        @Override
        public void applyInPlace(float[] pixels, int from, int to) {
            Objects.checkFromToIndex(from, to, pixels.length);
            float[] bounds = FloatSelection.percentiles(pixels, from, to, low, high);
            float lo = bounds[0];
            float hi = bounds[1];
            float range = hi - lo;
            if (!(range > 1e-12f)) {
                Arrays.fill(pixels, from, to, 0f);
                return;
            }
            for (int i = from; i < to; i++) {
                float v = (pixels[i] - lo) / range;
                pixels[i] = v < 0f ? 0f : (v > 1f ? 1f : v);
            }
        }
    }

    /** Subtracts the mean and divides by the standard deviation of the image. */
    record ZScore() implements Normalization {
        @Override
        public void applyInPlace(float[] pixels, int from, int to) {
            Objects.checkFromToIndex(from, to, pixels.length);
            int n = to - from;
            double sum = 0;
            for (int i = from; i < to; i++) {
                sum += pixels[i];
            }
            double mean = sum / n;
            double sq = 0;
            for (int i = from; i < to; i++) {
                float p = pixels[i];
                sq += (p - mean) * (p - mean);
            }
            double sd = Math.sqrt(sq / n);
            float scale = sd > 1e-12 ? (float) (1.0 / sd) : 0f;
            for (int i = from; i < to; i++) {
                pixels[i] = (float) ((pixels[i] - mean) * scale);
            }
        }
    }

    /** Leaves pixels as they are. */
    record None() implements Normalization {
        @Override
        public void applyInPlace(float[] pixels, int from, int to) {
            // intentionally nothing: the caller already scaled the data
            Objects.checkFromToIndex(from, to, pixels.length);
        }
    }

    static Normalization percentile(double low, double high) {
        return new Percentile(low, high);
    }

    static Normalization zScore() {
        return new ZScore();
    }

    static Normalization none() {
        return new None();
    }

    /** Linear interpolation between closest ranks (the common "type 7" definition). */
    static float percentileOfSorted(float[] sorted, double percent) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("percentile of an empty array");
        }
        int i = lowerRank(sorted.length, percent);
        int j = Math.min(i + 1, sorted.length - 1);
        return interpolate(sorted[i], sorted[j], position(sorted.length, percent) - i);
    }

    /** Fractional position of the {@code percent} percentile among {@code n} sorted values (0 to n - 1). */
    static double position(int n, double percent) {
        return percent / 100.0 * (n - 1);
    }

    /** The sorted position at or below the {@code percent} percentile; the one above it is this plus one, capped. */
    static int lowerRank(int n, double percent) {
        return (int) Math.floor(position(n, percent));
    }

    /** {@code a + f * (b - a)}, the difference taken in float as the percentile definition has it. */
    static float interpolate(float a, float b, double f) {
        return (float) (a + f * (b - a));
    }
}

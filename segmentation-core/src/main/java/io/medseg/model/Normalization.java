package io.medseg.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Arrays;

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
    void applyInPlace(float[] pixels);

    /** Maps the {@code low}..{@code high} percentiles to 0..1 and clips to that range. */
    record Percentile(double low, double high) implements Normalization {
        public Percentile {
            if (!(low >= 0 && low < high && high <= 100)) {
                throw new IllegalArgumentException("percentiles must satisfy 0 <= low < high <= 100: " + low
                        + ", " + high);
            }
        }

        @Override
        public void applyInPlace(float[] pixels) {
            float[] sorted = pixels.clone();
            Arrays.sort(sorted);
            float lo = percentileOfSorted(sorted, low);
            float hi = percentileOfSorted(sorted, high);
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
    }

    /** Subtracts the mean and divides by the standard deviation of the image. */
    record ZScore() implements Normalization {
        @Override
        public void applyInPlace(float[] pixels) {
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
    }

    /** Leaves pixels as they are. */
    record None() implements Normalization {
        @Override
        public void applyInPlace(float[] pixels) {
            // intentionally nothing: the caller already scaled the data
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
        double pos = percent / 100.0 * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(i + 1, sorted.length - 1);
        double f = pos - i;
        return (float) (sorted[i] + f * (sorted[j] - sorted[i]));
    }
}

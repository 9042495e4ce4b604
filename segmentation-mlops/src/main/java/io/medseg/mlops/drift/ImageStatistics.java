package io.medseg.mlops.drift;

import io.medseg.data.Image;
import java.util.Arrays;

/** Per-image intensity statistics behind the profile's features. */
final class ImageStatistics {
    /** Pixels brighter than this fraction of the 99th percentile form the signal region. */
    static final double SIGNAL_FRACTION = 0.10;

    private ImageStatistics() {
    }

    /** The intensity features of one image. */
    record Values(double scale, double relativeMean, double relativeSpread, double noiseLevel) {
    }

    /** Features of image number {@code index} (the index only names the image in errors). */
    static Values of(Image image, int index) {
        return of(image, "image " + index);
    }

    /** Features of {@code image}, called {@code name} in errors (e.g. "image 3", "the image"). */
    static Values of(Image image, String name) {
        float[] px = checkedPixels(image, name);
        double scale = percentile99(px);
        if (!(scale > 0)) {
            throw new IllegalArgumentException(name + " has no signal: its 99th percentile is " + scale
                    + " (drift features are relative to it)");
        }
        double threshold = SIGNAL_FRACTION * scale;
        double sum = 0;
        long n = 0;
        for (float v : px) {
            if (v > threshold) {
                sum += v;
                n++;
            }
        }
        double mean = sum / n;
        double ss = 0;
        for (float v : px) {
            if (v > threshold) {
                ss += (v - mean) * (v - mean);
            }
        }
        double spread = Math.sqrt(ss / n);
        double sigma = immerkaerSigma(px, image.height(), image.width());
        return new Values(scale, mean / scale, spread / scale, sigma / scale);
    }

    /** The pixels of a single-channel image of at least 3x3 with finite values, or an exception naming it. */
    static float[] checkedPixels(Image image, String name) {
        if (image == null) {
            throw new IllegalArgumentException(name + " is null");
        }
        if (image.channels() != 1) {
            throw new IllegalArgumentException("drift features need single-channel images: " + name + " is "
                    + image.shapeString());
        }
        if (image.height() < 3 || image.width() < 3) {
            throw new IllegalArgumentException("drift features need images of at least 3x3: " + name
                    + " is " + image.shapeString());
        }
        float[] px = image.toArray();
        for (float v : px) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(name + " has a non-finite pixel: " + v);
            }
        }
        return px;
    }

    /** The 99th percentile, linear interpolation between order statistics (R's type 7). */
    static double percentile99(float[] pixels) {
        float[] sorted = pixels.clone();
        Arrays.sort(sorted);
        double pos = 0.99 * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * ((double) sorted[hi] - sorted[lo]);
    }

    /**
     * Immerkær's noise standard deviation, {@code sqrt(π/2) / 6 * mean |I * N|} with
     * {@code N = [1 -2 1; -2 4 -2; 1 -2 1]}, the mean taken over interior pixels whose 3x3 neighbourhood is not
     * constant (zero-filled padding carries no noise to measure); 0 when there is none.
     */
    static double immerkaerSigma(float[] px, int height, int width) {
        double sum = 0;
        long n = 0;
        for (int y = 1; y < height - 1; y++) {
            for (int x = 1; x < width - 1; x++) {
                int c = y * width + x;
                float a = px[c - width - 1];
                float b = px[c - width];
                float d = px[c - width + 1];
                float e = px[c - 1];
                float f = px[c];
                float g = px[c + 1];
                float h = px[c + width - 1];
                float i = px[c + width];
                float j = px[c + width + 1];
                if (a == f && b == f && d == f && e == f && g == f && h == f && i == f && j == f) {
                    continue;
                }
                double lap = (double) a - 2.0 * b + d - 2.0 * e + 4.0 * f - 2.0 * g + h - 2.0 * i + j;
                sum += Math.abs(lap);
                n++;
            }
        }
        return n == 0 ? 0 : Math.sqrt(Math.PI / 2) / 6 * (sum / n);
    }
}

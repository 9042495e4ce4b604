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

    /**
     * The 99th percentile, linear interpolation between order statistics (R's type 7): exactly what sorting a copy
     * ({@link Arrays#sort(float[])}) and interpolating gives, found without sorting. The two order statistics lie
     * in the top 1 %, so a min-heap of the {@code n - lo} largest values holds them, and almost every pixel costs
     * one comparison with the heap's smallest (the live drift check does this for every request served).
     */
    static double percentile99(float[] pixels) {
        int n = pixels.length;
        double pos = 0.99 * (n - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, n - 1);
        // the values at sorted positions lo..n-1, smallest first at the root
        int m = n - lo;
        float[] heap = Arrays.copyOf(pixels, m);
        for (int i = m / 2 - 1; i >= 0; i--) {
            siftDown(heap, i, m);
        }
        for (int i = m; i < n; i++) {
            if (Float.compare(pixels[i], heap[0]) > 0) {
                heap[0] = pixels[i];
                siftDown(heap, 0, m);
            }
        }
        float atLo = heap[0];
        float atHi = atLo;
        if (hi > lo) {
            // the next larger value: the smaller child of the root
            atHi = m > 2 && Float.compare(heap[2], heap[1]) < 0 ? heap[2] : heap[1];
        }
        return atLo + (pos - lo) * ((double) atHi - atLo);
    }

    private static void siftDown(float[] heap, int i, int size) {
        float v = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && Float.compare(heap[child + 1], heap[child]) < 0) {
                child++;
            }
            if (Float.compare(heap[child], v) >= 0) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = v;
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

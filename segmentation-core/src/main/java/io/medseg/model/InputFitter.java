package io.medseg.model;

import io.medseg.data.Image;
import io.medseg.data.Mask;

/**
 * Maps images and masks between their own size and a network's input size, as the spec's {@link InputFit}
 * says, and applies the spec's normalisation. Training and inference both go through here, so they cannot
 * disagree.
 */
public final class InputFitter {
    private final UNetSpec spec;

    public InputFitter(UNetSpec spec) {
        this.spec = spec;
    }

    /** Normalised network input ({@code H x W x C}) for one image. */
    public float[] input(Image image) {
        checkShape(image.height(), image.width(), image.channels());
        int h = spec.inputHeight();
        int w = spec.inputWidth();
        int c = spec.inputChannels();
        float[] out;
        if (image.height() == h && image.width() == w) {
            out = image.toArray();
        } else {
            out = new float[h * w * c];
            int y0 = offset(image.height(), h);
            int x0 = offset(image.width(), w);
            // pixels outside the image (padding) take the image minimum, so padding looks like background
            float fill = min(image);
            for (int y = 0; y < h; y++) {
                int sy = y + y0;
                for (int x = 0; x < w; x++) {
                    int sx = x + x0;
                    boolean inside = sy >= 0 && sy < image.height() && sx >= 0 && sx < image.width();
                    for (int ch = 0; ch < c; ch++) {
                        out[(y * w + x) * c + ch] = inside ? image.get(sy, sx, ch) : fill;
                    }
                }
            }
        }
        spec.normalization().applyInPlace(out);
        return out;
    }

    /** Network-sized labels ({@code H x W}) for one mask; outside the mask is background. */
    public byte[] labels(Mask mask) {
        checkShape(mask.height(), mask.width(), spec.inputChannels());
        int h = spec.inputHeight();
        int w = spec.inputWidth();
        if (mask.height() == h && mask.width() == w) {
            return mask.toArray();
        }
        byte[] out = new byte[h * w];
        int y0 = offset(mask.height(), h);
        int x0 = offset(mask.width(), w);
        for (int y = 0; y < h; y++) {
            int sy = y + y0;
            if (sy < 0 || sy >= mask.height()) {
                continue;
            }
            for (int x = 0; x < w; x++) {
                int sx = x + x0;
                if (sx >= 0 && sx < mask.width()) {
                    out[y * w + x] = (byte) mask.get(sy, sx);
                }
            }
        }
        return out;
    }

    /**
     * Maps network-sized per-class probabilities ({@code H x W x K}) back to an image of {@code height x width};
     * pixels the network did not see get probability 1 for background.
     */
    public float[] probabilitiesToImage(float[] netProbs, int netOffset, int height, int width) {
        int h = spec.inputHeight();
        int w = spec.inputWidth();
        int k = spec.numClasses();
        float[] out = new float[height * width * k];
        if (height == h && width == w) {
            System.arraycopy(netProbs, netOffset, out, 0, out.length);
            return out;
        }
        int y0 = offset(height, h);
        int x0 = offset(width, w);
        for (int y = 0; y < height; y++) {
            int ny = y - y0;
            for (int x = 0; x < width; x++) {
                int nx = x - x0;
                int dst = (y * width + x) * k;
                if (ny >= 0 && ny < h && nx >= 0 && nx < w) {
                    System.arraycopy(netProbs, netOffset + (ny * w + nx) * k, out, dst, k);
                } else {
                    out[dst] = 1f;
                }
            }
        }
        return out;
    }

    private void checkShape(int height, int width, int channels) {
        boolean sizeOk = spec.inputFit() == InputFit.CENTRE_CROP
                || (height == spec.inputHeight() && width == spec.inputWidth());
        if (!sizeOk || channels != spec.inputChannels()) {
            throw new IllegalArgumentException("model input shape mismatch: the model expects " + spec.inputHeight()
                    + "x" + spec.inputWidth() + "x" + spec.inputChannels()
                    + (spec.inputFit() == InputFit.CENTRE_CROP ? " (any size, centre-cropped)" : "")
                    + ", got " + height + "x" + width + "x" + channels);
        }
    }

    /** Top-left of the centred window of size {@code inner} within {@code outer} (negative: padding). */
    static int offset(int outer, int inner) {
        return Math.floorDiv(outer - inner, 2);
    }

    private static float min(Image image) {
        float m = Float.POSITIVE_INFINITY;
        float[] px = image.toArray();
        for (float v : px) {
            m = Math.min(m, v);
        }
        return m;
    }
}

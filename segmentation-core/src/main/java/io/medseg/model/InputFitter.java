package io.medseg.model;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import java.util.Arrays;
import java.util.Objects;

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
        float[] out = new float[spec.inputHeight() * spec.inputWidth() * spec.inputChannels()];
        writeInput(image, out, 0);
        return out;
    }

    /**
     * Writes what {@link #input} returns for {@code image} into {@code dst[offset..offset + H * W * C)}, for
     * callers that assemble a batch; nothing else of {@code dst} is touched.
     */
    public void inputInto(Image image, float[] dst, int offset) {
        checkShape(image.height(), image.width(), image.channels());
        Objects.checkFromIndexSize(offset, spec.inputHeight() * spec.inputWidth() * spec.inputChannels(),
                dst.length);
        writeInput(image, dst, offset);
    }

    private void writeInput(Image image, float[] out, int offset) {
        int h = spec.inputHeight();
        int w = spec.inputWidth();
        int c = spec.inputChannels();
        if (image.height() == h && image.width() == w) {
            image.copyTo(out, offset);
        } else {
            int y0 = offset(image.height(), h);
            int x0 = offset(image.width(), w);
            // pixels outside the image (padding) take the image minimum, so padding looks like background
            boolean padded = image.height() < h || image.width() < w;
            float fill = padded ? min(image) : 0f;
            // the network columns that fall inside the image
            int xFrom = Math.max(0, -x0);
            int xTo = Math.min(w, image.width() - x0);
            for (int y = 0; y < h; y++) {
                int sy = y + y0;
                int row = offset + y * w * c;
                if (sy < 0 || sy >= image.height()) {
                    Arrays.fill(out, row, row + w * c, fill);
                    continue;
                }
                Arrays.fill(out, row, row + xFrom * c, fill);
                for (int x = xFrom; x < xTo; x++) {
                    int sx = x + x0;
                    for (int ch = 0; ch < c; ch++) {
                        out[row + x * c + ch] = image.get(sy, sx, ch);
                    }
                }
                Arrays.fill(out, row + xTo * c, row + w * c, fill);
            }
        }
        spec.normalization().applyInPlace(out, offset, offset + h * w * c);
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

    /**
     * Maps a network-sized map of one value per pixel ({@code H x W}, e.g. an uncertainty map) back to an image of
     * {@code height x width}, as {@link #probabilitiesToImage} maps the probabilities; pixels the network did not
     * see get {@code outside}.
     */
    public float[] pixelMapToImage(float[] netMap, int netOffset, int height, int width, float outside) {
        int h = spec.inputHeight();
        int w = spec.inputWidth();
        float[] out = new float[height * width];
        if (height == h && width == w) {
            System.arraycopy(netMap, netOffset, out, 0, out.length);
            return out;
        }
        Arrays.fill(out, outside);
        int y0 = offset(height, h);
        int x0 = offset(width, w);
        int xFrom = Math.max(0, x0);
        int xTo = Math.min(width, x0 + w);
        for (int y = Math.max(0, y0); y < Math.min(height, y0 + h); y++) {
            if (xTo > xFrom) {
                System.arraycopy(netMap, netOffset + (y - y0) * w + (xFrom - x0), out, y * width + xFrom,
                        xTo - xFrom);
            }
        }
        return out;
    }

    /**
     * The arg-max labels of {@link #probabilitiesToImage}'s result, without building it: inside the network's
     * window the class of highest probability (the lowest such class on ties), background elsewhere.
     */
    public byte[] labelsToImage(float[] netProbs, int netOffset, int height, int width) {
        int h = spec.inputHeight();
        int w = spec.inputWidth();
        int k = spec.numClasses();
        byte[] out = new byte[height * width];
        int y0 = offset(height, h);
        int x0 = offset(width, w);
        // image columns the network saw; outside them probability 1 for background makes the arg-max 0
        int xFrom = Math.max(0, x0);
        int xTo = Math.min(width, x0 + w);
        for (int y = Math.max(0, y0); y < Math.min(height, y0 + h); y++) {
            int src = netOffset + ((y - y0) * w + (xFrom - x0)) * k;
            int dst = y * width;
            if (k == 2) {
                // the common two-class case without a branch per pixel: class 1 only where it is strictly higher
                for (int x = xFrom; x < xTo; x++, src += 2) {
                    out[dst + x] = (byte) (netProbs[src + 1] > netProbs[src] ? 1 : 0);
                }
            } else {
                for (int x = xFrom; x < xTo; x++, src += k) {
                    out[dst + x] = (byte) argmax(netProbs, src, k);
                }
            }
        }
        return out;
    }

    /**
     * One value of {@link #probabilitiesToImage}'s result, without building it: class {@code classIndex} at
     * {@code (y, x)} of an image of {@code height x width}.
     */
    public float probabilityAt(float[] netProbs, int netOffset, int height, int width, int y, int x,
            int classIndex) {
        Objects.checkIndex(y, height);
        Objects.checkIndex(x, width);
        Objects.checkIndex(classIndex, spec.numClasses());
        int ny = y - offset(height, spec.inputHeight());
        int nx = x - offset(width, spec.inputWidth());
        if (ny >= 0 && ny < spec.inputHeight() && nx >= 0 && nx < spec.inputWidth()) {
            return netProbs[netOffset + (ny * spec.inputWidth() + nx) * spec.numClasses() + classIndex];
        }
        return classIndex == 0 ? 1f : 0f;
    }

    /** The class of highest probability among {@code probs[at..at + k)}, the lowest such class on ties. */
    public static int argmax(float[] probs, int at, int k) {
        int best = 0;
        float bestP = probs[at];
        for (int c = 1; c < k; c++) {
            float v = probs[at + c];
            if (v > bestP) {
                bestP = v;
                best = c;
            }
        }
        return best;
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
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                for (int ch = 0; ch < image.channels(); ch++) {
                    m = Math.min(m, image.get(y, x, ch));
                }
            }
        }
        return m;
    }
}

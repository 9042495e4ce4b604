package io.medseg.viz;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.model.Normalization;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Contour overlays for looking at segmentations: the image in grey, windowed to its 1st..99th percentile (the
 * same window the networks are trained with, so a few very bright pixels do not wash the picture out), with the
 * boundary pixels of the predicted mask in {@link #PREDICTED} and of the reference mask in {@link #REFERENCE};
 * where the two contours share a pixel it is drawn in {@link #BOTH}.
 *
 * <p>A boundary pixel is a foreground pixel (any class other than 0) with at least one 4-neighbour of another
 * class or outside the image. Contours rather than filled regions keep the anatomy under the mask visible.
 */
public final class Overlays {
    /** Colour (RGB) of the predicted contour: red. */
    public static final int PREDICTED = 0xFF3030;
    /** Colour (RGB) of the reference contour: green. */
    public static final int REFERENCE = 0x30FF30;
    /** Colour (RGB) where the predicted and reference contours coincide: yellow. */
    public static final int BOTH = 0xFFFF30;

    private Overlays() {
    }

    /**
     * Renders {@code image} (its first channel) with the contour of {@code predicted} and, if not null, of
     * {@code reference}.
     *
     * @throws IllegalArgumentException if a mask's size differs from the image's
     */
    public static BufferedImage render(Image image, Mask predicted, Mask reference) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(predicted, "predicted");
        checkSize(image, predicted, "predicted");
        if (reference != null) {
            checkSize(image, reference, "reference");
        }
        int h = image.height();
        int w = image.width();
        float[] grey = windowed(image);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int g = Math.round(grey[y * w + x] * 255f);
                g = Math.max(0, Math.min(255, g));
                boolean p = isBoundary(predicted, y, x);
                boolean r = reference != null && isBoundary(reference, y, x);
                int rgb = p && r ? BOTH : p ? PREDICTED : r ? REFERENCE : (g << 16) | (g << 8) | g;
                out.setRGB(x, y, rgb);
            }
        }
        return out;
    }

    /**
     * The first channel of {@code image} as an 8-bit grey PNG, the 1st to 99th percentile spread over the grey
     * levels as {@link #render} shows it: a frame for a viewer to draw on.
     */
    public static byte[] greyPng(Image image) {
        Objects.requireNonNull(image, "image");
        int h = image.height();
        int w = image.width();
        float[] grey = windowed(image);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = out.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setSample(x, y, 0, Math.max(0, Math.min(255, Math.round(grey[y * w + x] * 255f))));
            }
        }
        return AtomicFiles.encodePng(out);
    }

    /** Writes {@code overlay} as a PNG (parent folders created), atomically. */
    public static void writePng(BufferedImage overlay, Path file) throws IOException {
        Objects.requireNonNull(overlay, "overlay");
        Objects.requireNonNull(file, "file");
        AtomicFiles.writePng(overlay, file);
    }

    /** The first channel of {@code image}, its 1st to 99th percentile mapped to 0..1. */
    private static float[] windowed(Image image) {
        int h = image.height();
        int w = image.width();
        float[] grey = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                grey[y * w + x] = image.get(y, x, 0);
            }
        }
        Normalization.percentile(1, 99).applyInPlace(grey);
        return grey;
    }

    /** Whether pixel (y, x) is foreground with a 4-neighbour of another class or on the image edge. */
    static boolean isBoundary(Mask m, int y, int x) {
        int c = m.get(y, x);
        if (c == 0) {
            return false;
        }
        return y == 0 || x == 0 || y == m.height() - 1 || x == m.width() - 1
                || m.get(y - 1, x) != c || m.get(y + 1, x) != c || m.get(y, x - 1) != c || m.get(y, x + 1) != c;
    }

    private static void checkSize(Image image, Mask mask, String what) {
        if (mask.height() != image.height() || mask.width() != image.width()) {
            throw new IllegalArgumentException(what + " mask is " + mask.height() + "x" + mask.width()
                    + " but the image is " + image.height() + "x" + image.width());
        }
    }
}

package io.medseg.viz;

import io.medseg.data.DataFormatException;
import io.medseg.data.Mask;
import io.medseg.data.ReadLimits;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Masks as 8-bit grayscale PNG files: same width and height as the mask, pixel value = class index
 * (0 = background, 1 = first foreground class, ...). The values are the raw indices, not scaled for display, so a
 * two-class mask looks almost black in an image viewer; use {@link Overlays} for a picture meant for people.
 */
public final class MaskPng {
    private MaskPng() {
    }

    /** Writes {@code mask} to {@code file} (parent folders created), atomically. */
    public static void write(Mask mask, Path file) throws IOException {
        Objects.requireNonNull(mask, "mask");
        Objects.requireNonNull(file, "file");
        AtomicFiles.writePng(toImage(mask), file);
    }

    /** The mask as the bytes of the PNG {@link #write} would write: class indices as grey levels. */
    public static byte[] encode(Mask mask) {
        return AtomicFiles.encodePng(toImage(mask));
    }

    /** The mask as a {@link BufferedImage#TYPE_BYTE_GRAY} image with the class indices as grey levels. */
    public static BufferedImage toImage(Mask mask) {
        BufferedImage img = new BufferedImage(mask.width(), mask.height(), BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = img.getRaster();
        for (int y = 0; y < mask.height(); y++) {
            for (int x = 0; x < mask.width(); x++) {
                raster.setSample(x, y, 0, mask.get(y, x));
            }
        }
        return img;
    }

    /**
     * Reads a mask written by {@link #write}, or any single-band 8-bit PNG whose values are class indices.
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws DataFormatException if the file is not a PNG, has more than one band or more than 8 bits, or holds a
     *     value above 127 (not a class index)
     */
    public static Mask read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        BufferedImage img = decode(file);
        Raster raster = img.getRaster();
        if (raster.getNumBands() != 1 || raster.getSampleModel().getSampleSize(0) != 8) {
            throw new DataFormatException(file, "expected an 8-bit single-band (grayscale) mask PNG, got "
                    + raster.getNumBands() + " band(s) of " + raster.getSampleModel().getSampleSize(0) + " bits");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] labels = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = raster.getSample(x, y, 0);
                if (v > 127) {
                    throw new DataFormatException(file, "pixel (x=" + x + ", y=" + y + ") has value " + v
                            + ", not a class index in 0..127");
                }
                labels[y * w + x] = (byte) v;
            }
        }
        return Mask.wrap(h, w, labels);
    }

    /**
     * Decodes a PNG file within {@link ReadLimits#defaults()}, checking its signature and header first
     * ({@link PngDecoder}).
     *
     * @throws DataFormatException naming the file if it is not a PNG, declares an image over the limits, or cannot
     *     be decoded
     */
    public static BufferedImage decode(Path file) throws IOException {
        return PngDecoder.decode(file, ReadLimits.defaults());
    }
}

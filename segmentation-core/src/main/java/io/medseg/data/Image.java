package io.medseg.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable image: {@code height x width x channels} float pixels in row-major, channel-last order
 * (index {@code (y * width + x) * channels + c}), with an optional pixel spacing.
 */
public final class Image {
    private final int height;
    private final int width;
    private final int channels;
    private final float[] pixels;
    private final PixelSpacing spacing;

    private Image(int height, int width, int channels, float[] pixels, PixelSpacing spacing, boolean copy) {
        if (height <= 0 || width <= 0 || channels <= 0) {
            throw new IllegalArgumentException(
                    "image dimensions must be positive: " + height + "x" + width + "x" + channels);
        }
        Objects.requireNonNull(pixels, "pixels");
        long expected = (long) height * width * channels;
        if (pixels.length != expected) {
            throw new IllegalArgumentException("image of " + height + "x" + width + "x" + channels + " needs "
                    + expected + " pixels, got " + pixels.length);
        }
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.pixels = copy ? pixels.clone() : pixels;
        this.spacing = spacing;
    }

    /** An image over a copy of {@code pixels}. */
    public static Image of(int height, int width, int channels, float[] pixels) {
        return new Image(height, width, channels, pixels, null, true);
    }

    /** A single-channel image over a copy of {@code pixels}. */
    public static Image of(int height, int width, float[] pixels) {
        return of(height, width, 1, pixels);
    }

    /** Takes ownership of {@code pixels} without copying; callers must not touch the array afterwards. */
    public static Image wrap(int height, int width, int channels, float[] pixels, PixelSpacing spacing) {
        return new Image(height, width, channels, pixels, spacing, false);
    }

    public Image withSpacing(PixelSpacing newSpacing) {
        return new Image(height, width, channels, pixels, newSpacing, false);
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int channels() {
        return channels;
    }

    public int size() {
        return pixels.length;
    }

    public Optional<PixelSpacing> spacing() {
        return Optional.ofNullable(spacing);
    }

    public float get(int y, int x, int c) {
        return pixels[(y * width + x) * channels + c];
    }

    public float get(int y, int x) {
        return pixels[(y * width + x) * channels];
    }

    /** A copy of the pixels. */
    public float[] toArray() {
        return pixels.clone();
    }

    /** Copies all pixels into {@code dst} starting at {@code offset}. */
    public void copyTo(float[] dst, int offset) {
        System.arraycopy(pixels, 0, dst, offset, pixels.length);
    }

    public String shapeString() {
        return height + "x" + width + "x" + channels;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Image other && height == other.height && width == other.width
                && channels == other.channels && Objects.equals(spacing, other.spacing)
                && Arrays.equals(pixels, other.pixels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(height, width, channels, spacing) * 31 + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "Image[" + shapeString() + (spacing == null ? "" : ", spacing=" + spacing) + "]";
    }
}

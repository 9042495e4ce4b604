package io.medseg.data;

import java.util.Arrays;
import java.util.Objects;

/** An immutable label map: one class index (0 = background) per pixel, row-major. */
public final class Mask {
    private final int height;
    private final int width;
    private final byte[] labels;

    private Mask(int height, int width, byte[] labels, boolean copy) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("mask dimensions must be positive: " + height + "x" + width);
        }
        Objects.requireNonNull(labels, "labels");
        if (labels.length != height * width) {
            throw new IllegalArgumentException("mask of " + height + "x" + width + " needs " + (height * width)
                    + " labels, got " + labels.length);
        }
        for (byte b : labels) {
            if (b < 0) {
                throw new IllegalArgumentException("mask labels must be in 0..127: " + b);
            }
        }
        this.height = height;
        this.width = width;
        this.labels = copy ? labels.clone() : labels;
    }

    public static Mask of(int height, int width, byte[] labels) {
        return new Mask(height, width, labels, true);
    }

    /** Takes ownership of {@code labels} without copying. */
    public static Mask wrap(int height, int width, byte[] labels) {
        return new Mask(height, width, labels, false);
    }

    public static Mask empty(int height, int width) {
        return new Mask(height, width, new byte[height * width], false);
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int get(int y, int x) {
        return labels[y * width + x];
    }

    /** Number of pixels labelled {@code classIndex}. */
    public int count(int classIndex) {
        int n = 0;
        for (byte b : labels) {
            if (b == classIndex) {
                n++;
            }
        }
        return n;
    }

    /** Largest class index present (0 for an all-background mask). */
    public int maxLabel() {
        int max = 0;
        for (byte b : labels) {
            max = Math.max(max, b);
        }
        return max;
    }

    public byte[] toArray() {
        return labels.clone();
    }

    public void copyTo(byte[] dst, int offset) {
        System.arraycopy(labels, 0, dst, offset, labels.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Mask other && height == other.height && width == other.width
                && Arrays.equals(labels, other.labels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(height, width) * 31 + Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "Mask[" + height + "x" + width + "]";
    }
}

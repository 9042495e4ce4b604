package io.medseg.data.loader;

import java.util.Arrays;
import java.util.Objects;

/**
 * One prepared training batch in the layout {@link io.medseg.backend.TrainingSession#step} takes: {@code size}
 * network inputs ({@code H x W x C} each, row-major, channel-last) and their labels ({@code H x W} each).
 * The arrays are handed over, not copied: the loader never touches a batch again once it is delivered.
 */
// the batch is its arrays, handed to the backend without a copy; batches are never compared
@SuppressWarnings("ArrayRecordComponent")
public record Batch(float[] images, byte[] labels, int size) {
    public Batch {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        if (size < 1 || images.length % size != 0 || labels.length % size != 0) {
            throw new IllegalArgumentException("batch of size " + size + " cannot hold " + images.length
                    + " input values and " + labels.length + " labels");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Batch b && size == b.size && Arrays.equals(images, b.images)
                && Arrays.equals(labels, b.labels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(images) + Arrays.hashCode(labels)) + size;
    }

    @Override
    public String toString() {
        return "Batch[size=" + size + ", images=" + images.length + " floats, labels=" + labels.length + "]";
    }
}

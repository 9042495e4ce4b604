package io.medseg.data.tfrecord;

import io.medseg.data.Sample;
import io.medseg.data.tfrecord.proto.Example;

/**
 * How a {@code tf.train.Example} maps to a {@link Sample} and back: which keys hold the image, the labels and the
 * size, and how their bytes are laid out. Implementations are immutable and thread-safe.
 */
public interface ExampleSchema {
    /**
     * Decodes one example.
     *
     * @param fallbackId the sample id to use when the example carries none ({@code "<file name>#<record index>"})
     * @throws ExampleFormatException if the example does not fit this schema
     */
    Sample decode(Example ex, String fallbackId) throws ExampleFormatException;

    /**
     * Encodes one sample.
     *
     * @throws UnsupportedOperationException if this schema is read-only
     */
    Example encode(Sample s);
}

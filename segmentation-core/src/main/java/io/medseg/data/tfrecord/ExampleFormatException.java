package io.medseg.data.tfrecord;

import io.medseg.data.DataFormatException;

/**
 * An {@code Example} that does not fit its {@link ExampleSchema}: a missing key, a feature of the wrong kind, a
 * payload of the wrong length or a label out of range. The message names the key and what was expected.
 * {@link TFRecordDataset} rethrows it as a {@link io.medseg.data.DataFormatException} naming the file, record
 * index and byte offset.
 */
public class ExampleFormatException extends DataFormatException {
    private static final long serialVersionUID = 1L;

    public ExampleFormatException(String message) {
        super(message, null);
    }

    public ExampleFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.medseg.mlops.signing;

import io.medseg.data.DataFormatException;
import java.nio.file.Path;

/** A model folder holding something a signature cannot cover (a link where none is allowed, a special file). */
public final class UnsignableModelException extends DataFormatException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    public UnsignableModelException(Path file, String reason) {
        super(file, reason);
        this.reason = reason;
    }

    /** What is wrong with the file, without its name. */
    public String reason() {
        return reason;
    }
}

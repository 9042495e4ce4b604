package io.medseg.mlops;

import io.medseg.data.DataFormatException;
import java.nio.file.Path;

/**
 * A model package whose files do not match its {@code MANIFEST}: the manifest is missing or malformed, or a file is
 * missing, modified, unlisted or not a regular file. {@link #file()} names the (first) offending file.
 */
public class PackageIntegrityException extends DataFormatException {
    private static final long serialVersionUID = 1L;

    public PackageIntegrityException(Path file, String message) {
        super(file, message);
    }

    public PackageIntegrityException(Path file, String message, Throwable cause) {
        super(file, message, cause);
    }
}

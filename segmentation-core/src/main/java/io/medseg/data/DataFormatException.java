package io.medseg.data;

import java.nio.file.Path;

/**
 * A file or record that cannot be read as what it claims to be. The message names the file (and, where it
 * helps, the field or byte offset) and what was expected.
 */
public class DataFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public DataFormatException(Path file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    public DataFormatException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    /** The offending file. */
    public Path file() {
        return file;
    }
}

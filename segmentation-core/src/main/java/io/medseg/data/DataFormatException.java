package io.medseg.data;

import io.medseg.MedsegException;
import io.medseg.io.TextFields;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A file or record that cannot be read as what it claims to be. The message names the file (and, where it
 * helps, the field or byte offset) and what was expected.
 */
public class DataFormatException extends MedsegException {
    private static final long serialVersionUID = 1L;

    /** The most characters of the file's path a message shows: names can come from an archive or a listing. */
    private static final int MAX_PATH_CHARS = 300;
    /**
     * The most characters of the rest of the message. Readers quote input as short escaped excerpts; this bound
     * and the escaping of control characters hold for every message, including a value quoted whole by mistake.
     */
    private static final int MAX_MESSAGE_CHARS = 1_000;

    private final transient Path file;

    public DataFormatException(Path file, String message) {
        super(shown(file) + ": " + TextFields.printable(message, MAX_MESSAGE_CHARS));
        this.file = file;
    }

    public DataFormatException(Path file, String message, Throwable cause) {
        super(shown(file) + ": " + TextFields.printable(message, MAX_MESSAGE_CHARS), cause);
        this.file = file;
    }

    /** A record or value that is not in a file of its own (the message says which); {@link #file()} is empty. */
    protected DataFormatException(String message, Throwable cause) {
        super(TextFields.printable(message, MAX_MESSAGE_CHARS), cause);
        this.file = null;
    }

    private static String shown(Path file) {
        return TextFields.printable(String.valueOf(file), MAX_PATH_CHARS);
    }

    /** The offending file, when the problem is in one. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }
}

package io.medseg.examples.cli;

import io.medseg.MedsegException;
import io.medseg.data.DataFormatException;
import io.medseg.io.TextFields;
import io.medseg.io.WriteFailures;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Turns any failure into one line for the user and an exit code: {@value #USAGE} when the user's input is at fault
 * (a path, a value, or a file the library refused: {@link DataFormatException} and its subclasses, among them a
 * package that does not match its MANIFEST), {@value #FAILURE} for everything else, the library's other
 * {@link MedsegException}s included (no usable backend, a registry rule) and a full disk ({@code PATH: no space left
 * on device}, naming the file or folder that could not be written, not a temporary one). The stack trace is only for
 * {@code --verbose}: users need to know which file and what is wrong with it, not where in our code we noticed.
 */
final class Errors {
    static final int FAILURE = 1;
    static final int USAGE = 2;
    /** A check ran and its requirement was not met (validate, reproduce, drift); not an error of the command. */
    static final int NOT_MET = 3;
    static final String PREFIX = "segment: error: ";

    /** What to tell the user and which exit code to return. */
    record Outcome(int exitCode, String message) {
    }

    private Errors() {
    }

    static int report(Throwable t, boolean verbose, PrintStream err) {
        Outcome o = describe(t);
        err.println(PREFIX + o.message());
        if (verbose) {
            t.printStackTrace(err);
        } else if (o.exitCode() == FAILURE) {
            err.println("(run again with --verbose for details)");
        }
        err.flush();
        return o.exitCode();
    }

    static Outcome describe(Throwable t) {
        if (t instanceof UncheckedIOException u && u.getCause() != null) {
            if (u.getCause().getClass() == IOException.class && u.getMessage() != null
                    && !u.getMessage().equals(u.getCause().toString())) {
                // a bare IOException names nothing ("No space left on device"); the wrapper says what was written
                return new Outcome(FAILURE, oneLine(u.getMessage(), u));
            }
            return describe(u.getCause());
        }
        if (t instanceof UsageException || t instanceof DataFormatException || t instanceof IllegalArgumentException) {
            return new Outcome(USAGE, oneLine(t.getMessage(), t));
        }
        if (t instanceof NoSuchFileException e) {
            return new Outcome(USAGE, e.getFile() + ": no such file or directory");
        }
        if (t instanceof NotDirectoryException e) {
            return new Outcome(USAGE, e.getFile() + ": not a directory");
        }
        if (t instanceof AccessDeniedException e) {
            return new Outcome(USAGE, e.getFile() + ": permission denied");
        }
        if (t instanceof FileAlreadyExistsException e) {
            return new Outcome(USAGE, e.getFile() + ": already exists");
        }
        if (t instanceof FileSystemException e) {
            if (WriteFailures.isDiskFull(e)) {
                // a copy names its source first; the side that ran out of space is the target
                String file = e.getOtherFile() != null ? e.getOtherFile() : e.getFile();
                return new Outcome(FAILURE, file + ": " + (WriteFailures.QUOTA.equals(e.getReason())
                        ? "disk quota exceeded" : "no space left on device"));
            }
            return new Outcome(FAILURE, e.getFile() + ": " + (e.getReason() == null ? "i/o error" : e.getReason()));
        }
        if (t instanceof MedsegException) {
            // DataFormatException was matched above; a missing backend or a registry rule is not the input's fault
            return new Outcome(FAILURE, oneLine(t.getMessage(), t));
        }
        if (t instanceof IOException) {
            return new Outcome(FAILURE, oneLine(t.getMessage(), t));
        }
        if (t instanceof OutOfMemoryError) {
            return new Outcome(FAILURE, "out of memory (give Java more, e.g. SEGMENT_JAVA_OPTS=-Xmx8g)");
        }
        if (t instanceof LinkageError) {
            return new Outcome(FAILURE, "cannot load a native library: " + oneLine(t.getMessage(), t));
        }
        if (t.getMessage() != null && !t.getMessage().isBlank()) {
            return new Outcome(FAILURE, oneLine(t.getMessage(), t));
        }
        return new Outcome(FAILURE, "internal error (" + t.getClass().getSimpleName() + ")");
    }

    /** The message on one line; some messages (native libraries, JSON parsers) span several. */
    static String oneLine(String message, Throwable t) {
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        return TextFields.oneLine(message);
    }
}

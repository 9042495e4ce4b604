package io.medseg.io;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Failed writes, reported under the name the caller was writing. A write that runs out of space fails deep in the
 * JDK (or in a native library) with a bare {@code IOException("No space left on device")}, or with a
 * {@link FileSystemException} naming a hidden temporary file that is deleted a moment later, or the source of a
 * copy; neither tells the user which file or folder could not be written. {@link #naming} turns such a failure into
 * a {@link FileSystemException} naming the final file or folder, with the original as its cause.
 */
public final class WriteFailures {
    /** The reason of a write that found the disk full (the text of {@code ENOSPC}). */
    public static final String NO_SPACE = "No space left on device";
    /** The reason of a write that went over the user's disk quota (the text of {@code EDQUOT}). */
    public static final String QUOTA = "Disk quota exceeded";

    private WriteFailures() {
    }

    /** Whether {@code t} or one of its causes says the disk is full or the disk quota is used up. */
    public static boolean isDiskFull(Throwable t) {
        return reason(t) != null;
    }

    /**
     * {@code e} as a failure to write {@code target}: a full disk becomes a {@link FileSystemException} naming
     * {@code target} (whichever file the write was in), a bare {@link IOException} (one that names no file) becomes
     * one naming {@code target} with its message; any other exception already names its file or is the library's
     * own, and is returned as it is.
     */
    public static IOException naming(Path target, IOException e) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(e, "e");
        String file = target.toString();
        if (e instanceof FileSystemException f && file.equals(f.getFile())) {
            return e;
        }
        String full = reason(e);
        if (full != null) {
            return withCause(new FileSystemException(file, null, full), e);
        }
        if (e.getClass() == IOException.class) {
            return withCause(new FileSystemException(file, null, e.getMessage()), e);
        }
        return e;
    }

    private static FileSystemException withCause(FileSystemException named, IOException cause) {
        named.initCause(cause);
        return named;
    }

    /** {@link #NO_SPACE} or {@link #QUOTA} when {@code t} or a cause says so, else null. */
    private static String reason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = c instanceof FileSystemException f ? f.getReason() : c.getMessage();
            if (m == null) {
                continue;
            }
            String lower = m.toLowerCase(Locale.ROOT);
            if (lower.contains(NO_SPACE.toLowerCase(Locale.ROOT))) {
                return NO_SPACE;
            }
            if (lower.contains(QUOTA.toLowerCase(Locale.ROOT))) {
                return QUOTA;
            }
        }
        return null;
    }
}

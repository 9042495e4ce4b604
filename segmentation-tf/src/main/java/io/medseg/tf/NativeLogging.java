package io.medseg.tf;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps TensorFlow's C++ runtime from writing its start-up chatter to standard error, so that a program using the
 * library (the {@code segment} command among them) prints only its own lines.
 *
 * <p>The runtime logs in two ways. TSL logging (the oneDNN notice, {@code cpu_feature_guard}, SavedModel loading)
 * drops messages below {@value #LEVEL_ENV}, which it reads from the process environment at its first message, at
 * the latest when the native library loads. Abseil logging (the "MLIR V1 optimization pass is not enabled" line of
 * the first session, preceded by "WARNING: All log messages before absl::InitializeLog() is called are written to
 * STDERR") reads no setting at all; its one-time start-up lines are written while the backend probes its device
 * ({@link #quietly}), and standard error is held back meanwhile, then given back less those lines. A bf16 session
 * also announces its graph rewrite through Abseil, at INFO, the first time each kind of call runs; those first runs
 * go through {@link #quietly} as well ({@link FirstRuns}). (The runtime carries its own copy of Abseil, whose level
 * cannot be set from outside.)
 *
 * <p>The level is the one TensorFlow defines: 0 everything, 1 no INFO, 2 no WARNING (the default here), 3 no ERROR.
 * A {@value #LEVEL_ENV} in the environment always wins and is never overwritten; otherwise the system property
 * {@value #LEVEL_PROPERTY} sets it (the command line's {@code --verbose} sets 0), else {@value #DEFAULT_LEVEL}.
 * Everything here is best effort: where the C library cannot be reached (Windows), TensorFlow logs as it would
 * anyway.
 */
final class NativeLogging {
    /** TensorFlow's own setting, read by its C++ runtime. */
    static final String LEVEL_ENV = "TF_CPP_MIN_LOG_LEVEL";
    /** The level to use when the environment does not set one. */
    static final String LEVEL_PROPERTY = "medseg.tensorflow.minLogLevel";
    static final int DEFAULT_LEVEL = 2;

    private static final Logger LOG = LoggerFactory.getLogger(NativeLogging.class);
    private static final int STDERR = 2;
    private static final int O_WRONLY = 1;
    /**
     * Abseil's line format, {@code I1201 11:43:32.911121  26452 file.cc:401] message}; before the time zone is
     * known, {@code I0000 00:00:1796125255.469467   26452 file.cc:401] message}.
     */
    private static final Pattern ABSL_LINE = Pattern.compile("^([IWEF])\\d{4} \\d\\d:\\d\\d:\\d+\\.\\d+ +\\d+ "
            + "[^ \\]]+:\\d+\\] ");
    /** TSL's line format: {@code 2026-12-01 11:43:32.911121: I tensorflow/core/util/port.cc:153] message}. */
    private static final Pattern TSL_LINE = Pattern.compile("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+: "
            + "([IWEF]) [^ \\]]+:\\d+\\] ");
    static final String ABSL_NOT_INITIALIZED =
            "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR";

    private NativeLogging() {
    }

    /** The level in force: {@value #LEVEL_ENV}, else {@value #LEVEL_PROPERTY}, else {@value #DEFAULT_LEVEL}. */
    static int level() {
        return level(System.getenv(LEVEL_ENV), System.getProperty(LEVEL_PROPERTY));
    }

    static int level(String env, String property) {
        if (env != null && !env.isBlank()) {
            return parse(env, 0); // as TensorFlow reads it: what is not a number shows everything
        }
        int p = property == null || property.isBlank() ? -1 : parse(property, -1);
        return p >= 0 ? p : DEFAULT_LEVEL;
    }

    private static int parse(String s, int fallback) {
        try {
            return Math.max(0, Math.min(3, Integer.parseInt(s.strip())));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /**
     * Before TensorFlow's native library loads: puts the level into the process environment when it is not there
     * already, so that TSL logging honours it.
     */
    static void beforeLoad() {
        String env = System.getenv(LEVEL_ENV);
        if (env != null && !env.isBlank()) {
            return;
        }
        String property = System.getProperty(LEVEL_PROPERTY);
        if (property != null && parse(property, -1) < 0) {
            LOG.warn("{} must be 0, 1, 2 or 3: {} (using {})", LEVEL_PROPERTY, property, DEFAULT_LEVEL);
        }
        int level = level(null, property);
        if (level == 0) {
            return; // TensorFlow's own default
        }
        Posix c = Posix.get();
        if (c == null) {
            return;
        }
        int rc = c.setenv.invokeInt(new Object[] {LEVEL_ENV, Integer.toString(level), 0});
        LOG.debug("TensorFlow native log level {} ({}={}{})", level, LEVEL_ENV, level,
                rc == 0 ? "" : ": setenv failed");
    }

    /**
     * Runs {@code action} (the first use of a session, which writes Abseil's one-time lines) with standard error
     * captured, then writes back everything captured except the native log lines below the level.
     */
    static <T> T quietly(Supplier<T> action) {
        // standard error is one per process: one holder at a time
        synchronized (NativeLogging.class) {
            return holdingBack(action);
        }
    }

    private static <T> T holdingBack(Supplier<T> action) {
        int level = level();
        Posix c = level == 0 ? null : Posix.get();
        Path file = null;
        int saved = -1;
        if (c != null) {
            try {
                file = Files.createTempFile("medseg-tensorflow-", ".log");
                System.out.flush();
                System.err.flush();
                int fd = c.open.invokeInt(new Object[] {file.toString(), O_WRONLY});
                if (fd >= 0) {
                    saved = c.dup.invokeInt(new Object[] {STDERR});
                    if (saved >= 0 && c.dup2.invokeInt(new Object[] {fd, STDERR}) < 0) {
                        c.close.invokeInt(new Object[] {saved});
                        saved = -1;
                    }
                    c.close.invokeInt(new Object[] {fd});
                }
            } catch (IOException | RuntimeException | LinkageError e) {
                LOG.debug("cannot hold back TensorFlow's native log lines: {}", e.toString());
            }
        }
        try {
            return action.get();
        } finally {
            if (saved >= 0) {
                System.err.flush();
                c.fflush.invokeInt(new Object[] {null});
                c.dup2.invokeInt(new Object[] {saved, STDERR});
                c.close.invokeInt(new Object[] {saved});
                giveBack(file, level);
            }
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.debug("cannot delete {}: {}", file, e.toString());
                }
            }
        }
    }

    private static void giveBack(Path file, int level) {
        try {
            // bytes as they were: ISO-8859-1 maps each byte to one char and back
            String captured = Files.readString(file, StandardCharsets.ISO_8859_1);
            String kept = filter(captured, level);
            if (!kept.isEmpty()) {
                @SuppressWarnings("resource") // standard error itself stays open
                OutputStream err = new FileOutputStream(FileDescriptor.err);
                err.write(kept.getBytes(StandardCharsets.ISO_8859_1));
                err.flush();
            }
            int dropped = (int) captured.lines().count() - (int) kept.lines().count();
            LOG.debug("held back {} native log line{} of TensorFlow's start-up", dropped, dropped == 1 ? "" : "s");
        } catch (IOException e) {
            LOG.debug("cannot read back {}: {}", file, e.toString());
        }
    }

    /** {@code text} without the native log lines (and Abseil's "not initialised" warning) below {@code level}. */
    static String filter(String text, int level) {
        StringBuilder out = new StringBuilder(text.length());
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl + 1;
            String line = text.substring(start, end);
            if (!below(line, level)) {
                out.append(line);
            }
            start = end;
        }
        return out.toString();
    }

    private static boolean below(String line, int level) {
        if (line.startsWith(ABSL_NOT_INITIALIZED)) {
            return level >= 1;
        }
        Matcher m = ABSL_LINE.matcher(line);
        if (!m.find()) {
            m = TSL_LINE.matcher(line);
            if (!m.find()) {
                return false;
            }
        }
        return "IWEF".indexOf(m.group(1).charAt(0)) < level;
    }

    /** The few C library functions used, or null where they cannot be called. */
    private static final class Posix {
        private static volatile Posix instance;
        private static volatile boolean tried;

        final Function setenv;
        final Function open;
        final Function dup;
        final Function dup2;
        final Function close;
        final Function fflush;

        private Posix(NativeLibrary c) {
            setenv = c.getFunction("setenv");
            open = c.getFunction("open");
            dup = c.getFunction("dup");
            dup2 = c.getFunction("dup2");
            close = c.getFunction("close");
            fflush = c.getFunction("fflush");
        }

        static Posix get() {
            if (!tried) {
                synchronized (Posix.class) {
                    if (!tried) {
                        instance = load();
                        tried = true;
                    }
                }
            }
            return instance;
        }

        private static Posix load() {
            if (Platform.isWindows()) {
                return null;
            }
            try {
                return new Posix(NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            } catch (RuntimeException | LinkageError e) {
                LOG.debug("the C library cannot be called ({}): TensorFlow logs at its own level on {}", e.toString(),
                        System.getProperty("os.name", "?").toLowerCase(Locale.ROOT));
                return null;
            }
        }
    }
}

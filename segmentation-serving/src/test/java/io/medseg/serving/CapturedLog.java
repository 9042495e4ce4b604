package io.medseg.serving;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * What the server logs while a test runs: the tests log with slf4j-simple, which writes every line to whatever
 * {@code System.err} is at the time, so a copy of standard error is kept (and still printed) until closed.
 */
final class CapturedLog implements AutoCloseable {
    private final PrintStream original;
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

    private CapturedLog() {
        this.original = System.err;
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (copy) {
                    copy.write(b);
                }
                original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (copy) {
                    copy.write(b, off, len);
                }
                original.write(b, off, len);
            }

            @Override
            public void flush() {
                original.flush();
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    /** Starts keeping what is logged. */
    static CapturedLog start() {
        return new CapturedLog();
    }

    /** Every line logged so far. */
    List<String> lines() {
        String text;
        synchronized (copy) {
            text = copy.toString(StandardCharsets.UTF_8);
        }
        return text.lines().filter(l -> !l.isEmpty()).toList();
    }

    /** The lines logged so far that contain every one of {@code parts}. */
    List<String> matching(String... parts) {
        return lines().stream().filter(l -> Arrays.stream(parts).allMatch(l::contains)).toList();
    }

    @Override
    public void close() {
        System.err.flush();
        System.setErr(original);
    }
}

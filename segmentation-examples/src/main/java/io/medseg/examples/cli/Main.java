package io.medseg.examples.cli;

import io.medseg.tf.TensorFlowBackendProvider;
import io.medseg.train.TrainingListeners;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Entry point of {@code bin/segment}. Every failure ends as one line on standard error and an exit code
 * (see {@link Errors}); {@code --verbose} adds the stack trace.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, TrainingListeners.isTerminal(System.err), args));
    }

    /**
     * Runs the command line with the given streams and returns the exit code, without exiting the JVM. Standard
     * error is taken for a file: progress is written a line at a time.
     */
    public static int run(PrintStream out, PrintStream err, String... args) {
        return run(out, err, false, args);
    }

    /** As above; {@code terminal} says whether {@code err} is a terminal, where progress is drawn in place. */
    public static int run(PrintStream out, PrintStream err, boolean terminal, String... args) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        if (verbose) {
            // both must be set before they are read: the first logger, the first load of the backend
            if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
                System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
            }
            if (System.getProperty(TensorFlowBackendProvider.NATIVE_LOG_LEVEL_PROPERTY) == null) {
                // TensorFlow's native runtime logs everything (TF_CPP_MIN_LOG_LEVEL, when set, still wins)
                System.setProperty(TensorFlowBackendProvider.NATIVE_LOG_LEVEL_PROPERTY, "0");
            }
        }
        try {
            return commandLine(out, err, terminal).execute(args);
        } catch (Throwable t) { // errors escape picocli's handlers, e.g. a native library that fails to link
            return Errors.report(t, verbose, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    static CommandLine commandLine(PrintStream out, PrintStream err) {
        return commandLine(out, err, false);
    }

    static CommandLine commandLine(PrintStream out, PrintStream err, boolean terminal) {
        CommandLine cl = new CommandLine(new SegmentCommand(out, err, terminal));
        // the charset the streams themselves write in (on Java 17 a PrintStream does not say which: the default)
        cl.setOut(new PrintWriter(new OutputStreamWriter(out, Charset.defaultCharset()), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(err, Charset.defaultCharset()), true));
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            err.println(Errors.PREFIX + Errors.oneLine(ex.getMessage(), ex) + " (see '"
                    + cmd.getCommandSpec().qualifiedName() + " --help')");
            err.flush();
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> Errors.report(ex, verbose(parseResult), err));
        return cl;
    }

    private static boolean verbose(ParseResult pr) {
        for (ParseResult p = pr; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}

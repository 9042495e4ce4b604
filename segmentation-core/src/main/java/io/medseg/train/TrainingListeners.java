package io.medseg.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Ready-made {@link TrainingListener}s. */
public final class TrainingListeners {
    private TrainingListeners() {
    }

    /**
     * The system property that overrides {@link #isTerminal}: {@code true} or {@code false} (a launcher that knows,
     * such as {@code bin/segment}, sets it).
     */
    public static final String TERMINAL_PROPERTY = "medseg.console.terminal";

    /** The console progress bar on standard error ({@link #progressBar(PrintStream, boolean)}). */
    public static TrainingListener progressBar() {
        return progressBar(System.err);
    }

    /** The progress bar on {@code out}, drawn in place when {@code out} {@link #isTerminal is a terminal}. */
    public static TrainingListener progressBar(PrintStream out) {
        return progressBar(out, isTerminal(out));
    }

    /**
     * A progress bar on {@code out}: one line per epoch with its mean loss, its validation Dice (when there is
     * validation data) and the time left, then a line saying which epoch's weights the model kept and why. On a
     * terminal each epoch's line is drawn in place, batch by batch, before it is completed; otherwise (a file, a
     * pipe) only the completed lines are written. It is {@link AutoCloseable}: closing it after a failed training
     * (as {@code TrainingRuns} does) ends an open line, so that the error printed next has a line of its own.
     */
    public static TrainingListener progressBar(PrintStream out, boolean terminal) {
        return new ProgressBar(Objects.requireNonNull(out, "out"), terminal);
    }

    /**
     * Whether {@code out} is this process's standard output or standard error and that is a terminal: the
     * {@value #TERMINAL_PROPERTY} system property when set, else (on Linux) what the file descriptor is open on.
     * Elsewhere, and for any other stream, the answer is no: a line at a time reads well anywhere.
     */
    public static boolean isTerminal(PrintStream out) {
        int fd = out == System.err ? 2 : out == System.out ? 1 : -1;
        if (fd < 0) {
            return false;
        }
        String forced = System.getProperty(TERMINAL_PROPERTY);
        if (forced != null && !forced.isBlank()) {
            return Boolean.parseBoolean(forced.strip());
        }
        Path link = Path.of("/proc/self/fd/" + fd);
        try {
            if (Files.isSymbolicLink(link)) {
                String target = Files.readSymbolicLink(link).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // cannot tell
        }
        return false;
    }

    /** One INFO line per epoch through SLF4J. */
    public static TrainingListener logging() {
        return new TrainingListener() {
            private final Logger log = LoggerFactory.getLogger(Trainer.class);

            @Override
            public void onEpochEnd(EpochResult r) {
                log.info("epoch {}: loss {} val dice {} lr {} ({} s)", r.epoch(),
                        String.format(Locale.ROOT, "%.4f", r.trainLoss()),
                        r.validationDice().isPresent()
                                ? String.format(Locale.ROOT, "%.4f", r.validationDice().getAsDouble()) : "-",
                        String.format(Locale.ROOT, "%.2e", r.learningRate()),
                        String.format(Locale.ROOT, "%.1f", r.seconds()));
            }
        };
    }

    /**
     * One line per epoch; on a terminal it is redrawn after every batch until the epoch ends. Closing it ends an
     * open line when training stopped before {@link #onTrainingEnd}, so that an error printed next starts a line of
     * its own.
     */
    static final class ProgressBar implements TrainingListener, AutoCloseable {
        private static final int WIDTH = 24;
        private final PrintStream out;
        private final boolean terminal;
        private boolean lineOpen;
        private int drawn;
        private TrainingPlan plan;
        private long startNanos;
        private double lossSum;
        private int lossCount;

        ProgressBar(PrintStream out, boolean terminal) {
            this.out = out;
            this.terminal = terminal;
        }

        @Override
        public void onTrainingStart(TrainingPlan p) {
            this.plan = p;
            this.startNanos = System.nanoTime();
        }

        @Override
        public void onBatchEnd(int epoch, int batch, float loss) {
            if (batch == 1) {
                lossSum = 0;
                lossCount = 0;
            }
            lossSum += loss;
            lossCount++;
            if (terminal) {
                int filled = (int) (WIDTH * batch / (double) plan.batchesPerEpoch());
                draw(String.format(Locale.ROOT, "epoch %d/%d [%s] loss %.4f  ETA %s", epoch, plan.epochs(),
                        "=".repeat(filled) + " ".repeat(WIDTH - filled), lossSum / lossCount,
                        formatSeconds(eta(epoch, batch))));
            }
        }

        @Override
        public void onEpochEnd(EpochResult r) {
            String dice = r.validationDice().isPresent()
                    ? String.format(Locale.ROOT, "  val dice %.4f", r.validationDice().getAsDouble()) : "";
            String eta = formatSeconds(eta(r.epoch(), plan.batchesPerEpoch()));
            if (terminal) {
                draw(String.format(Locale.ROOT, "epoch %d/%d [%s] loss %.4f%s  ETA %s", r.epoch(), plan.epochs(),
                        "=".repeat(WIDTH), r.trainLoss(), dice, eta));
                out.println();
            } else {
                out.printf(Locale.ROOT, "epoch %d/%d  loss %.4f%s  ETA %s%n", r.epoch(), plan.epochs(), r.trainLoss(),
                        dice, eta);
            }
            out.flush();
            lineOpen = false;
            drawn = 0;
        }

        @Override
        public void onTrainingEnd(TrainingResult result) {
            close();
            int epochs = result.history().size();
            out.printf(Locale.ROOT, "done: %d epoch%s in %s; %s%n", epochs, epochs == 1 ? "" : "s",
                    formatSeconds(result.elapsed().toMillis() / 1000.0), result.summary());
            out.flush();
        }

        @Override
        public void close() {
            if (lineOpen) {
                out.println();
                out.flush();
                lineOpen = false;
                drawn = 0;
            }
        }

        /** Redraws the open line: back to its start, the text, blanks over what is left of a longer line. */
        private void draw(String text) {
            out.print("\r" + text + " ".repeat(Math.max(0, drawn - text.length())));
            out.flush();
            drawn = text.length();
            lineOpen = true;
        }

        /** Seconds left after {@code batch} of {@code epoch}: a resumed run times only the epochs it trains. */
        private double eta(int epoch, int batch) {
            long done = (long) (epoch - plan.firstEpoch()) * plan.batchesPerEpoch() + batch;
            long total = (long) (plan.epochs() - plan.firstEpoch() + 1) * plan.batchesPerEpoch();
            double elapsed = (System.nanoTime() - startNanos) / 1e9;
            return done <= 0 ? 0 : elapsed / done * (total - done);
        }

        static String formatSeconds(double s) {
            long t = Math.round(s);
            return t >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60)
                    : String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
        }
    }
}

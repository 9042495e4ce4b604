package io.medseg.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Ready-made {@link TrainingListener}s. */
public final class TrainingListeners {
    private TrainingListeners() {
    }

    /** A one-line console progress bar on standard error: epoch, bar, running loss, last validation Dice, ETA. */
    public static TrainingListener progressBar() {
        return progressBar(System.err);
    }

    /**
     * The progress bar on {@code out}. It is {@link AutoCloseable}: closing it after a failed training (as
     * {@code TrainingRuns} does) ends the open bar line, so that the error printed next has a line of its own.
     */
    public static TrainingListener progressBar(PrintStream out) {
        return new ProgressBar(Objects.requireNonNull(out, "out"));
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
     * Redraws one line per batch with a carriage return. Closing it ends that line when training stopped before
     * {@link #onTrainingEnd}, so that an error printed next starts a line of its own.
     */
    static final class ProgressBar implements TrainingListener, AutoCloseable {
        private static final int WIDTH = 24;
        private final PrintStream out;
        private boolean lineOpen;
        private TrainingPlan plan;
        private long startNanos;
        private double lossSum;
        private int lossCount;
        private String lastDice = "-";

        ProgressBar(PrintStream out) {
            this.out = out;
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
            // a resumed run times only the epochs it trains itself
            long done = (long) (epoch - plan.firstEpoch()) * plan.batchesPerEpoch() + batch;
            long total = (long) (plan.epochs() - plan.firstEpoch() + 1) * plan.batchesPerEpoch();
            double elapsed = (System.nanoTime() - startNanos) / 1e9;
            double eta = done == 0 ? 0 : elapsed / done * (total - done);
            int filled = (int) (WIDTH * batch / (double) plan.batchesPerEpoch());
            String bar = "=".repeat(filled) + " ".repeat(WIDTH - filled);
            out.printf(Locale.ROOT, "\repoch %d/%d [%s] loss %.4f  val dice %s  ETA %s   ", epoch, plan.epochs(),
                    bar, lossSum / lossCount, lastDice, formatSeconds(eta));
            out.flush();
            lineOpen = true;
        }

        @Override
        public void onEpochEnd(EpochResult r) {
            if (r.validationDice().isPresent()) {
                lastDice = String.format(Locale.ROOT, "%.4f", r.validationDice().getAsDouble());
            }
        }

        @Override
        public void onTrainingEnd(TrainingResult result) {
            out.printf(Locale.ROOT, "%ndone: %d epochs in %s, best epoch %d%s%n", result.history().size(),
                    formatSeconds(result.elapsed().toMillis() / 1000.0), result.bestEpoch(),
                    result.bestValidationDice().isPresent()
                            ? String.format(Locale.ROOT, " (val dice %.4f)", result.bestValidationDice().getAsDouble())
                            : "");
            out.flush();
            lineOpen = false;
        }

        @Override
        public void close() {
            if (lineOpen) {
                out.println();
                out.flush();
                lineOpen = false;
            }
        }

        static String formatSeconds(double s) {
            long t = Math.round(s);
            return t >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60)
                    : String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
        }
    }
}

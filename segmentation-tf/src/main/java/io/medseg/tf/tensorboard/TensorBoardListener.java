package io.medseg.tf.tensorboard;

import io.medseg.backend.ModelState;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.metrics.Dice;
import io.medseg.model.Normalization;
import io.medseg.train.EpochResult;
import io.medseg.train.TrainingListener;
import io.medseg.train.TrainingPlan;
import io.medseg.train.TrainingResult;
import io.medseg.viz.Overlays;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Logs a training run for TensorBoard ({@code tensorboard --logdir <log directory>}). Two runs (sub-folders) are
 * written, because TensorBoard keeps one step axis per run:
 *
 * <ul>
 *   <li>{@value #STEPS_RUN}: per optimisation step, at global step {@code (epoch - 1) * batchesPerEpoch + batch},
 *       {@code train/loss} and {@code train/learning_rate}. The rate of an epoch is only known at its end, so the
 *       rate points of an epoch's steps are written then (a run that fails mid-epoch has the losses of that
 *       epoch but not its rates);</li>
 *   <li>{@value #EPOCHS_RUN}: per epoch, at step = epoch number, {@code epoch/loss}, {@code epoch/val_dice} (with
 *       validation), {@code epoch/learning_rate}; with frames, {@code frames/dice_mean} (their mean foreground
 *       Dice, a Dice curve even without a validation set) and for each frame {@code frames/<sampleId>/dice} and
 *       {@code frames/<sampleId>/prediction}, the image with the predicted contour (red), the expert contour
 *       (green) and their overlap (yellow) as {@link Overlays#render} draws them, and, once per training run since
 *       they do not change, {@code frames/<sampleId>/input} (channel 0 in grey, windowed to its 1st..99th
 *       percentile) and {@code frames/<sampleId>/expert} (the expert contour alone); with histograms on,
 *       {@code weights/<variable>} for every variable of {@link SegmentationModel#snapshot()}.</li>
 * </ul>
 *
 * <p>Epoch numbers are taken as given, so a run resumed at a later epoch continues the curves. The first callback of
 * every training run writes a session start to both runs (at its first global step and at its epoch): TensorBoard
 * then drops what an earlier run in the same folder logged at those steps and later, so a run resumed from an
 * earlier checkpoint replaces the orphaned tail instead of zig-zagging over it.
 *
 * <p>Files are opened by {@link #onTrainingStart}, flushed at every epoch end and closed by
 * {@link #onTrainingEnd}. A run that fails never reaches its end: {@link #close()} the listener (try-with-resources)
 * to flush what it logged. Write errors propagate as {@link UncheckedIOException}s naming the file, stopping the
 * training. Callbacks are meant for the training thread; the listener is not for concurrent use.
 *
 * <pre>{@code
 * try (TensorBoardListener tb = TensorBoardListener.builder().logDir(Path.of("runs/exp1")).model(model)
 *         .frames(validation.subList(0, 4)).build()) {
 *     Trainer.builder().epochs(40).listener(tb).build().fit(model, train, validation);
 * }
 * }</pre>
 */
public final class TensorBoardListener implements TrainingListener, AutoCloseable {
    /** Sub-folder of the per-step events. */
    public static final String STEPS_RUN = "steps";
    /** Sub-folder of the per-epoch events. */
    public static final String EPOCHS_RUN = "epochs";
    /** The most frames a listener pictures, to keep the log small: each adds a PNG per epoch. */
    public static final int MAX_FRAMES = 16;

    private final Path logDir;
    private final SegmentationModel model;
    private final List<Sample> frames;
    private final boolean histograms;

    private EventFileWriter steps;
    private EventFileWriter epochs;
    private int batchesPerEpoch;
    private boolean sessionStarted;
    private boolean framesStarted;
    /** The epoch whose steps await their learning rate, and the first and last of those steps; 0 when none. */
    private int pendingEpoch;
    private long pendingFirst;
    private long pendingLast;

    private TensorBoardListener(Builder b) {
        this.logDir = b.logDir;
        this.model = b.model;
        this.frames = List.copyOf(b.frames);
        this.histograms = b.histograms;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The log directory to point TensorBoard at. */
    public Path logDir() {
        return logDir;
    }

    /** The folder of the per-step run. */
    public Path stepsDir() {
        return logDir.resolve(STEPS_RUN);
    }

    /** The folder of the per-epoch run. */
    public Path epochsDir() {
        return logDir.resolve(EPOCHS_RUN);
    }

    /** Opens a new event file in each run folder (closing those of an earlier training run still open). */
    @Override
    public void onTrainingStart(TrainingPlan plan) {
        Objects.requireNonNull(plan, "plan");
        if (plan.batchesPerEpoch() < 1) {
            throw new IllegalArgumentException("batches per epoch must be >= 1: " + plan.batchesPerEpoch());
        }
        close();
        try {
            steps = EventFileWriter.create(stepsDir());
            try {
                epochs = EventFileWriter.create(epochsDir());
            } catch (IOException | RuntimeException e) {
                steps.close();
                steps = null;
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start tensorboard logging in " + logDir + ": " + e.getMessage(), e);
        }
        batchesPerEpoch = plan.batchesPerEpoch();
        sessionStarted = false;
        framesStarted = false;
        pendingEpoch = 0;
    }

    @Override
    public void onBatchEnd(int epoch, int batch, float loss) {
        requireStarted();
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be >= 1: " + epoch);
        }
        if (batch < 1 || batch > batchesPerEpoch) {
            throw new IllegalArgumentException("batch must be in 1.." + batchesPerEpoch + ": " + batch);
        }
        long step = globalStep(epoch, batch);
        startSession(epoch, step);
        steps.scalar("train/loss", step, loss);
        if (pendingEpoch != epoch) {
            pendingEpoch = epoch;
            pendingFirst = step;
        }
        pendingLast = step;
    }

    @Override
    public void onEpochEnd(EpochResult result) {
        requireStarted();
        Objects.requireNonNull(result, "result");
        int epoch = result.epoch();
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be >= 1: " + epoch);
        }
        startSession(epoch, globalStep(epoch, 1));
        if (pendingEpoch == epoch) {
            for (long s = pendingFirst; s <= pendingLast; s++) {
                steps.scalar("train/learning_rate", s, result.learningRate());
            }
        }
        pendingEpoch = 0;
        epochs.scalar("epoch/loss", epoch, result.trainLoss());
        if (result.validationDice().isPresent()) {
            epochs.scalar("epoch/val_dice", epoch, result.validationDice().getAsDouble());
        }
        epochs.scalar("epoch/learning_rate", epoch, result.learningRate());
        writeFrames(epoch);
        if (histograms) {
            ModelState state = model.snapshot();
            for (String name : state.names()) {
                epochs.histogram("weights/" + name, epoch, state.get(name));
            }
        }
        steps.flush();
        epochs.flush();
    }

    /** Closes the event files. */
    @Override
    public void onTrainingEnd(TrainingResult result) {
        close();
    }

    /** Flushes and closes the open event files, if any; idempotent. */
    @Override
    public void close() {
        EventFileWriter s = steps;
        EventFileWriter e = epochs;
        steps = null;
        epochs = null;
        try {
            if (s != null) {
                s.close();
            }
        } finally {
            if (e != null) {
                e.close();
            }
        }
    }

    private long globalStep(int epoch, int batch) {
        return (long) (epoch - 1) * batchesPerEpoch + batch;
    }

    private void startSession(int epoch, long firstStep) {
        if (!sessionStarted) {
            steps.sessionStart(firstStep);
            epochs.sessionStart(epoch);
            sessionStarted = true;
        }
    }

    private void writeFrames(int epoch) {
        if (frames.isEmpty()) {
            return;
        }
        List<Mask> predicted = model.segmenter().predictAll(frames.stream().map(Sample::image).toList());
        double diceSum = 0;
        for (int i = 0; i < frames.size(); i++) {
            Sample f = frames.get(i);
            String prefix = "frames/" + f.id() + "/";
            double dice = Dice.foreground(f.mask(), predicted.get(i), model.spec().numClasses());
            diceSum += dice;
            epochs.scalar(prefix + "dice", epoch, dice);
            if (!framesStarted) {
                epochs.image(prefix + "input", epoch, grey(f.image()));
                epochs.image(prefix + "expert", epoch,
                        Overlays.render(f.image(), Mask.empty(f.image().height(), f.image().width()), f.mask()));
            }
            epochs.image(prefix + "prediction", epoch, Overlays.render(f.image(), predicted.get(i), f.mask()));
        }
        // the pictured frames' Dice: a Dice curve even for runs without a validation set
        epochs.scalar("frames/dice_mean", epoch, diceSum / frames.size());
        framesStarted = true;
    }

    /** Channel 0 of {@code image} as 8-bit grey, windowed to its 1st..99th percentile. */
    static BufferedImage grey(Image image) {
        int h = image.height();
        int w = image.width();
        float[] v = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                v[y * w + x] = image.get(y, x, 0);
            }
        }
        Normalization.percentile(1, 99).applyInPlace(v);
        int[] g = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            g[i] = Math.max(0, Math.min(255, Math.round(v[i] * 255f)));
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        out.getRaster().setSamples(0, 0, w, h, 0, g);
        return out;
    }

    private void requireStarted() {
        if (steps == null) {
            throw new IllegalStateException("tensorboard listener for " + logDir
                    + " is not in a training run: onTrainingStart was not called or the run has ended");
        }
    }

    /** Builder; {@link #build()} checks every setting at once. */
    public static final class Builder {
        private Path logDir;
        private SegmentationModel model;
        private List<Sample> frames = List.of();
        private boolean histograms;

        private Builder() {
        }

        /** The folder TensorBoard is pointed at (required); the run folders are created in it. */
        public Builder logDir(Path logDir) {
            this.logDir = logDir;
            return this;
        }

        /** The model being trained; required for frames and histograms. */
        public Builder model(SegmentationModel model) {
            this.model = model;
            return this;
        }

        /** Samples pictured every epoch (at most {@value TensorBoardListener#MAX_FRAMES}, distinct ids). */
        public Builder frames(List<Sample> frames) {
            this.frames = frames;
            return this;
        }

        /** Whether to write a histogram of every model variable each epoch (default false). */
        public Builder histograms(boolean histograms) {
            this.histograms = histograms;
            return this;
        }

        public TensorBoardListener build() {
            List<String> p = new ArrayList<>();
            if (logDir == null) {
                p.add("log directory must not be null");
            }
            if (frames == null) {
                p.add("frames must not be null");
            } else {
                if (frames.size() > MAX_FRAMES) {
                    p.add("at most " + MAX_FRAMES + " frames: " + frames.size());
                }
                Set<String> ids = new HashSet<>();
                for (Sample s : frames) {
                    if (s == null) {
                        p.add("frames must not contain null");
                        break;
                    }
                    if (!ids.add(s.id())) {
                        p.add("frame ids must be distinct: " + s.id() + " appears twice");
                    }
                }
                if (!frames.isEmpty() && model == null) {
                    p.add("frames need the model");
                }
            }
            if (histograms && model == null) {
                p.add("histograms need the model");
            }
            if (!p.isEmpty()) {
                throw new IllegalArgumentException("invalid tensorboard listener: " + String.join("; ", p));
            }
            return new TensorBoardListener(this);
        }
    }
}

package io.medseg.train;

import io.medseg.backend.ModelState;
import io.medseg.backend.SegmentationModel;
import io.medseg.backend.TrainingSession;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.loader.Batch;
import io.medseg.data.loader.BatchLoader;
import io.medseg.inference.Segmenter;
import io.medseg.loss.LossSpec;
import io.medseg.loss.Losses;
import io.medseg.metrics.Dice;
import io.medseg.model.InputFitter;
import io.medseg.model.UNetSpec;
import io.medseg.optim.OptimizerSpec;
import io.medseg.optim.Optimizers;
import io.medseg.transform.Augmentation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Random;

/**
 * Trains a {@link SegmentationModel}: seeded shuffling and augmentation, mini-batches, the optimiser's learning-rate
 * schedule, validation Dice after every epoch, listeners, and keeping the best epoch's weights. Immutable; one
 * trainer can fit many models.
 *
 * <pre>{@code
 * TrainingResult r = Trainer.builder().epochs(40).batchSize(8).loss(Losses.crossEntropyPlusDice())
 *     .optimizer(Optimizers.adam(1e-3)).seed(1).listener(TrainingListeners.progressBar()).build()
 *     .fit(model, train, validation);
 * }</pre>
 */
public final class Trainer {
    private final int epochs;
    private final int batchSize;
    private final LossSpec loss;
    private final OptimizerSpec optimizer;
    private final long seed;
    private final Augmentation augmentation;
    private final boolean keepBest;
    private final int loaderWorkers;
    private final int loaderPrefetch;
    private final List<TrainingListener> listeners;
    private final Checkpointer checkpointer;
    private final int checkpointEvery;

    private Trainer(Builder b) {
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.loss = b.loss;
        this.optimizer = b.optimizer;
        this.seed = b.seed;
        this.augmentation = b.augmentation;
        this.keepBest = b.keepBest;
        this.loaderWorkers = b.loaderWorkers;
        this.loaderPrefetch = b.loaderPrefetch;
        this.listeners = List.copyOf(b.listeners);
        this.checkpointer = b.checkpointer;
        this.checkpointEvery = b.checkpointEvery;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int epochs() {
        return epochs;
    }

    public int batchSize() {
        return batchSize;
    }

    public LossSpec loss() {
        return loss;
    }

    public OptimizerSpec optimizer() {
        return optimizer;
    }

    public long seed() {
        return seed;
    }

    /** Threads that prepare training batches. */
    public int loaderWorkers() {
        return loaderWorkers;
    }

    /** Batches prepared ahead of the training step. */
    public int loaderPrefetch() {
        return loaderPrefetch;
    }

    public TrainingResult fit(SegmentationModel model, SegmentationDataset train, SegmentationDataset validation) {
        return fit(model, train.samples(), validation == null ? List.of() : validation.samples());
    }

    /**
     * Trains {@code model} in place. With validation samples and {@code keepBest}, the model ends holding the
     * weights of the epoch with the best mean validation Dice (the earliest on ties).
     */
    public TrainingResult fit(SegmentationModel model, List<Sample> train, List<Sample> validation) {
        return fit(model, train, validation, null);
    }

    /**
     * Continues training from a checkpointed state (or starts afresh when {@code resumeFrom} is null). Given the
     * same model spec, data, seed and settings, a run resumed from the state after epoch k computes exactly the
     * same steps as the uninterrupted run: shuffling and augmentation depend only on the seed and the epoch, and
     * the weights, optimiser slots and step counter are restored.
     *
     * @throws IllegalArgumentException if the state does not belong to this training plan (more epochs than
     *     planned, a different number of steps per epoch, weights that do not fit the model)
     */
    public TrainingResult fit(SegmentationModel model, List<Sample> train, List<Sample> validation,
            TrainerState resumeFrom) {
        Objects.requireNonNull(model, "model");
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no training samples");
        }
        UNetSpec spec = model.spec();
        InputFitter fitter = new InputFitter(spec);
        for (Sample s : train) {
            checkLabels(s, spec);
        }
        int batches = (train.size() + batchSize - 1) / batchSize;
        int firstEpoch = 0;
        if (resumeFrom != null) {
            firstEpoch = resumeFrom.completedEpochs();
            if (firstEpoch > epochs) {
                throw new IllegalArgumentException("checkpoint has " + firstEpoch + " epochs but the run plans "
                        + epochs);
            }
            if (resumeFrom.steps() != (long) firstEpoch * batches) {
                throw new IllegalArgumentException("checkpoint has " + resumeFrom.steps() + " steps after "
                        + firstEpoch + " epochs, but this data gives " + batches + " batches per epoch: "
                        + "the training data or batch size differ from the checkpointed run");
            }
        }
        TrainingPlan plan = new TrainingPlan(epochs, batches, train.size(), validation.size(), batchSize,
                firstEpoch + 1);
        listeners.forEach(l -> l.onTrainingStart(plan));

        long start = System.nanoTime();
        List<EpochResult> history = new ArrayList<>();
        double bestDice = Double.NEGATIVE_INFINITY;
        int bestEpoch = epochs;
        ModelState best = null;
        if (resumeFrom != null) {
            history.addAll(resumeFrom.history());
            model.restore(resumeFrom.weights());
            if (resumeFrom.bestValidationDice().isPresent()) {
                bestDice = resumeFrom.bestValidationDice().getAsDouble();
                bestEpoch = resumeFrom.bestEpoch();
            }
            best = resumeFrom.best().orElse(null);
        }
        try (BatchLoader loader = BatchLoader.builder().samples(train).fitter(fitter).augmentation(augmentation)
                .batchSize(batchSize).seed(seed).workers(loaderWorkers).prefetch(loaderPrefetch).build();
                TrainingSession session = model.trainingSession(loss, optimizer)) {
            if (resumeFrom != null) {
                session.restoreOptimizerState(resumeFrom.optimizer(), resumeFrom.steps());
            }
            for (int epoch = firstEpoch; epoch < epochs; epoch++) {
                long epochStart = System.nanoTime();
                float lr = (float) optimizer.schedule().learningRate(epoch, epochs);
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < train.size(); i++) {
                    order.add(i);
                }
                Collections.shuffle(order, new Random(mix(seed, epoch, -1)));
                double lossSum = 0;
                try (BatchLoader.Epoch epochBatches = loader.epoch(epoch, order)) {
                    for (int b = 0; b < batches; b++) {
                        Batch batch = epochBatches.next();
                        float l = session.step(batch.images(), batch.labels(), batch.size(), lr);
                        if (!Float.isFinite(l)) {
                            throw new IllegalStateException("training diverged: loss " + l + " at epoch "
                                    + (epoch + 1) + ", batch " + (b + 1) + " (lower the learning rate)");
                        }
                        lossSum += l;
                        for (TrainingListener listener : listeners) {
                            listener.onBatchEnd(epoch + 1, b + 1, l);
                        }
                    }
                }
                OptionalDouble valDice = OptionalDouble.empty();
                if (!validation.isEmpty()) {
                    double d = validationDice(model, validation);
                    valDice = OptionalDouble.of(d);
                    if (keepBest && d > bestDice) {
                        bestDice = d;
                        bestEpoch = epoch + 1;
                        best = model.snapshot();
                    }
                }
                EpochResult r = new EpochResult(epoch + 1, lossSum / batches, valDice, lr,
                        (System.nanoTime() - epochStart) / 1e9);
                history.add(r);
                listeners.forEach(l -> l.onEpochEnd(r));
                if (checkpointer != null && ((epoch + 1) % checkpointEvery == 0 || epoch + 1 == epochs)) {
                    TrainerState state = new TrainerState(epoch + 1, session.steps(), model.snapshot(),
                            session.optimizerState(), history,
                            bestDice == Double.NEGATIVE_INFINITY ? 0 : bestEpoch,
                            bestDice == Double.NEGATIVE_INFINITY ? OptionalDouble.empty() : OptionalDouble.of(bestDice),
                            Optional.ofNullable(best));
                    try {
                        checkpointer.save(state, model);
                    } catch (IOException e) {
                        throw new UncheckedIOException("checkpoint after epoch " + (epoch + 1) + " failed: "
                                + e.getMessage(), e);
                    }
                }
            }
        }
        OptionalDouble bestValue = OptionalDouble.empty();
        TrainingResult.Selection selection;
        if (keepBest && best != null) {
            model.restore(best);
            bestValue = OptionalDouble.of(bestDice);
            selection = TrainingResult.Selection.BEST_VALIDATION_DICE;
        } else {
            if (!history.isEmpty()) {
                bestEpoch = history.size();
                bestValue = history.get(history.size() - 1).validationDice();
            }
            selection = validation.isEmpty() ? TrainingResult.Selection.LAST_EPOCH_NO_VALIDATION
                    : TrainingResult.Selection.LAST_EPOCH_SELECTION_OFF;
        }
        long steps = (long) epochs * batches;
        TrainingResult result = new TrainingResult(history, bestEpoch, bestValue, steps,
                Duration.ofNanos(System.nanoTime() - start), selection);
        listeners.forEach(l -> l.onTrainingEnd(result));
        return result;
    }

    /** Mean per-image foreground Dice of the model on {@code samples}. */
    public static double validationDice(SegmentationModel model, List<Sample> samples) {
        Segmenter segmenter = model.segmenter();
        List<Mask> predicted = segmenter.predictAll(samples.stream().map(Sample::image).toList());
        double sum = 0;
        for (int i = 0; i < samples.size(); i++) {
            sum += Dice.foreground(samples.get(i).mask(), predicted.get(i), model.spec().numClasses());
        }
        return sum / samples.size();
    }

    private static void checkLabels(Sample s, UNetSpec spec) {
        int max = s.mask().maxLabel();
        if (max >= spec.numClasses()) {
            throw new IllegalArgumentException("sample " + s.id() + " has label " + max + " but the model has "
                    + spec.numClasses() + " classes");
        }
    }

    /** A well-spread 64-bit seed from the run seed, the epoch and a sample index (SplitMix64 finaliser). */
    static long mix(long seed, long epoch, long index) {
        return BatchLoader.mix(seed, epoch, index);
    }

    /** Builder; {@link #build()} validates every setting at once. */
    public static final class Builder {
        private int epochs = 40;
        private int batchSize = 8;
        private LossSpec loss = Losses.crossEntropyPlusDice();
        private OptimizerSpec optimizer = Optimizers.adam(1e-3);
        private long seed = 1;
        private Augmentation augmentation = Augmentation.none();
        private boolean keepBest = true;
        private int loaderWorkers = Math.min(2, Runtime.getRuntime().availableProcessors());
        private int loaderPrefetch = 4;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private Checkpointer checkpointer;
        private int checkpointEvery = 1;

        private Builder() {
        }

        public Builder epochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder loss(LossSpec loss) {
            this.loss = loss;
            return this;
        }

        public Builder optimizer(OptimizerSpec optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        /** Seed for shuffling and augmentation. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder augmentation(Augmentation augmentation) {
            this.augmentation = augmentation;
            return this;
        }

        /**
         * Keep the weights of the best validation epoch (default true); off, or without validation data, the model
         * keeps the last epoch's. {@link TrainingResult#selection()} says which happened.
         */
        public Builder keepBest(boolean keepBest) {
            this.keepBest = keepBest;
            return this;
        }

        /**
         * Threads that augment and fit training batches while the model trains (default: 2, or 1 on a
         * single-processor machine). The batches do not depend on it.
         */
        public Builder loaderWorkers(int loaderWorkers) {
            this.loaderWorkers = loaderWorkers;
            return this;
        }

        /** Batches prepared ahead of the training step (default 4). The batches do not depend on it. */
        public Builder loaderPrefetch(int loaderPrefetch) {
            this.loaderPrefetch = loaderPrefetch;
            return this;
        }

        public Builder listener(TrainingListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Receives the trainer's state every {@code everyEpochs} epochs and after the last one, so an interrupted run
         * can be resumed with {@link Trainer#fit(SegmentationModel, List, List, TrainerState)}.
         */
        public Builder checkpointer(Checkpointer checkpointer, int everyEpochs) {
            this.checkpointer = Objects.requireNonNull(checkpointer, "checkpointer");
            this.checkpointEvery = everyEpochs;
            return this;
        }

        public Trainer build() {
            List<String> p = new ArrayList<>();
            if (epochs < 1) {
                p.add("epochs must be >= 1: " + epochs);
            }
            if (batchSize < 1 || batchSize > 4096) {
                p.add("batch size must be in 1..4096: " + batchSize);
            }
            if (loss == null) {
                p.add("loss must not be null");
            }
            if (optimizer == null) {
                p.add("optimizer must not be null");
            }
            if (augmentation == null) {
                p.add("augmentation must not be null");
            }
            if (loaderWorkers < 1 || loaderWorkers > 256) {
                p.add("loader workers must be in 1..256: " + loaderWorkers);
            }
            if (loaderPrefetch < 1 || loaderPrefetch > 1024) {
                p.add("loader prefetch must be in 1..1024: " + loaderPrefetch);
            }
            if (checkpointEvery < 1) {
                p.add("checkpoint interval must be >= 1 epoch: " + checkpointEvery);
            }
            if (!p.isEmpty()) {
                throw new IllegalArgumentException("invalid trainer: " + String.join("; ", p));
            }
            return new Trainer(this);
        }
    }
}

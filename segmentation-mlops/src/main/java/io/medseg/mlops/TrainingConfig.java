package io.medseg.mlops;

import io.medseg.data.DataFormat;
import io.medseg.recipe.Recipe;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything a training run needs, as a value: the recipe (network, loss, optimiser and schedule, augmentation,
 * epochs, batch size, inference settings), the seed, which data to train and validate on, and how the run is
 * recorded. {@link TrainingRuns#start} runs it; the run's {@code provenance.json} records it, so that
 * {@link TrainingRuns#resume} and {@link TrainingRuns#reproduce} can run it again.
 *
 * @param recipe how the model is trained and run
 * @param seed seeds the initial weights, the training order and the augmentation
 * @param data the data to train on
 * @param requestedEpochs the epoch count the caller asked for explicitly (so the recipe's was overridden), or
 *     empty when the recipe's own count applies; recorded as {@code epochs_option}
 * @param checkpointEvery write a checkpoint every this many epochs (and after the last)
 * @param tensorboard whether the run writes TensorBoard event files
 * @param histograms whether those include weight histograms
 */
public record TrainingConfig(Recipe recipe, long seed, DataSelection data, OptionalInt requestedEpochs,
        int checkpointEvery, boolean tensorboard, boolean histograms) {

    public TrainingConfig {
        Objects.requireNonNull(recipe, "recipe");
        Objects.requireNonNull(data, "data");
        requestedEpochs = requestedEpochs == null ? OptionalInt.empty() : requestedEpochs;
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("checkpoints every N epochs needs N >= 1: " + checkpointEvery);
        }
    }

    /** The recipe as it is, on {@code data}, with a checkpoint every epoch and TensorBoard events. */
    public static TrainingConfig of(Recipe recipe, long seed, DataSelection data) {
        return new TrainingConfig(recipe, seed, data, OptionalInt.empty(), 1, true, false);
    }

    /**
     * Which labelled data a run trains on.
     *
     * @param path a dataset folder or file, absolute
     * @param format its format, or empty to detect it from the content
     * @param skipCorrupt skip TFRecord records that fail their checksum instead of failing
     * @param patients the patients to use, or empty for all
     * @param validationPatients patients held out of training to pick the best epoch (may be empty); they are
     *     loaded whether or not {@code patients} lists them
     */
    public record DataSelection(Path path, Optional<DataFormat> format, boolean skipCorrupt,
            Optional<List<String>> patients, List<String> validationPatients) {
        public DataSelection {
            path = Objects.requireNonNull(path, "path").toAbsolutePath().normalize();
            format = format == null ? Optional.empty() : format;
            patients = patients == null ? Optional.empty() : patients.map(List::copyOf);
            validationPatients = validationPatients == null ? List.of() : List.copyOf(validationPatients);
        }

        /** Every patient of {@code path}, format detected, nothing held out. */
        public static DataSelection all(Path path) {
            return new DataSelection(path, Optional.empty(), false, Optional.empty(), List.of());
        }

        /** These patients of {@code path}, format detected, nothing held out. */
        public static DataSelection patients(Path path, List<String> patients) {
            return new DataSelection(path, Optional.empty(), false, Optional.of(patients), List.of());
        }
    }
}

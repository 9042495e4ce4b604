package io.medseg.train;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The outcome of {@link Trainer#fit}: every epoch, and which one's weights the model holds at the end and why.
 *
 * @param bestEpoch 1-based epoch whose weights the model now holds: the best validation Dice when
 *     {@code selection} is {@link Selection#BEST_VALIDATION_DICE}, else the last
 * @param bestValidationDice the validation Dice of that epoch, empty when there was no validation data
 * @param selection how that epoch was chosen
 */
public record TrainingResult(List<EpochResult> history, int bestEpoch, OptionalDouble bestValidationDice,
        long steps, Duration elapsed, Selection selection) {

    /** How the trainer chose the epoch whose weights the model keeps. */
    public enum Selection {
        /** The epoch with the best mean validation Dice (the earliest on ties): keeping the best was on. */
        BEST_VALIDATION_DICE,
        /** The last epoch: keeping the best was off, so the validation data only measured each epoch. */
        LAST_EPOCH_SELECTION_OFF,
        /** The last epoch: there was no validation data to select an epoch by. */
        LAST_EPOCH_NO_VALIDATION
    }

    public TrainingResult {
        history = List.copyOf(history);
        Objects.requireNonNull(bestValidationDice, "bestValidationDice");
        Objects.requireNonNull(selection, "selection");
    }

    /** The training loss of every epoch, in order. */
    public double[] lossCurve() {
        return history.stream().mapToDouble(EpochResult::trainLoss).toArray();
    }

    /**
     * What the model kept and why, in words: "kept epoch 31, the best validation Dice (0.9804)", "kept the last
     * epoch (40, validation Dice 0.9662): best-epoch selection off" or "kept the last epoch (40): no validation data
     * to select an epoch by".
     */
    public String summary() {
        String dice = bestValidationDice.isPresent()
                ? String.format(Locale.ROOT, "%.4f", bestValidationDice.getAsDouble()) : null;
        return switch (selection) {
            case BEST_VALIDATION_DICE -> "kept epoch " + bestEpoch + ", the best validation Dice ("
                    + (dice == null ? "-" : dice) + ")";
            case LAST_EPOCH_SELECTION_OFF -> "kept the last epoch (" + bestEpoch
                    + (dice == null ? "" : ", validation Dice " + dice) + "): best-epoch selection off";
            case LAST_EPOCH_NO_VALIDATION -> "kept the last epoch (" + bestEpoch
                    + "): no validation data to select an epoch by";
        };
    }
}

package io.medseg.train;

import io.medseg.backend.ModelState;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Everything {@link Trainer#fit} needs to continue a run exactly where it stopped: the weights and the optimiser's
 * state after {@code completedEpochs} epochs, the step counter, the history so far and the best epoch's weights.
 * Written by a {@link Checkpointer} after an epoch; given back to {@link Trainer#fit(io.medseg.backend.
 * SegmentationModel, List, List, TrainerState)} to resume.
 *
 * @param completedEpochs epochs finished (1-based count)
 * @param steps optimisation steps finished
 * @param weights the model's weights and statistics after the last finished epoch
 * @param optimizer the optimiser's slots after the last finished epoch
 * @param history one result per finished epoch
 * @param bestEpoch epoch with the best validation Dice so far, 0 when none
 * @param bestValidationDice that Dice, empty when there is no validation set
 * @param best the weights of the best epoch when the trainer keeps the best, else empty
 */
public record TrainerState(int completedEpochs, long steps, ModelState weights, ModelState optimizer,
        List<EpochResult> history, int bestEpoch, OptionalDouble bestValidationDice, Optional<ModelState> best) {
    public TrainerState {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(bestValidationDice, "bestValidationDice");
        Objects.requireNonNull(best, "best");
        history = List.copyOf(history);
        if (completedEpochs < 1) {
            throw new IllegalArgumentException("completed epochs must be >= 1: " + completedEpochs);
        }
        if (history.size() != completedEpochs) {
            throw new IllegalArgumentException("history has " + history.size() + " epochs but " + completedEpochs
                    + " are completed");
        }
        if (steps < completedEpochs) {
            throw new IllegalArgumentException("steps must be >= completed epochs: " + steps);
        }
        if (bestEpoch < 0 || bestEpoch > completedEpochs) {
            throw new IllegalArgumentException("best epoch must be in 0.." + completedEpochs + ": " + bestEpoch);
        }
    }
}

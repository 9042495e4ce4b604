package io.medseg.train;

import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The outcome of {@link Trainer#fit}: every epoch, and which one's weights the model holds at the end.
 *
 * @param bestEpoch 1-based epoch whose weights the model now holds (the best validation Dice when keeping the
 *     best, else the last)
 */
public record TrainingResult(List<EpochResult> history, int bestEpoch, OptionalDouble bestValidationDice,
        long steps, Duration elapsed) {
    public TrainingResult {
        history = List.copyOf(history);
    }

    /** The training loss of every epoch, in order. */
    public double[] lossCurve() {
        return history.stream().mapToDouble(EpochResult::trainLoss).toArray();
    }
}

package io.medseg.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.OptionalDouble;

/**
 * What one epoch did. In JSON (a run's {@code metrics.jsonl}, checkpoints, training logs):
 * {@code {"epoch", "loss", "val_dice" (only when measured), "learning_rate", "seconds"}}.
 *
 * @param epoch 1-based
 * @param trainLoss mean loss over the epoch's batches
 * @param validationDice mean per-image foreground Dice on the validation set, empty when there is none
 * @param learningRate the rate used in this epoch
 * @param seconds wall time of the epoch, validation included
 */
public record EpochResult(int epoch, @JsonProperty("loss") double trainLoss,
        @JsonProperty("val_dice") OptionalDouble validationDice,
        @JsonProperty("learning_rate") double learningRate, double seconds) {
    public EpochResult {
        validationDice = validationDice == null ? OptionalDouble.empty() : validationDice;
    }
}

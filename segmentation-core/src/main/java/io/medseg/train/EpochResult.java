package io.medseg.train;

import java.util.OptionalDouble;

/**
 * What one epoch did.
 *
 * @param epoch 1-based
 * @param trainLoss mean loss over the epoch's batches
 * @param validationDice mean per-image foreground Dice on the validation set, empty when there is none
 * @param learningRate the rate used in this epoch
 * @param seconds wall time of the epoch, validation included
 */
public record EpochResult(int epoch, double trainLoss, OptionalDouble validationDice, double learningRate,
        double seconds) {
}

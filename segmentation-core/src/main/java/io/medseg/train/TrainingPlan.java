package io.medseg.train;

/**
 * The shape of a training run, given to listeners before it starts.
 *
 * @param epochs the run's last epoch (1-based)
 * @param firstEpoch the first epoch this call trains: 1, or later when resuming from a checkpoint
 */
public record TrainingPlan(int epochs, int batchesPerEpoch, int trainingSamples, int validationSamples,
        int batchSize, int firstEpoch) {

    /** A plan that starts at epoch 1. */
    public TrainingPlan(int epochs, int batchesPerEpoch, int trainingSamples, int validationSamples, int batchSize) {
        this(epochs, batchesPerEpoch, trainingSamples, validationSamples, batchSize, 1);
    }
}

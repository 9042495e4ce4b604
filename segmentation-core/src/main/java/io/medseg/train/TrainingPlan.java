package io.medseg.train;

/** The shape of a training run, given to listeners before it starts. */
public record TrainingPlan(int epochs, int batchesPerEpoch, int trainingSamples, int validationSamples,
        int batchSize) {
}

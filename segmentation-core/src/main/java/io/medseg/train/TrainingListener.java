package io.medseg.train;

/** Callbacks from {@link Trainer#fit}; every method has an empty default. Called on the training thread. */
public interface TrainingListener {

    /** Before the first step. */
    default void onTrainingStart(TrainingPlan plan) {
    }

    /**
     * After each optimisation step.
     *
     * @param epoch 1-based
     * @param batch 1-based within the epoch
     */
    default void onBatchEnd(int epoch, int batch, float loss) {
    }

    default void onEpochEnd(EpochResult result) {
    }

    default void onTrainingEnd(TrainingResult result) {
    }
}

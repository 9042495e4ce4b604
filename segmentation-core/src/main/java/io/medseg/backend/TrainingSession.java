package io.medseg.backend;

/**
 * The training half of a model: one optimisation step at a time on a prepared batch. Obtained from
 * {@link SegmentationModel#trainingSession}; not thread-safe.
 */
public interface TrainingSession extends AutoCloseable {

    /**
     * Runs one optimisation step.
     *
     * @param images {@code batchSize x H x W x C} normalised network inputs, row-major, channel-last
     * @param labels {@code batchSize x H x W} class indices
     * @param learningRate the rate for this step
     * @return the loss of this batch before the update
     */
    float step(float[] images, byte[] labels, int batchSize, float learningRate);

    /** Steps run so far. */
    long steps();

    @Override
    void close();
}

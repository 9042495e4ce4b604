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

    /**
     * A copy of the optimiser's own state (for Adam the first and second moment of every weight, for SGD the
     * momentum), keyed by a name that does not depend on how many sessions the model has had. With the model's
     * {@link SegmentationModel#snapshot() weights} and {@link #steps()} it is everything a checkpoint needs to
     * continue training exactly where it stopped.
     */
    ModelState optimizerState();

    /**
     * Puts optimiser state back and sets the step counter (which drives Adam's bias correction), as saved by a
     * checkpoint of a session with the same optimiser and spec.
     *
     * @throws IllegalArgumentException if the state is missing a slot or a slot has the wrong size
     */
    void restoreOptimizerState(ModelState state, long steps);

    @Override
    void close();
}

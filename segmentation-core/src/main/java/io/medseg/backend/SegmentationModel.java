package io.medseg.backend;

import io.medseg.inference.Segmenter;
import io.medseg.loss.LossSpec;
import io.medseg.model.UNetSpec;
import io.medseg.optim.OptimizerSpec;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A network and its weights, owned by a backend. Holds native resources: close it (try-with-resources).
 * {@link #forward} and the {@link Segmenter} are thread-safe; training is not concurrent with them.
 */
public interface SegmentationModel extends AutoCloseable {

    UNetSpec spec();

    /** Name of the backend that owns the model. */
    String backendName();

    /** The precision this model computes at: what was asked for, or what the machine allowed instead. */
    default Precision precision() {
        return Precision.FP32;
    }

    /**
     * The raw network: {@code batchSize x H x W x C} normalised inputs (H, W, C from the spec) to
     * {@code batchSize x H x W x numClasses} class probabilities (softmax), in inference mode. {@code input} is
     * only read during the call (the caller may reuse it afterwards); the returned array is the caller's.
     */
    float[] forward(float[] input, int batchSize);

    /**
     * Adds the training graph for this loss and optimiser. One session per model at a time; closing it keeps the
     * trained weights in the model.
     */
    TrainingSession trainingSession(LossSpec loss, OptimizerSpec optimizer);

    /** A copy of all weights and statistics. */
    ModelState snapshot();

    /** Puts weights back from a snapshot of a model of the same spec. */
    void restore(ModelState state);

    /**
     * Writes the model into {@code dir} (created if needed): the backend's portable format plus the spec as
     * {@code model.json}. Loaded back with {@link Backend#load(Path)}.
     */
    void save(Path dir) throws IOException;

    /** Inference: preprocessing, network, mapping back to the image; thread-safe. */
    default Segmenter segmenter() {
        return new Segmenter(this);
    }

    @Override
    void close();
}

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
     * The gradient, with respect to the normalised input, of each image's cross-entropy against {@code labels}
     * averaged over that image's pixels: the direction an adversarial attack on the input steps along
     * ({@link io.medseg.inference.AdversarialAttack}). The network runs in inference mode, as in {@link #forward};
     * images do not interact, so entry {@code i} of the result is the gradient of image {@code i}'s own mean loss.
     * Thread-safe like {@link #forward}; {@code input} and {@code labels} are only read during the call.
     *
     * @param input {@code batchSize x H x W x C} normalised inputs
     * @param labels {@code batchSize x H x W} class indices, each in {@code 0..numClasses-1}
     * @return {@code batchSize x H x W x C}, the caller's
     * @throws UnsupportedOperationException if this backend cannot differentiate its network (the message says
     *     why)
     */
    default float[] inputGradient(float[] input, byte[] labels, int batchSize) {
        throw new UnsupportedOperationException("the " + backendName() + " backend gives no gradient of the loss "
                + "with respect to the input (adversarial attacks need one; the tensorflow backend has it)");
    }

    /**
     * Whether {@link #forwardWithDropout} works: whether this model can run its network with dropout active at
     * inference, for Monte-Carlo dropout. False unless a backend says otherwise.
     */
    default boolean supportsDropoutSampling() {
        return false;
    }

    /**
     * As {@link #forward}, but with the spec's dropout active as in training (each unit dropped with probability
     * {@code spec().dropout()}, the others scaled up) and everything else as in inference: one sample of
     * Monte-Carlo dropout, drawn from {@code seed} (the same seed, the same sample).
     *
     * @throws UnsupportedOperationException if this model cannot ({@link #supportsDropoutSampling}); the message
     *     says why
     */
    default float[] forwardWithDropout(float[] input, int batchSize, long seed) {
        throw new UnsupportedOperationException("this " + backendName() + " model cannot run its network with "
                + "dropout active at inference (its inference network has no dropout): only test-time augmentation "
                + "gives it an uncertainty");
    }

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
     * The weights of the inference network, batch norm folded into the convolution before it: what an exporter to
     * another runtime needs (the ONNX export reads them). One entry per layer parameter, named
     * {@code unet/<layer>/weights} and {@code unet/<layer>/bias} for the layers {@code enc1/conv1} ...
     * {@code bottleneck/conv2}, {@code dec<i>/upconv}, {@code dec<i>/conv1}, {@code dec<i>/conv2} and {@code head};
     * convolution kernels in {@code [kh, kw, in, out]} order, transpose-convolution kernels in
     * {@code [kh, kw, out, in]} order (that of the convolution they invert), both row-major. The network computes,
     * per convolution, {@code activation(conv(x, weights) + bias)} (the head has no activation), then a softmax over
     * the classes.
     *
     * @throws UnsupportedOperationException if this model cannot give them (the message says why)
     */
    default ModelState inferenceWeights() {
        throw new UnsupportedOperationException("the " + backendName() + " backend does not give a model's "
                + "inference weights");
    }

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

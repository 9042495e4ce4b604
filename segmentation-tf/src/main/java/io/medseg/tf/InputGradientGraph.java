package io.medseg.tf;

import io.medseg.model.UNetSpec;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TUint8;

/**
 * The gradient of the per-image cross-entropy with respect to the network input, added to a model's own graph:
 * labels placeholder {@code [N, H, W]} (uint8), the cross-entropy of the inference logits against them per pixel
 * ({@code SoftmaxCrossEntropyWithLogits}, which has a registered gradient), its mean over each image's pixels, the
 * sum of those means over the batch, and {@link Graph#addGradients} of that sum with respect to the input. Images do
 * not interact in the inference network, so each image's slice of the gradient is the gradient of its own mean.
 * Built once, on first use; runs in the model's session.
 */
final class InputGradientGraph {
    private final UNetSpec spec;
    private final Output<?> input;
    private final Placeholder<TUint8> labels;
    private final Output<?> gradient;

    private InputGradientGraph(UNetSpec spec, Output<?> input, Placeholder<TUint8> labels, Output<?> gradient) {
        this.spec = spec;
        this.input = input;
        this.labels = labels;
        this.gradient = gradient;
    }

    /**
     * Adds the gradient graph over {@code logits} ({@code [N, H, W, K]}) of the network whose input is
     * {@code input}, under the name scope {@code input_gradient}.
     */
    static InputGradientGraph build(Graph graph, UNetSpec spec, Output<?> input, Operand<TFloat32> logits) {
        Ops tf = Ops.create(graph).withSubScope("input_gradient");
        int k = spec.numClasses();
        Placeholder<TUint8> labels = tf.withName("labels").placeholder(TUint8.class,
                Placeholder.shape(Shape.of(-1, spec.inputHeight(), spec.inputWidth())));
        Operand<TFloat32> oneHot = tf.oneHot(tf.dtypes.cast(labels, TInt32.class), tf.constant(k), tf.constant(1f),
                tf.constant(0f));
        Operand<TInt32> flat = tf.constant(new int[] {-1, k});
        Operand<TFloat32> perPixel = tf.nn.softmaxCrossEntropyWithLogits(tf.reshape(logits, flat),
                tf.reshape(oneHot, flat)).loss();
        Operand<TFloat32> perImage = tf.math.mean(tf.reshape(perPixel,
                tf.constant(new int[] {-1, spec.inputHeight() * spec.inputWidth()})), tf.constant(1));
        Operand<TFloat32> loss = tf.withName("loss").reduceSum(perImage, tf.constant(0));
        Output<?>[] grads = graph.addGradients(loss.asOutput(), new Output<?>[] {input});
        if (grads.length != 1 || grads[0] == null) {
            throw new IllegalStateException("no gradient of the loss with respect to the input: check the graph");
        }
        return new InputGradientGraph(spec, input, labels, grads[0]);
    }

    /**
     * The logits under the softmax that yields {@code probabilities}, through any identities between them, as in a
     * loaded SavedModel.
     *
     * @throws IllegalStateException when {@code probabilities} is not a softmax of anything
     */
    @SuppressWarnings("unchecked")
    static Operand<TFloat32> logitsOf(Output<?> probabilities) {
        Output<?> o = probabilities;
        for (int hops = 0; hops < 16; hops++) {
            GraphOperation op = (GraphOperation) o.op();
            if (op.type().equals("Softmax")) {
                return (Operand<TFloat32>) op.input(0);
            }
            if (!op.type().equals("Identity")) {
                break;
            }
            o = op.input(0);
        }
        throw new IllegalStateException("the model's output " + probabilities.op().name() + " is not a softmax over "
                + "logits (it is " + o.op().type() + "): the input gradient needs the logits");
    }

    /** The gradient for one batch, run in {@code session}. */
    float[] run(Session session, FirstRuns firstRuns, float[] data, byte[] labelData, int batchSize) {
        spec.checkInputBatch(data.length, batchSize);
        long per = (long) spec.inputHeight() * spec.inputWidth();
        if (labelData.length != batchSize * per) {
            throw new IllegalArgumentException("labels of a batch of " + batchSize + " need " + (batchSize * per)
                    + " values, got " + labelData.length);
        }
        for (byte b : labelData) {
            if (b < 0 || b >= spec.numClasses()) {
                throw new IllegalArgumentException("label " + b + " is not a class of the model (0.."
                        + (spec.numClasses() - 1) + ")");
            }
        }
        try (TFloat32 x = Tensors.inputBatch(spec, data, batchSize);
                TUint8 y = Tensors.bytes(labelData, batchSize, spec.inputHeight(), spec.inputWidth())) {
            return firstRuns.run("input gradient", () -> {
                try (Result r = session.runner().feed(input, x).feed(labels, y).fetch(gradient).run()) {
                    return Tensors.toFloats(r.get(0));
                }
            });
        }
    }
}

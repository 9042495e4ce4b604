package io.medseg.benchmarks;

import io.medseg.backend.ModelState;
import io.medseg.model.Upsampling;
import io.medseg.model.UNetSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The medseg U-Net written the way a user of plain TensorFlow would have it, built with the TensorFlow Java API
 * alone and exported as a SavedModel: the baseline of {@link RawTensorFlowBenchmark}. Same topology as the
 * library's network (NHWC, 'SAME' convolutions; two 3x3 convolutions per level, each followed by batch norm and the
 * activation; 2x2 max pooling; 2x2 stride-2 transpose convolution plus bias for up-sampling; the skip connection
 * concatenated first, then the up-sampled tensor; a 1x1 head with bias; softmax), and batch norm left as a user's
 * graph has it: element-wise ops on its four variables, {@code x * inv + (beta - mean * inv)} with
 * {@code inv = rsqrt(variance + 1e-3) * gamma}, nothing folded.
 *
 * <p>The weights are variables (as in any SavedModel), set from a {@link ModelState} of a medseg model by their
 * medseg names ({@code unet/enc1/conv1/weights}, {@code unet/enc1/conv1/bn_gamma}, {@code unet/dec1/upconv/weights}
 * of shape {@code [2, 2, out, in]}, {@code unet/head/bias}, ...). Signature {@code serving_default}: input
 * {@code image} [N, H, W, C] to output {@code probabilities} [N, H, W, classes], tag {@code serve}.
 */
final class RawTensorFlowUNet {
    static final String TAG = "serve";
    static final String INPUT = "image";
    static final String OUTPUT = "probabilities";
    static final float BN_EPSILON = 1e-3f;

    private final UNetSpec spec;
    private final ModelState weights;
    private final Ops tf;
    private final List<Operand<TFloat32>> feeds = new ArrayList<>();
    private final List<Operand<TFloat32>> assigns = new ArrayList<>();
    private final List<float[]> values = new ArrayList<>();
    private final List<long[]> shapes = new ArrayList<>();

    private RawTensorFlowUNet(Ops tf, UNetSpec spec, ModelState weights) {
        this.tf = tf;
        this.spec = spec;
        this.weights = weights;
    }

    /**
     * Writes the SavedModel of {@code spec} with {@code weights} into {@code dir} (which must not exist yet).
     *
     * @throws IOException when the SavedModel cannot be written
     * @throws IllegalArgumentException when {@code weights} lack a variable of the network or have one of another
     *     size, or the spec uses what this builder does not (up-sampling other than transpose convolution)
     */
    static void export(UNetSpec spec, ModelState weights, Path dir) throws IOException {
        if (spec.upsampling() != Upsampling.TRANSPOSE_CONV) {
            throw new IllegalArgumentException("the raw TensorFlow U-Net up-samples by transpose convolution only, "
                    + "not " + spec.upsampling());
        }
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            RawTensorFlowUNet net = new RawTensorFlowUNet(tf, spec, weights);
            Placeholder<TFloat32> image = tf.withName(INPUT).placeholder(TFloat32.class, Placeholder.shape(
                    Shape.of(-1, spec.inputHeight(), spec.inputWidth(), spec.inputChannels())));
            Operand<TFloat32> probabilities = tf.withName(OUTPUT).nn.softmax(net.network(image));
            try (Session session = new Session(graph)) {
                net.assignWeights(session);
                Signature signature = Signature.builder().key(Signature.DEFAULT_KEY).input(INPUT, image)
                        .output(OUTPUT, probabilities).methodName("tensorflow/serving/predict").build();
                SavedModelBundle.exporter(dir.toString()).withTags(TAG).withSession(session)
                        .withSignature(signature).export();
            }
        }
    }

    private Operand<TFloat32> network(Operand<TFloat32> image) {
        Operand<TFloat32> x = image;
        int channels = spec.inputChannels();
        List<Operand<TFloat32>> skips = new ArrayList<>();
        for (int level = 0; level < spec.depth(); level++) {
            int f = spec.baseFilters() << level;
            x = convBlock("enc" + (level + 1), x, channels, f);
            skips.add(x);
            channels = f;
            x = tf.nn.maxPool(x, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
        }
        int bottom = spec.baseFilters() << spec.depth();
        x = convBlock("bottleneck", x, channels, bottom);
        channels = bottom;
        int h = spec.inputHeight() >> spec.depth();
        int w = spec.inputWidth() >> spec.depth();
        for (int level = spec.depth() - 1; level >= 0; level--) {
            String block = "dec" + (level + 1);
            int f = spec.baseFilters() << level;
            h *= 2;
            w *= 2;
            x = upConv(block + "/upconv", x, channels, f, h, w);
            x = tf.concat(List.of(skips.get(level), x), tf.constant(3));
            x = convBlock(block, x, 2 * f, f);
            channels = f;
        }
        Operand<TFloat32> logits = tf.nn.conv2d(x, variable("head/weights", 1, 1, channels, spec.numClasses()),
                List.of(1L, 1L, 1L, 1L), "SAME");
        return tf.nn.biasAdd(logits, variable("head/bias", spec.numClasses()));
    }

    private Operand<TFloat32> convBlock(String block, Operand<TFloat32> x, int in, int out) {
        Operand<TFloat32> y = conv(block + "/conv1", x, in, out);
        return conv(block + "/conv2", y, out, out);
    }

    private Operand<TFloat32> conv(String layer, Operand<TFloat32> x, int in, int out) {
        int k = spec.kernelSize();
        Operand<TFloat32> y = tf.nn.conv2d(x, variable(layer + "/weights", k, k, in, out), List.of(1L, 1L, 1L, 1L),
                "SAME");
        if (spec.batchNorm()) {
            Operand<TFloat32> gamma = variable(layer + "/bn_gamma", out);
            Operand<TFloat32> beta = variable(layer + "/bn_beta", out);
            Operand<TFloat32> mean = variable(layer + "/bn_moving_mean", out);
            Operand<TFloat32> variance = variable(layer + "/bn_moving_variance", out);
            Operand<TFloat32> inv = tf.math.mul(tf.math.rsqrt(tf.math.add(variance, tf.constant(BN_EPSILON))), gamma);
            y = tf.math.add(tf.math.mul(y, inv), tf.math.sub(beta, tf.math.mul(mean, inv)));
        } else {
            y = tf.nn.biasAdd(y, variable(layer + "/bias", out));
        }
        return switch (spec.activation()) {
            case RELU -> tf.nn.relu(y);
            case LEAKY_RELU -> tf.nn.leakyRelu(y, LeakyRelu.alpha(0.01f));
            case ELU -> tf.nn.elu(y);
        };
    }

    /** 2x2 stride-2 transpose convolution from {@code in} to {@code out} channels, plus bias. */
    private Operand<TFloat32> upConv(String layer, Operand<TFloat32> x, int in, int out, int h, int w) {
        Operand<TInt32> batch = tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
        Operand<TInt32> outShape = tf.concat(List.of(batch, tf.constant(new int[] {h, w, out})), tf.constant(0));
        // the filter of conv2dBackpropInput is that of the forward conv it inverts: [kh, kw, out, in]
        Operand<TFloat32> y = tf.nn.conv2dBackpropInput(outShape, variable(layer + "/weights", 2, 2, out, in), x,
                List.of(1L, 2L, 2L, 1L), "SAME");
        return tf.nn.biasAdd(y, variable(layer + "/bias", out));
    }

    /** The variable {@code unet/<name>} of this shape, to be set from the weights of the same name. */
    private Operand<TFloat32> variable(String name, long... shape) {
        String full = "unet/" + name;
        float[] value;
        try {
            value = weights.get(full);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the weights lack " + full + ", a variable of the network", e);
        }
        long size = Shape.of(shape).size();
        if (value.length != size) {
            throw new IllegalArgumentException("weights " + full + " hold " + value.length + " values, the network's "
                    + Shape.of(shape) + " variable " + size);
        }
        // op names may not contain '/': the path becomes name scopes
        Ops scope = tf;
        String[] parts = full.split("/", -1);
        for (int i = 0; i < parts.length - 1; i++) {
            scope = scope.withSubScope(parts[i]);
        }
        String leaf = parts[parts.length - 1];
        Variable<TFloat32> v = scope.withName(leaf).variable(Shape.of(shape), TFloat32.class);
        Placeholder<TFloat32> feed = scope.withName(leaf + "_feed").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(shape)));
        feeds.add(feed);
        assigns.add(scope.withName(leaf + "_assign").assign(v, feed));
        values.add(value);
        shapes.add(shape);
        return v;
    }

    private void assignWeights(Session session) {
        Session.Runner runner = session.runner();
        List<Tensor> fed = new ArrayList<>();
        try {
            for (int i = 0; i < feeds.size(); i++) {
                TFloat32 t = TFloat32.tensorOf(Shape.of(shapes.get(i)), DataBuffers.of(values.get(i), true, false));
                fed.add(t);
                runner.feed(feeds.get(i), t).addTarget(assigns.get(i));
            }
            runner.run().close();
        } finally {
            fed.forEach(Tensor::close);
        }
    }
}

package io.medseg.tf;

import io.medseg.model.UNetSpec;
import io.medseg.model.Upsampling;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Builds a U-Net from a {@link UNetSpec} into a graph, NHWC. Every layer lives in a named scope
 * ({@code enc1/conv1}, {@code bottleneck/conv2}, {@code dec2/upconv}, {@code head}) so the graph reads well in
 * TensorBoard. The network is built twice over the same variables: a training path (batch statistics, dropout,
 * moving-average updates) and an inference path (moving statistics, no dropout).
 *
 * <p>A <em>folded</em> graph is the inference path alone with batch norm folded into each convolution's kernel and
 * bias ({@link Folding}): every convolution is then conv, bias add and activation, which oneDNN runs as one fused
 * kernel. That is the graph a saved model holds.
 */
final class UNetGraph {
    static final String INPUT = "image";
    static final float BN_EPSILON = 1e-3f;
    static final float BN_MOMENTUM = 0.9f;

    private final UNetSpec spec;
    private final Ops tf;
    private final Variables variables;
    private final Placeholder<TFloat32> input;
    private final List<Op> batchNormUpdates = new ArrayList<>();
    private final long seed;
    private final boolean folded;
    private final List<String> batchNormLayers = new ArrayList<>();
    private int randomOps;
    private Operand<TFloat32> inferenceLogits;
    private Operand<TFloat32> inferenceProbabilities;
    private Operand<TFloat32> trainingLogits;
    private Placeholder<TInt64> dropoutSeed;
    private Operand<TFloat32> dropoutProbabilities;

    UNetGraph(Ops tf, UNetSpec spec, long seed) {
        this(tf, spec, seed, false);
    }

    /** With {@code folded}, the inference path alone, batch norm folded into the convolutions. */
    UNetGraph(Ops tf, UNetSpec spec, long seed, boolean folded) {
        this.tf = tf;
        this.spec = spec;
        this.seed = seed;
        this.folded = folded;
        this.variables = new Variables();
        this.input = tf.withName(INPUT).placeholder(TFloat32.class, Placeholder.shape(
                Shape.of(-1, spec.inputHeight(), spec.inputWidth(), spec.inputChannels())));
        // inference path first: it creates the variables; the training path reuses them
        this.inferenceLogits = network(tf.withSubScope("unet"), false, null);
        this.inferenceProbabilities = tf.withName("probabilities").nn.softmax(inferenceLogits);
    }

    Placeholder<TFloat32> input() {
        return input;
    }

    Variables variables() {
        return variables;
    }

    Operand<TFloat32> probabilities() {
        return inferenceProbabilities;
    }

    Operand<TFloat32> inferenceLogits() {
        return inferenceLogits;
    }

    /**
     * The layers ({@code enc1/conv1}, ...) whose convolution is followed by batch norm in the trained network: in a
     * folded graph, those whose {@code bias} holds the folded batch norm.
     */
    List<String> batchNormLayers() {
        return List.copyOf(batchNormLayers);
    }

    /** The training-mode logits, built on first use. */
    Operand<TFloat32> trainingLogits() {
        if (folded) {
            throw new IllegalStateException("a folded graph has no training path");
        }
        if (trainingLogits == null) {
            trainingLogits = network(tf.withSubScope("train"), true, null);
        }
        return trainingLogits;
    }

    /**
     * The inference network (moving statistics, or batch norm folded) with the spec's dropout active as in training:
     * one Monte-Carlo dropout sample per run, drawn statelessly from the two seeds fed to {@link #dropoutSeed()}, so
     * the same seeds give the same sample. Built on first use, over the same variables.
     *
     * @throws IllegalStateException if the spec has no dropout
     */
    Operand<TFloat32> dropoutProbabilities() {
        if (spec.dropout() <= 0) {
            throw new IllegalStateException("the spec has no dropout");
        }
        if (dropoutProbabilities == null) {
            dropoutSeed = tf.withName("mc_dropout_seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
            Operand<TFloat32> logits = network(tf.withSubScope("mc_dropout"), false, dropoutSeed);
            dropoutProbabilities = tf.withName("mc_dropout_probabilities").nn.softmax(logits);
        }
        return dropoutProbabilities;
    }

    /** The seed input of {@link #dropoutProbabilities()}: two int64s. */
    Placeholder<TInt64> dropoutSeed() {
        dropoutProbabilities();
        return dropoutSeed;
    }

    /** Moving-average updates of batch norm, to run with every training step. */
    List<Op> batchNormUpdates() {
        trainingLogits();
        return List.copyOf(batchNormUpdates);
    }

    /** The network; dropout is active in training, and at inference when {@code dropoutSeed} is given. */
    private Operand<TFloat32> network(Ops scope, boolean training, Operand<TInt64> dropoutSeed) {
        Operand<TFloat32> x = input;
        int channels = spec.inputChannels();
        List<Operand<TFloat32>> skips = new ArrayList<>();
        for (int level = 0; level < spec.depth(); level++) {
            String name = "enc" + (level + 1);
            int f = spec.baseFilters() << level;
            x = convBlock(scope.withSubScope(name), name, x, channels, f, training);
            skips.add(x);
            channels = f;
            x = scope.withSubScope(name).withName("pool").nn.maxPool(x, scope.constant(new int[] {1, 2, 2, 1}),
                    scope.constant(new int[] {1, 2, 2, 1}), "VALID");
        }
        int bottom = spec.baseFilters() << spec.depth();
        x = convBlock(scope.withSubScope("bottleneck"), "bottleneck", x, channels, bottom, training);
        if ((training || dropoutSeed != null) && spec.dropout() > 0) {
            x = dropout(scope.withSubScope("bottleneck"), x, spec.dropout(), dropoutSeed);
        }
        channels = bottom;
        int h = spec.inputHeight() >> spec.depth();
        int w = spec.inputWidth() >> spec.depth();
        for (int level = spec.depth() - 1; level >= 0; level--) {
            String name = "dec" + (level + 1);
            int f = spec.baseFilters() << level;
            h *= 2;
            w *= 2;
            Ops s = scope.withSubScope(name);
            if (spec.upsampling() != Upsampling.TRANSPOSE_CONV) {
                throw new IllegalArgumentException("unsupported upsampling: " + spec.upsampling());
            }
            x = transposeConv(s, name, x, channels, f, h, w);
            x = s.withName("concat").concat(List.of(skips.get(level), x), s.constant(3));
            x = convBlock(s, name, x, 2 * f, f, training);
            channels = f;
        }
        Ops head = scope.withSubScope("head");
        Variable<TFloat32> hw = weight(head, "head", "weights", new long[] {1, 1, channels, spec.numClasses()},
                channels);
        Variable<TFloat32> hb = bias(head, "head", "bias", spec.numClasses());
        Operand<TFloat32> logits = head.nn.conv2d(x, hw, List.of(1L, 1L, 1L, 1L), "SAME");
        return head.withName("logits").nn.biasAdd(logits, hb);
    }

    private Operand<TFloat32> convBlock(Ops scope, String block, Operand<TFloat32> x, int in, int out,
            boolean training) {
        x = conv(scope.withSubScope("conv1"), block + "/conv1", x, in, out, training);
        return conv(scope.withSubScope("conv2"), block + "/conv2", x, out, out, training);
    }

    private Operand<TFloat32> conv(Ops scope, String layer, Operand<TFloat32> x, int in, int out, boolean training) {
        int k = spec.kernelSize();
        Variable<TFloat32> kernel = weight(scope, layer, "weights", new long[] {k, k, in, out}, (long) k * k * in);
        Operand<TFloat32> y = scope.nn.conv2d(x, kernel, List.of(1L, 1L, 1L, 1L), "SAME");
        if (spec.batchNorm() && !training && !batchNormLayers.contains(layer)) {
            batchNormLayers.add(layer);
        }
        if (spec.batchNorm() && !folded) {
            y = batchNorm(scope, layer, y, out, training);
        } else {
            y = scope.nn.biasAdd(y, bias(scope, layer, "bias", out));
        }
        return activation(scope, y);
    }

    private Operand<TFloat32> batchNorm(Ops scope, String layer, Operand<TFloat32> x, int channels,
            boolean training) {
        Variable<TFloat32> gamma = variable(scope, layer, "bn_gamma", new long[] {channels}, Variables.Init.ONES,
                1, true);
        Variable<TFloat32> beta = variable(scope, layer, "bn_beta", new long[] {channels}, Variables.Init.ZEROS, 1,
                true);
        Variable<TFloat32> movingMean = variable(scope, layer, "bn_moving_mean", new long[] {channels},
                Variables.Init.ZEROS, 1, false);
        Variable<TFloat32> movingVar = variable(scope, layer, "bn_moving_variance", new long[] {channels},
                Variables.Init.ONES, 1, false);
        Operand<TFloat32> mean;
        Operand<TFloat32> var;
        if (training) {
            Operand<TInt32> axes = scope.constant(new int[] {0, 1, 2});
            mean = scope.math.mean(x, axes);
            Operand<TFloat32> centred = scope.math.sub(x, mean);
            var = scope.math.mean(scope.math.square(centred), axes);
            Operand<TFloat32> m = scope.constant(BN_MOMENTUM);
            Operand<TFloat32> oneMinus = scope.constant(1f - BN_MOMENTUM);
            batchNormUpdates.add(scope.withName("update_moving_mean").assign(movingMean,
                    scope.math.add(scope.math.mul(movingMean, m), scope.math.mul(scope.stopGradient(mean),
                            oneMinus))));
            batchNormUpdates.add(scope.withName("update_moving_variance").assign(movingVar,
                    scope.math.add(scope.math.mul(movingVar, m), scope.math.mul(scope.stopGradient(var),
                            oneMinus))));
        } else {
            mean = movingMean;
            var = movingVar;
        }
        Operand<TFloat32> inv = scope.math.mul(scope.math.rsqrt(scope.math.add(var, scope.constant(BN_EPSILON))),
                gamma);
        // x * inv + (beta - mean * inv)
        return scope.withName("bn").math.add(scope.math.mul(x, inv),
                scope.math.sub(beta, scope.math.mul(mean, inv)));
    }

    private Operand<TFloat32> activation(Ops scope, Operand<TFloat32> x) {
        return switch (spec.activation()) {
            case RELU -> scope.nn.relu(x);
            case LEAKY_RELU -> scope.nn.leakyRelu(x, LeakyRelu.alpha(0.01f));
            case ELU -> scope.nn.elu(x);
        };
    }

    /** A learned 2x2, stride-2 transpose convolution from {@code in} to {@code out} channels. */
    private Operand<TFloat32> transposeConv(Ops scope, String block, Operand<TFloat32> x, int in, int out, int h,
            int w) {
        Ops s = scope.withSubScope("upconv");
        // conv2dBackpropInput's filter is that of the forward conv it inverts: [kh, kw, out, in]
        Variable<TFloat32> kernel = weight(s, block + "/upconv", "weights", new long[] {2, 2, out, in}, 4L * in);
        Variable<TFloat32> b = bias(s, block + "/upconv", "bias", out);
        Operand<TInt32> batch = s.slice(s.shape(x), s.constant(new int[] {0}), s.constant(new int[] {1}));
        Operand<TInt32> outShape = s.concat(List.of(batch, s.constant(new int[] {h, w, out})), s.constant(0));
        Operand<TFloat32> y = s.nn.conv2dBackpropInput(outShape, kernel, x, List.of(1L, 2L, 2L, 1L), "SAME");
        return s.nn.biasAdd(y, b);
    }

    /** Inverted dropout; stateless from {@code statelessSeed} when given, else from the graph's seed. */
    private Operand<TFloat32> dropout(Ops scope, Operand<TFloat32> x, double rate, Operand<TInt64> statelessSeed) {
        Ops s = scope.withSubScope("dropout");
        Operand<TFloat32> u;
        if (statelessSeed != null) {
            u = s.random.statelessRandomUniform(s.shape(x), statelessSeed, TFloat32.class);
        } else {
            randomOps++;
            u = s.random.randomUniform(s.shape(x), TFloat32.class, RandomUniform.seed(seed),
                    RandomUniform.seed2((long) randomOps));
        }
        Operand<TFloat32> keep = s.dtypes.cast(s.math.greaterEqual(u, s.constant((float) rate)), TFloat32.class);
        return s.math.mul(x, s.math.mul(keep, s.constant((float) (1.0 / (1.0 - rate)))));
    }

    private Variable<TFloat32> weight(Ops scope, String layer, String name, long[] shape, long fanIn) {
        return variable(scope, layer, name, shape, Variables.Init.HE_NORMAL, fanIn, true);
    }

    private Variable<TFloat32> bias(Ops scope, String layer, String name, long size) {
        return variable(scope, layer, name, new long[] {size}, Variables.Init.ZEROS, 1, true);
    }

    /** The variable {@code unet/<layer>/<name>}, created on the inference pass and reused by the training pass. */
    private Variable<TFloat32> variable(Ops scope, String layer, String name, long[] shape, Variables.Init init,
            long fanIn, boolean trainable) {
        String full = "unet/" + layer + "/" + name;
        if (variables.contains(full)) {
            return variables.get(full).variable();
        }
        Variable<TFloat32> v = variables.create(scope, name, shape, init, fanIn, trainable);
        if (!v.op().name().equals(full)) {
            throw new IllegalStateException("variable named " + v.op().name() + ", expected " + full);
        }
        return v;
    }
}

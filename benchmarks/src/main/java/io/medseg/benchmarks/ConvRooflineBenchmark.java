package io.medseg.benchmarks;

import io.medseg.backend.Precision;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * What this machine's TensorFlow does at best on the U-Net's kind of work: one 3x3 convolution from 64 to 64
 * channels on a 256x256 map, batch 8, NHWC, 'SAME', in graph mode (a session on a graph with the kernel in a
 * variable, as in a SavedModel), on one input tensor made once. The bf16 run turns on oneDNN's bf16 rewrite as
 * {@link RawTensorFlowBenchmark} does, so it includes the conversion of the fp32 input and output. The setup
 * checks 64 output values against the convolution computed in Java (and, at bf16, that they are not fp32's).
 *
 * <p><b>Reading the result:</b> the primary score is convolutions (batches) per second; {@code :gflop} is GFLOP per
 * second, {@code 2 * 3 * 3 * 64 * 64 * 256 * 256 * 8 = 38.65 GFLOP} per call ({@link #GFLOP_PER_IMAGE} per image).
 * A U-Net's GFLOP/s ({@code :gflop} of the other benchmarks) divided by this figure at the same precision is the
 * fraction of the machine's convolution speed it reaches ({@link ResultsTable}).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ConvRoofline}.
 */
public class ConvRooflineBenchmark extends ThroughputSettings {
    static final int BATCH = 8;
    static final int SIZE = 256;
    static final int CHANNELS = 64;
    static final int KERNEL = 3;
    static final double GFLOP_PER_IMAGE = Flops.conv(SIZE, SIZE, KERNEL, CHANNELS, CHANNELS) / 1e9;

    /** {@code fp32}, or {@code bf16} (oneDNN's bf16 rewrite). */
    @Param({"fp32", "bf16"})
    String precision;

    private Graph graph;
    private Session session;
    private Placeholder<TFloat32> x;
    private Operand<TFloat32> y;
    private TFloat32 input;

    @Setup(Level.Trial)
    public void setUp() {
        Precision p = Networks.precision(precision);
        SplittableRandom random = new SplittableRandom(Networks.SEED);
        float[] in = new float[BATCH * SIZE * SIZE * CHANNELS];
        for (int i = 0; i < in.length; i++) {
            in[i] = (float) random.nextDouble(-1, 1);
        }
        float[] kernel = new float[KERNEL * KERNEL * CHANNELS * CHANNELS];
        double sd = Math.sqrt(2.0 / (KERNEL * KERNEL * CHANNELS));
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] = (float) random.nextDouble(-sd, sd);
        }
        graph = new Graph();
        try {
            Ops tf = Ops.create(graph);
            Shape kernelShape = Shape.of(KERNEL, KERNEL, CHANNELS, CHANNELS);
            Variable<TFloat32> w = tf.withName("kernel").variable(kernelShape, TFloat32.class);
            Placeholder<TFloat32> wFeed = tf.withName("kernel_feed").placeholder(TFloat32.class,
                    Placeholder.shape(kernelShape));
            Operand<TFloat32> assign = tf.assign(w, wFeed);
            x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(BATCH, SIZE, SIZE,
                    CHANNELS)));
            // fetched through an identity: TensorFlow keeps a fetched node's own type, so a fetched conv2d would
            // stay fp32 under the bf16 rewrite
            y = tf.withName("y").identity(tf.nn.conv2d(x, w, List.of(1L, 1L, 1L, 1L), "SAME"));
            session = p == Precision.BF16 ? new Session(graph, RawTensorFlowBenchmark.bf16Config())
                    : new Session(graph);
            try (TFloat32 k = TFloat32.tensorOf(kernelShape, DataBuffers.of(kernel, true, false))) {
                session.runner().feed(wFeed, k).addTarget(assign).run().close();
            }
            input = TFloat32.tensorOf(Shape.of(BATCH, SIZE, SIZE, CHANNELS), DataBuffers.of(in, true, false));
            check(in, kernel, p);
        } catch (RuntimeException e) {
            tearDown();
            throw e;
        }
    }

    /**
     * Compares 64 output values with the convolution in double precision, each error relative to the root sum of
     * squares of its products: fp32 must be within 1e-5, bf16 within 5e-2 and above 1e-5 (rounded to bf16).
     */
    private void check(float[] in, float[] kernel, Precision p) {
        SplittableRandom random = new SplittableRandom(Networks.SEED + 2);
        double worst = 0;
        try (Result r = session.runner().feed(x, input).fetch(y).run()) {
            TFloat32 out = (TFloat32) r.get(0);
            for (int s = 0; s < 64; s++) {
                int n = random.nextInt(BATCH);
                // the borders too: padding is part of 'SAME'
                int row = s < 8 ? (s % 2 == 0 ? 0 : SIZE - 1) : random.nextInt(SIZE);
                int col = random.nextInt(SIZE);
                int o = random.nextInt(CHANNELS);
                double sum = 0;
                double squares = 0;
                for (int dy = 0; dy < KERNEL; dy++) {
                    for (int dx = 0; dx < KERNEL; dx++) {
                        int iy = row + dy - KERNEL / 2;
                        int ix = col + dx - KERNEL / 2;
                        if (iy < 0 || iy >= SIZE || ix < 0 || ix >= SIZE) {
                            continue;
                        }
                        for (int c = 0; c < CHANNELS; c++) {
                            double t = (double) in[((n * SIZE + iy) * SIZE + ix) * CHANNELS + c]
                                    * kernel[((dy * KERNEL + dx) * CHANNELS + c) * CHANNELS + o];
                            sum += t;
                            squares += t * t;
                        }
                    }
                }
                double err = Math.abs(out.getFloat(n, row, col, o) - sum) / Math.sqrt(squares);
                worst = Math.max(worst, Double.isNaN(err) ? Double.POSITIVE_INFINITY : err);
            }
        }
        boolean ok = p == Precision.BF16 ? worst > 1e-5 && worst < 5e-2 : worst < 1e-5;
        if (!ok) {
            throw new IllegalStateException(String.format(Locale.ROOT, "the %s convolution is off the Java one by "
                    + "up to %.3g (relative): %s", p.label(), worst, p == Precision.BF16 && worst <= 1e-5
                            ? "fp32 accuracy, so the bf16 rewrite did not take effect" : "wrong result"));
        }
        System.out.printf(Locale.ROOT, "check: the %s convolution matches the Java one to %.2g (relative)%n",
                p.label(), worst);
    }

    @Benchmark
    public float conv(Work work) {
        try (Result r = session.runner().feed(x, input).fetch(y).run()) {
            work.add(BATCH, GFLOP_PER_IMAGE);
            return ((TFloat32) r.get(0)).getFloat(0, 0, 0, 0);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (input != null) {
            input.close();
            input = null;
        }
        if (session != null) {
            session.close();
            session = null;
        }
        if (graph != null) {
            graph.close();
            graph = null;
        }
    }
}

package io.medseg.benchmarks;

import io.medseg.backend.ModelState;
import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.model.UNetSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;

/**
 * The baseline every other figure is divided by: the medseg U-Net as a user of plain TensorFlow would run it. The
 * network is written with the TensorFlow Java API ({@link RawTensorFlowUNet}: batch norm as element-wise ops,
 * nothing folded), given the medseg model's weights, exported with {@code SavedModelBundle.exporter}, loaded with
 * {@code SavedModelBundle.load} (fp32) or with a {@code ConfigProto} that turns on oneDNN's bf16 rewrite
 * ({@code RewriterConfig.auto_mixed_precision_onednn_bfloat16}, bf16), and run through its serving signature's
 * tensors on one input tensor made once in the setup; each call fetches the probabilities and closes the result.
 * No Java arrays are copied in or out: this is TensorFlow's own time for the graph.
 *
 * <p>The setup fails unless the exported model's fp32 output equals the medseg model's own
 * {@code forward} (the unfolded trainable graph, same weights) to 1e-4 on the same real frames, so that the
 * baseline is the same network; and, at bf16, unless the bf16 output differs from the fp32 one (the rewrite ran).
 *
 * <p><b>Reading the result:</b> the primary score is batches per second; the secondary {@code :images} row is
 * images per second and {@code :gflop} GFLOP per second ({@link Flops}). Ratios: divide another benchmark's
 * images/s by this one's for the same {@code network} and {@code batch} at {@code precision=fp32}
 * ({@link ResultsTable} does it).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RawTensorFlow}.
 */
public class RawTensorFlowBenchmark extends ThroughputSettings {

    /** {@code unet256} or {@code cardiac} ({@link Networks#spec}). */
    @Param({Networks.UNET256, Networks.CARDIAC})
    String network;

    /** Images per call. */
    @Param({"1", "8"})
    int batch;

    /** {@code fp32}, or {@code bf16} (oneDNN's bf16 rewrite). */
    @Param({"fp32", "bf16"})
    String precision;

    private SavedModelBundle bundle;
    private Session session;
    private String inputName;
    private String outputName;
    private TFloat32 input;
    private double gflopPerImage;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        UNetSpec spec = Networks.spec(network);
        Precision p = Networks.precision(precision);
        gflopPerImage = Flops.unetGflop(spec);
        List<Image> images = Networks.firstImages(Networks.frames(), batch);
        float[] x = Networks.input(spec, images);
        ModelState weights;
        float[] expected;
        try (SegmentationModel medseg = Networks.trainable(Networks.backend(), spec)) {
            weights = medseg.snapshot();
            expected = medseg.forward(x, batch);
        }
        Path dir = Files.createTempDirectory("medseg-bench-rawtf-");
        try {
            Path export = dir.resolve("model");
            RawTensorFlowUNet.export(spec, weights, export);
            input = TFloat32.tensorOf(Shape.of(batch, spec.inputHeight(), spec.inputWidth(), spec.inputChannels()),
                    DataBuffers.of(x, true, false));
            float[] fp32;
            try (SavedModelBundle check = SavedModelBundle.load(export.toString(), RawTensorFlowUNet.TAG)) {
                fp32 = run(check);
            }
            Networks.requireClose("the raw TensorFlow model", fp32, "the medseg model's forward", expected,
                    Networks.FP32_TOLERANCE);
            bundle = p == Precision.BF16
                    ? SavedModelBundle.loader(export.toString()).withTags(RawTensorFlowUNet.TAG)
                            .withConfigProto(bf16Config()).load()
                    : SavedModelBundle.load(export.toString(), RawTensorFlowUNet.TAG);
            session = bundle.session();
            if (p == Precision.BF16) {
                Networks.requireRewritten("the raw TensorFlow model", run(bundle), fp32);
            }
        } catch (RuntimeException | IOException e) {
            tearDown();
            throw e;
        } finally {
            Networks.deleteQuietly(dir);
        }
    }

    /** The session configuration a TensorFlow user writes for bf16 on a CPU: oneDNN's mixed-precision rewrite. */
    static ConfigProto bf16Config() {
        return ConfigProto.newBuilder().setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(
                RewriterConfig.newBuilder().setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON).build())
                .build()).build();
    }

    /** Runs {@code b} once on the input and copies the probabilities out (setup checks only). */
    private float[] run(SavedModelBundle b) {
        SignatureDef sig = b.metaGraphDef().getSignatureDefMap().get(Signature.DEFAULT_KEY);
        if (sig == null || !sig.getInputsMap().containsKey(RawTensorFlowUNet.INPUT)
                || !sig.getOutputsMap().containsKey(RawTensorFlowUNet.OUTPUT)) {
            throw new IllegalStateException("the exported model has no " + Signature.DEFAULT_KEY + " signature from "
                    + RawTensorFlowUNet.INPUT + " to " + RawTensorFlowUNet.OUTPUT);
        }
        inputName = sig.getInputsMap().get(RawTensorFlowUNet.INPUT).getName();
        outputName = sig.getOutputsMap().get(RawTensorFlowUNet.OUTPUT).getName();
        try (Result r = b.session().runner().feed(inputName, input).fetch(outputName).run()) {
            TFloat32 out = (TFloat32) r.get(0);
            float[] values = new float[Math.toIntExact(out.shape().size())];
            out.copyTo(DataBuffers.of(values, false, false));
            return values;
        }
    }

    @Benchmark
    public float predict(Work work) {
        try (Result r = session.runner().feed(inputName, input).fetch(outputName).run()) {
            work.add(batch, gflopPerImage);
            // one value read back, so that the result is used
            return ((TFloat32) r.get(0)).getFloat(0, 0, 0, 0);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (bundle != null) {
            bundle.close();
            bundle = null;
        }
        if (input != null) {
            input.close();
            input = null;
        }
    }
}

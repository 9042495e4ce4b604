package io.medseg.benchmarks;

import io.medseg.backend.BackendUnavailableException;
import io.medseg.backend.Backends;
import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Sample;
import io.medseg.onnx.OnnxExport;
import io.medseg.onnx.OnnxOptimization;
import io.medseg.onnx.OnnxRuntimeBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The same model on ONNX Runtime Java: the benchmark weights ({@link Networks}) saved as the TensorFlow backend saves
 * them, exported with {@link OnnxExport} and loaded by the ONNX backend at each of ONNX Runtime's graph optimisation
 * levels; {@link #forward} is {@code SegmentationModel.forward} on one prepared, normalised batch, the counterpart of
 * {@link SegmenterThroughputBenchmark#forward} at fp32 (run both in one JMH run and compare the images/s of the same
 * network and batch). The setup checks, and fails otherwise, that the ONNX model gives the TensorFlow model's
 * probabilities to {@value Networks#FP32_TOLERANCE}. {@code -Dmedseg.bench.model=DIR} runs a saved cardiac model (a
 * trained one) instead, exported here.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar 'OnnxRuntime|SegmenterThroughputBenchmark.forward'
 * -p precision=fp32}.
 */
public class OnnxRuntimeBenchmark extends ThroughputSettings {

    /** {@code unet256} or {@code cardiac} ({@link Networks#spec}). */
    @Param({Networks.UNET256, Networks.CARDIAC})
    String network;

    /** Images per network call. */
    @Param({"1", "8"})
    int batch;

    /** ONNX Runtime's graph optimisation level ({@link OnnxOptimization}). */
    @Param({"none", "basic", "extended", "all"})
    String optimization;

    private SegmentationModel model;
    private float[] input;
    private double gflopPerImage;

    @Setup(Level.Trial)
    public void setUp() throws BackendUnavailableException {
        List<Sample> frames = Networks.frames();
        List<Image> first = Networks.firstImages(frames, batch);
        OnnxRuntimeBackend onnx = ((OnnxRuntimeBackend) Backends.load(OnnxRuntimeBackend.NAME))
                .withOptimization(OnnxOptimization.parse(optimization));
        Path dir = null;
        try {
            dir = Files.createTempDirectory("medseg-bench-onnx-");
            float[] expected;
            try (SegmentationModel tf = Networks.servingModel(network, Precision.FP32, first)) {
                input = Networks.input(tf.spec(), first);
                expected = tf.forward(input, batch);
                tf.save(dir);
            }
            OnnxExport.intoModelFolder(Networks.backend(), dir);
            model = onnx.load(dir);
            Networks.requireClose("the ONNX Runtime model", model.forward(input, batch), "the TensorFlow model",
                    expected, Networks.FP32_TOLERANCE);
            gflopPerImage = Flops.unetGflop(model.spec());
            System.out.println("backend: " + onnx.description());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            // the session holds the weights in memory: the files are not needed after the load
            Networks.deleteQuietly(dir);
        }
    }

    @Benchmark
    public float[] forward(Work work) {
        work.add(batch, gflopPerImage);
        return model.forward(input, batch);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (model != null) {
            model.close();
            model = null;
        }
    }
}

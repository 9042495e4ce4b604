package io.medseg.onnx;

import ai.onnxruntime.OrtEnvironment;
import io.medseg.backend.Backend;
import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.model.UNetSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ONNX Runtime backend: runs a model's {@code model.onnx} (written by {@link OnnxExport}) on the CPU, for
 * inference only. {@link #load} takes a model folder or package (it reads {@code DIR/model.onnx}; checking the
 * package's MANIFEST first is the caller's part, as for every backend) or the {@code .onnx} file itself. Training is
 * the TensorFlow backend's: {@link #create} and a loaded model's {@code trainingSession} say so.
 */
public final class OnnxRuntimeBackend implements Backend {
    public static final String NAME = "onnx";
    private static final Logger LOG = LoggerFactory.getLogger(OnnxRuntimeBackend.class);
    private static final AtomicBoolean WARNED_PRECISION = new AtomicBoolean();

    private final OrtEnvironment env;
    private final String runtime;
    private final OnnxOptimization optimization;
    private final int threads;

    OnnxRuntimeBackend(OrtEnvironment env, String runtime, OnnxOptimization optimization, int threads) {
        this.env = env;
        this.runtime = runtime;
        this.optimization = optimization;
        this.threads = threads;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return runtime + " on CPU, graph optimisation " + optimization.label()
                + (threads > 0 ? ", " + threads + " intra-op threads" : "");
    }

    public OnnxOptimization optimization() {
        return optimization;
    }

    /** This backend with ONNX Runtime's graph optimisation at {@code level} for the models it loads. */
    public OnnxRuntimeBackend withOptimization(OnnxOptimization level) {
        return new OnnxRuntimeBackend(env, runtime, Objects.requireNonNull(level, "level"), threads);
    }

    /**
     * This backend with {@code threads} intra-op threads per loaded model; 0 lets ONNX Runtime choose (one per
     * physical core).
     */
    public OnnxRuntimeBackend withThreads(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0: " + threads);
        }
        return new OnnxRuntimeBackend(env, runtime, optimization, threads);
    }

    /** Always refused: the ONNX backend runs exported models; new models are created and trained with TensorFlow. */
    @Override
    public SegmentationModel create(UNetSpec spec, long seed) {
        throw OnnxModel.inferenceOnly("create and train a new model");
    }

    @Override
    public SegmentationModel create(UNetSpec spec, long seed, Precision precision) {
        return create(spec, seed);
    }

    @Override
    public SegmentationModel load(Path dir) throws IOException {
        return load(dir, Precision.FP32);
    }

    /** {@inheritDoc} ONNX Runtime's CPU provider computes in fp32: bf16 is answered with a warning and fp32. */
    @Override
    public SegmentationModel load(Path dir, Precision precision) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (Objects.requireNonNull(precision, "precision") != Precision.FP32
                && WARNED_PRECISION.compareAndSet(false, true)) {
            LOG.warn("the {} backend computes in fp32 only; {} was asked for, running fp32", NAME, precision.label());
        }
        OnnxModelFile file = OnnxModelFile.read(OnnxModelFile.locate(dir));
        return OnnxModel.open(env, file, optimization, threads);
    }

    @Override
    public String toString() {
        return "OnnxRuntimeBackend[" + description() + "]";
    }
}

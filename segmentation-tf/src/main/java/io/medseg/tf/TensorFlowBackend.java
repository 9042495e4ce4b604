package io.medseg.tf;

import io.medseg.backend.Backend;
import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.model.UNetSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The TensorFlow Java backend: graph-mode U-Nets, trained and served in-process. A created model carries the
 * training graph; a saved one holds the inference graph alone, with batch norm folded, and loads as it is.
 */
public final class TensorFlowBackend implements Backend {
    public static final String NAME = "tensorflow";

    private final String description;
    private final boolean gpu;

    TensorFlowBackend(String description, boolean gpu) {
        this.description = description;
        this.gpu = gpu;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public SegmentationModel create(UNetSpec spec, long seed) {
        return create(spec, seed, Precision.FP32);
    }

    /**
     * A new model; at {@link Precision#BF16} both training and inference run through oneDNN's bf16 rewrite, on a CPU
     * with bfloat16 instructions (elsewhere a warning, and fp32).
     */
    @Override
    public SegmentationModel create(UNetSpec spec, long seed, Precision precision) {
        return new TfSegmentationModel(Objects.requireNonNull(spec, "spec"), seed,
                SessionConfigs.effective(Objects.requireNonNull(precision, "precision"), gpu));
    }

    @Override
    public SegmentationModel load(Path dir) throws IOException {
        return load(dir, Precision.FP32);
    }

    /**
     * The saved model in {@code dir}, as it is on disk (no graph is rebuilt): inference only. At
     * {@link Precision#BF16} it runs through oneDNN's bf16 rewrite where the CPU has bfloat16 instructions.
     */
    @Override
    public SegmentationModel load(Path dir, Precision precision) throws IOException {
        return ModelFiles.load(Objects.requireNonNull(dir, "dir"),
                SessionConfigs.effective(Objects.requireNonNull(precision, "precision"), gpu));
    }

    @Override
    public String toString() {
        return "TensorFlowBackend[" + description + "]";
    }
}

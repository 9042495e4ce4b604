package io.medseg.tf;

import io.medseg.backend.Backend;
import io.medseg.backend.SegmentationModel;
import io.medseg.model.UNetSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/** The TensorFlow Java backend: graph-mode U-Nets, trained and served in-process. */
public final class TensorFlowBackend implements Backend {
    public static final String NAME = "tensorflow";

    private final String description;

    TensorFlowBackend(String description) {
        this.description = description;
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
        return new TfSegmentationModel(Objects.requireNonNull(spec, "spec"), seed);
    }

    @Override
    public SegmentationModel load(Path dir) throws IOException {
        return ModelFiles.load(Objects.requireNonNull(dir, "dir"));
    }

    @Override
    public String toString() {
        return "TensorFlowBackend[" + description + "]";
    }
}

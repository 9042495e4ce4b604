package io.medseg.backend;

import io.medseg.model.UNetSpec;
import java.io.IOException;
import java.nio.file.Path;

/** An engine that turns specs into runnable models. Thread-safe. */
public interface Backend {

    String name();

    /** Engine version and the device it computes on, for logs and provenance. */
    String description();

    /**
     * A new, randomly initialised model. The same spec and seed give the same initial weights.
     */
    SegmentationModel create(UNetSpec spec, long seed);

    /**
     * Loads the model in {@code dir}, as written by {@link SegmentationModel#save(Path)}. A backend reads the model
     * files and nothing else: checking a model package against its MANIFEST is the caller's part (the MLOps
     * module's {@code ModelPackage.load(backend, dir)} does both).
     *
     * @throws io.medseg.data.DataFormatException if {@code dir} is not a model directory of this backend
     */
    SegmentationModel load(Path dir) throws IOException;
}

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
     * Loads a model written by {@link SegmentationModel#save(Path)}, or the model of a package written by
     * {@link io.medseg.mlops.ModelPackage#export}; a package is verified against its MANIFEST first.
     *
     * @throws io.medseg.data.DataFormatException if {@code dir} is not a model directory of this backend, or is a
     *     package with a missing, modified or unlisted file ({@link io.medseg.mlops.PackageIntegrityException})
     */
    SegmentationModel load(Path dir) throws IOException;
}

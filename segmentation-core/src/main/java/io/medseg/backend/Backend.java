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
     * A new, randomly initialised model that trains and infers at {@code precision}. Where the backend cannot
     * compute at that precision on this machine it says so (a warning in the log) and the model runs at the one it
     * can: {@link SegmentationModel#precision()} tells which.
     */
    default SegmentationModel create(UNetSpec spec, long seed, Precision precision) {
        if (precision == Precision.FP32) {
            return create(spec, seed);
        }
        throw new UnsupportedOperationException("the " + name() + " backend computes in fp32 only, not "
                + precision.label());
    }

    /**
     * Loads the model in {@code dir}, as written by {@link SegmentationModel#save(Path)}. A backend reads the model
     * files and nothing else: checking a model package against its MANIFEST is the caller's part (the MLOps
     * module's {@code ModelPackage.load(backend, dir)} does both).
     *
     * @throws io.medseg.data.DataFormatException if {@code dir} is not a model directory of this backend
     */
    SegmentationModel load(Path dir) throws IOException;

    /**
     * Loads the model in {@code dir} for inference at {@code precision}; as {@link #create(UNetSpec, long,
     * Precision)}, a precision this machine cannot compute at falls back to the one it can, with a warning, and
     * {@link SegmentationModel#precision()} tells which.
     */
    default SegmentationModel load(Path dir, Precision precision) throws IOException {
        if (precision == Precision.FP32) {
            return load(dir);
        }
        throw new UnsupportedOperationException("the " + name() + " backend computes in fp32 only, not "
                + precision.label());
    }

    /**
     * This backend with every {@link #create(UNetSpec, long)} and {@link #load(Path)} at {@code precision}: for
     * code that takes a backend and creates or loads models itself ({@code CrossValidation}, a training run).
     */
    default Backend withPrecision(Precision precision) {
        return FixedPrecisionBackend.of(this, precision);
    }
}

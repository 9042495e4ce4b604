package io.medseg.examples.cli;

import io.medseg.mlops.ModelPackage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks on the paths a user passes, made before anything expensive (loading TensorFlow, reading data) so that a
 * typo fails in a second with a message naming the path.
 */
final class Inputs {
    /** The file {@code SegmentationModel.save} writes next to the weights; its presence marks a model folder. */
    static final String MODEL_MARKER = "model.json";

    private Inputs() {
    }

    static Path existing(Path p) {
        if (!Files.exists(p)) {
            throw new UsageException(p + ": no such file or directory");
        }
        if (!Files.isReadable(p)) {
            throw new UsageException(p + ": permission denied");
        }
        return p;
    }

    static Path directory(Path p) {
        if (!Files.exists(p)) {
            throw new UsageException(p + ": no such directory");
        }
        if (!Files.isDirectory(p)) {
            throw new UsageException(p + ": not a directory");
        }
        return p;
    }

    /**
     * A model folder: a training run, a saved model or a model package. A package (a folder with a MANIFEST) is
     * verified against its manifest first, so a tampered or incomplete package is refused naming the file.
     */
    static Path modelDirectory(Path p) throws IOException {
        directory(p);
        if (ModelPackage.isPackage(p)) {
            ModelPackage.open(p);
        }
        if (!Files.isRegularFile(p.resolve(MODEL_MARKER))) {
            throw new UsageException(p + ": not a model folder (no " + MODEL_MARKER
                    + "; 'segment train' or 'segment demo' write one)");
        }
        return p;
    }

    /** A folder to write into: it may not exist yet, but must not be a file. */
    static Path outputDirectory(Path p) {
        if (Files.exists(p) && !Files.isDirectory(p)) {
            throw new UsageException(p + ": exists and is not a directory");
        }
        return p;
    }

    static int positive(Integer value, String option) {
        if (value < 1) {
            throw new UsageException(option + " must be >= 1: " + value);
        }
        return value;
    }
}

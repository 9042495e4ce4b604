package io.medseg.examples.cli;

import io.medseg.mlops.TrainingOverlap;
import io.medseg.mlops.TrainingRun;
import java.nio.file.Path;
import java.util.Optional;

/** How the commands that score a model state which of the scored images were its training data. */
final class Overlaps {
    private Overlaps() {
    }

    /** The console line of {@code evaluate} (and the statement {@code validate} builds on). */
    static String line(Optional<TrainingOverlap> overlap, Path modelDir) {
        if (overlap.isEmpty()) {
            return "note: overlap with training data not checked: " + modelDir + " has no "
                    + TrainingRun.DATA_MANIFEST + " (a bare saved model); the figures may include training frames";
        }
        TrainingOverlap o = overlap.get();
        if (!o.any()) {
            return "held out: " + o.describe() + " (compared by file content with " + manifest(modelDir) + ")";
        }
        return "warning: " + o.describe() + " (the same file content is in " + manifest(modelDir)
                + "): these figures are not a held-out score";
    }

    /** The report's fact "overlap with training data". */
    static String fact(Optional<TrainingOverlap> overlap) {
        if (overlap.isEmpty()) {
            return "not checked: the model folder has no " + TrainingRun.DATA_MANIFEST;
        }
        TrainingOverlap o = overlap.get();
        return o.any() ? o.images() + " of " + o.checkedImages() + " images (patients " + String.join(", ",
                o.patients()) + ")" : "none (" + o.checkedImages() + " images compared by file content)";
    }

    private static String manifest(Path modelDir) {
        return modelDir.resolve(TrainingRun.DATA_MANIFEST).toString();
    }
}

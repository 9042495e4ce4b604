package io.medseg.mlops;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.medseg.backend.Precision;
import io.medseg.io.Json;
import io.medseg.model.UNetSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A training run's {@code metrics.json}: the final model's evaluation and the split it came from, so that a figure
 * is never read without knowing whether it was measured on held-out patients or on the training data.
 *
 * @param split where the figures come from
 * @param diceMean mean per-image Dice (the evaluation's, repeated at the top for tools that read one number)
 * @param diceGlobal Dice pooled over all pixels
 * @param evaluation the whole evaluation, every image included
 * @param spec the network evaluated
 * @param precision what the network computed in ({@code fp32}, {@code bf16}); absent in files written before
 *     precision was a choice, which were all fp32
 */
@JsonPropertyOrder({"format", "formatVersion", "split", "dice_mean", "dice_global", "precision", "evaluation",
        "spec"})
public record ModelMetrics(String format, int formatVersion, Split split, @JsonProperty("dice_mean") double diceMean,
        @JsonProperty("dice_global") double diceGlobal, Optional<String> precision,
        EvaluationReport.Document evaluation, UNetSpec spec) {
    /** The {@code "format"} of {@code metrics.json}. */
    public static final String FORMAT = "medseg-metrics";
    /** Kind of a split of patients held out of training. */
    public static final String VALIDATION = "validation";
    /** Kind of figures measured on the training data. */
    public static final String TRAINING = "training";

    public ModelMetrics {
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("not a metrics file (format: " + format + ")");
        }
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(evaluation, "evaluation");
        precision = precision == null ? Optional.empty() : precision;
    }

    /**
     * Which images the figures come from.
     *
     * @param kind {@value #VALIDATION} or {@value #TRAINING}
     * @param description what that means, for people
     */
    public record Split(String kind, String description, List<String> patients, int frames) {
        public Split {
            patients = List.copyOf(patients);
        }
    }

    /** The figures of {@code report}, measured on held-out patients when {@code heldOut}, else on training data. */
    public static ModelMetrics of(EvaluationReport report, boolean heldOut, List<String> patients, int frames,
            UNetSpec spec, Precision precision) {
        Split split = heldOut
                ? new Split(VALIDATION, "patients held out of training (--val-patients), used to pick the best epoch",
                        patients, frames)
                : new Split(TRAINING, "no patients were held out: these are training-set figures and overstate "
                        + "accuracy on new patients", patients, frames);
        return new ModelMetrics(FORMAT, 1, split, report.diceMean(), report.diceGlobal(),
                Optional.of(precision.label()), report.document(), spec);
    }

    /** Reads a {@code metrics.json}. */
    public static ModelMetrics read(Path file) throws IOException {
        return Json.read(file, ModelMetrics.class);
    }

    /** Writes it as {@code file}, atomically. */
    public void write(Path file) throws IOException {
        Json.writeFile(file, this);
    }
}

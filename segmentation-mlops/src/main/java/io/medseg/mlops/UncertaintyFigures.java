package io.medseg.mlops;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.medseg.data.DataFormatException;
import io.medseg.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * {@value #FILE}: whether the uncertainty maps of a recipe mean something, measured on leave-one-patient-out fold
 * models ({@code segment uncertainty}), each scored on the frames of the patient it never saw. A run folder holding
 * one passes it on to the package {@code segment export} makes, whose model card then shows the figures.
 *
 * <p>Per fold: the area under the ROC curve of the per-pixel entropy for telling the wrongly labelled pixels (the
 * predicted mask differs from the reference) from the others, over all pixels of the frames and over the pixels
 * near the structure alone (within {@value #NEAR_PIXELS} pixels, in either direction, of the predicted or reference
 * foreground, where the easy background far from the heart does not count); the same for the variance across the
 * passes when there was more than one; and Spearman's rank correlation of the per-image score with the per-image
 * Dice, negative when the most uncertain frames are the worst. {@code pooled} takes every fold's pixels and frames
 * together. A figure that is undefined (no wrong pixel, a constant series) is absent.
 *
 * @param command the command line that measured it, for repeating it
 * @param measured when (ISO-8601)
 * @param inference the inference settings (test-time augmentation, post-processing)
 * @param passes network passes per image the maps were taken over
 * @param scoreDefinition the per-image score, in words
 */
@JsonPropertyOrder({"format", "formatVersion", "command", "measured", "models", "data", "inference", "passes",
        "score_definition", "folds", "pooled"})
public record UncertaintyFigures(String format, int formatVersion, String command, String measured, String models,
        String data, String inference, int passes, @JsonProperty("score_definition") String scoreDefinition,
        List<Fold> folds, Fold pooled) {
    /** The file's name in a run folder or package. */
    public static final String FILE = "uncertainty.json";
    /** Its {@code "format"}. */
    public static final String FORMAT = "medseg-uncertainty";
    /** Pixels near the structure: at most this many rows and columns from a predicted or reference foreground pixel. */
    public static final int NEAR_PIXELS = 5;
    /** A pixel AUROC below this says little beyond chance (0.5); the card calls it weak. */
    public static final double WEAK_AUROC = 0.7;
    /** A rank correlation of the score with Dice weaker than this in size (or positive) is called weak. */
    public static final double WEAK_RHO = 0.3;

    public UncertaintyFigures {
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("not an uncertainty figures file (format: " + format + ")");
        }
        folds = List.copyOf(folds);
        Objects.requireNonNull(pooled, "pooled");
    }

    /**
     * The figures of one fold (or of all of them pooled, {@code heldOut} {@code "all"}).
     *
     * @param model the fold's model folder
     * @param wrongPixels pixels whose predicted class differs from the reference
     * @param nearPixels pixels near the structure (see the class comment)
     */
    @JsonPropertyOrder({"held_out", "model", "frames", "pixels", "wrong_pixels", "near_pixels", "wrong_near_pixels",
            "dice_mean", "pixel_auroc_entropy", "pixel_auroc_entropy_near", "pixel_auroc_variance",
            "pixel_auroc_variance_near", "spearman_score_dice"})
    public record Fold(@JsonProperty("held_out") String heldOut, String model, int frames, long pixels,
            @JsonProperty("wrong_pixels") long wrongPixels, @JsonProperty("near_pixels") long nearPixels,
            @JsonProperty("wrong_near_pixels") long wrongNearPixels, @JsonProperty("dice_mean") double diceMean,
            @JsonProperty("pixel_auroc_entropy") OptionalDouble pixelAurocEntropy,
            @JsonProperty("pixel_auroc_entropy_near") OptionalDouble pixelAurocEntropyNear,
            @JsonProperty("pixel_auroc_variance") OptionalDouble pixelAurocVariance,
            @JsonProperty("pixel_auroc_variance_near") OptionalDouble pixelAurocVarianceNear,
            @JsonProperty("spearman_score_dice") OptionalDouble spearmanScoreDice) {
        public Fold {
            Objects.requireNonNull(heldOut, "heldOut");
            pixelAurocEntropy = orEmpty(pixelAurocEntropy);
            pixelAurocEntropyNear = orEmpty(pixelAurocEntropyNear);
            pixelAurocVariance = orEmpty(pixelAurocVariance);
            pixelAurocVarianceNear = orEmpty(pixelAurocVarianceNear);
            spearmanScoreDice = orEmpty(spearmanScoreDice);
        }

        private static OptionalDouble orEmpty(OptionalDouble d) {
            return d == null ? OptionalDouble.empty() : d;
        }
    }

    /** Writes the figures to {@code file}, atomically. */
    public void write(Path file) throws IOException {
        Json.writeFile(file, this);
    }

    /**
     * Reads {@code file}.
     *
     * @throws DataFormatException naming the file if it is not an uncertainty figures file
     */
    public static UncertaintyFigures read(Path file) throws IOException {
        try {
            return Json.read(file, UncertaintyFigures.class);
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(file, e.getMessage());
        }
    }

    /**
     * The statements a reader needs: whether each signal is weak (pooled pixel AUROC of the entropy below
     * {@value #WEAK_AUROC}, pooled rank correlation weaker than {@value #WEAK_RHO} or in the wrong direction), in
     * plain words.
     */
    public List<String> verdicts() {
        List<String> out = new ArrayList<>();
        if (pooled.pixelAurocEntropy().isPresent()) {
            double a = pooled.pixelAurocEntropy().getAsDouble();
            out.add(a < WEAK_AUROC
                    ? String.format(Locale.ROOT, "The per-pixel entropy is a weak signal of wrong pixels (pooled "
                            + "AUROC %.3f, below %.1f; 0.5 is chance).", a, WEAK_AUROC)
                    : String.format(Locale.ROOT, "The per-pixel entropy does pick out wrong pixels (pooled AUROC "
                            + "%.3f over all pixels).", a));
        }
        if (pooled.pixelAurocEntropyNear().isPresent()) {
            double a = pooled.pixelAurocEntropyNear().getAsDouble();
            out.add(String.format(Locale.ROOT, "Near the structure alone, where the errors are, its AUROC is %.3f%s.",
                    a, a < WEAK_AUROC ? ": weak there" : ""));
        }
        if (pooled.spearmanScoreDice().isPresent()) {
            double r = pooled.spearmanScoreDice().getAsDouble();
            out.add(r > -WEAK_RHO
                    ? String.format(Locale.ROOT, "The per-image score is a weak guide to which frames are worst "
                            + "(pooled Spearman rho %.3f with Dice%s): do not rely on it to rank frames for review.",
                            r, r > 0 ? ", the wrong direction" : "")
                    : String.format(Locale.ROOT, "The per-image score ranks the worst frames first to a useful "
                            + "degree (pooled Spearman rho %.3f with Dice).", r));
        }
        return out;
    }

    /** Whether {@code dir} (a run folder or package) holds the figures. */
    public static boolean in(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE));
    }
}

package io.medseg.mlops;

import io.medseg.backend.Precision;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.io.Json;
import io.medseg.metrics.Dice;
import io.medseg.metrics.ImageMetrics;
import io.medseg.metrics.MetricsSummary;
import io.medseg.metrics.SegmentationMetrics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import tools.jackson.databind.node.ObjectNode;

/**
 * The result of evaluating a model on labelled images: the foreground Dice of every image, their mean per patient
 * and overall, and the global Dice that pools all pixels of all images. Output of {@code segment evaluate}; the
 * JSON form ({@link #document()}, {@link #toJson()}) is a contract other tools parse:
 *
 * <pre>{@code
 * {"images":N,"patients":P,"dice_mean":..,"dice_global":..,
 *  "per_patient":{"<patient_id>":{"images":..,"dice_mean":..}},
 *  "per_image":[{"id":..,"patient":..,"dice":..}]}
 * }</pre>
 *
 * <p>Patients appear in sorted order, images in the order given. Dice follows {@link Dice}'s empty-mask rule (both
 * empty: 1, one empty: 0), so no value is ever NaN.
 */
public final class EvaluationReport {
    /** The Dice of one image. */
    public record ImageResult(String id, String patient, double dice) {
        public ImageResult {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(patient, "patient");
            if (!(dice >= 0 && dice <= 1)) {
                throw new IllegalArgumentException("dice must be in [0, 1]: " + dice + " (image " + id + ")");
            }
        }
    }

    /** The images of one patient and their mean Dice. */
    public record PatientResult(int images, @JsonProperty("dice_mean") double diceMean) {
    }

    private final List<ImageResult> images;
    private final double diceGlobal;
    private final List<ImageMetrics> metrics;

    public EvaluationReport(List<ImageResult> images, double diceGlobal) {
        this(images, diceGlobal, List.of());
    }

    /**
     * @param metrics the clinical metrics of class 1 per image, in the same order as {@code images}, or empty when
     *     they were not computed
     */
    public EvaluationReport(List<ImageResult> images, double diceGlobal, List<ImageMetrics> metrics) {
        this.images = List.copyOf(images);
        if (!(diceGlobal >= 0 && diceGlobal <= 1)) {
            throw new IllegalArgumentException("global dice must be in [0, 1]: " + diceGlobal);
        }
        this.diceGlobal = diceGlobal;
        this.metrics = List.copyOf(metrics);
        if (!this.metrics.isEmpty() && this.metrics.size() != this.images.size()) {
            throw new IllegalArgumentException("metrics for " + this.metrics.size() + " images, expected "
                    + this.images.size());
        }
    }

    /**
     * Scores {@code predictions} against the samples' masks: per image the mean foreground Dice over classes
     * {@code 1..numClasses-1}; globally the pooled Dice of each foreground class, averaged over those classes.
     */
    public static EvaluationReport compute(List<Sample> samples, List<Mask> predictions, int numClasses) {
        if (samples.size() != predictions.size()) {
            throw new IllegalArgumentException("samples and predictions differ in count: " + samples.size() + " vs "
                    + predictions.size());
        }
        List<Mask> references = samples.stream().map(Sample::mask).toList();
        List<ImageResult> results = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            results.add(new ImageResult(s.id(), s.patientId(),
                    Dice.foreground(s.mask(), predictions.get(i), numClasses)));
        }
        double global = 0;
        for (int c = 1; c < numClasses; c++) {
            global += Dice.summarise(references, predictions, c).global();
        }
        // the clinical contour metrics are for the structure of interest, class 1 (the LV in the cardiac task)
        List<ImageMetrics> metrics = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            metrics.add(SegmentationMetrics.compute(s.id(), s.patientId(), s.mask(), predictions.get(i), 1,
                    s.image().spacing().orElse(null)));
        }
        return new EvaluationReport(results, global / (numClasses - 1), metrics);
    }

    /** Clinical metrics of class 1 per image (empty when not computed). */
    public List<ImageMetrics> metrics() {
        return metrics;
    }

    public List<ImageResult> images() {
        return images;
    }

    public int imageCount() {
        return images.size();
    }

    public int patientCount() {
        return perPatient().size();
    }

    /** Mean of the per-image Dice values; 0 when there are no images. */
    public double diceMean() {
        return mean(images);
    }

    public double diceGlobal() {
        return diceGlobal;
    }

    /** Per patient, in sorted patient order. */
    public Map<String, PatientResult> perPatient() {
        Map<String, List<ImageResult>> grouped = new TreeMap<>();
        for (ImageResult r : images) {
            grouped.computeIfAbsent(r.patient(), k -> new ArrayList<>()).add(r);
        }
        Map<String, PatientResult> out = new LinkedHashMap<>();
        grouped.forEach((p, rs) -> out.put(p, new PatientResult(rs.size(), mean(rs))));
        return Collections.unmodifiableMap(out);
    }

    /**
     * The JSON document (see the class comment): the contour metrics' means and each image's metrics are there
     * when they were computed.
     */
    public Document document() {
        List<ImageEntry> perImage = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            ImageResult r = images.get(i);
            perImage.add(metrics.isEmpty() ? ImageEntry.of(r) : ImageEntry.of(r, metrics.get(i)));
        }
        OptionalDouble iou = OptionalDouble.empty();
        OptionalDouble hd95 = OptionalDouble.empty();
        OptionalDouble assd = OptionalDouble.empty();
        OptionalDouble apd = OptionalDouble.empty();
        OptionalDouble good = OptionalDouble.empty();
        if (!metrics.isEmpty()) {
            MetricsSummary summary = MetricsSummary.of(metrics);
            iou = OptionalDouble.of(summary.overall("iou").mean());
            hd95 = OptionalDouble.of(summary.overall("hd95Mm").mean());
            assd = OptionalDouble.of(summary.overall("assdMm").mean());
            apd = OptionalDouble.of(summary.overall("apdMm").mean());
            good = OptionalDouble.of(summary.goodContoursPct());
        }
        return new Document(imageCount(), patientCount(), diceMean(), diceGlobal, perPatient(),
                Optional.of(perImage), iou, hd95, assd, apd, good);
    }

    /** The report as one JSON object on one line. */
    public String toJson() {
        return Json.writeCompact(document());
    }

    /**
     * The report as one JSON object on one line, with {@code "overlap_with_training"} and {@code "precision"} after
     * the other keys: how many of the images were the model's training data ({@link TrainingOverlap#json}),
     * {@code null} when that could not be checked, and what the network computed in ({@code fp32}, {@code bf16}).
     * What {@code segment evaluate --json} prints.
     */
    public String toJson(Optional<TrainingOverlap> overlap, Precision precision) {
        ObjectNode node = Json.mapper().valueToTree(document());
        node.set(TrainingOverlap.JSON_KEY, TrainingOverlap.json(overlap));
        node.put("precision", precision.label());
        return Json.writeCompact(node);
    }

    /**
     * {@link #toJson(Optional, Precision)} with each image's uncertainty score
     * ({@code io.medseg.inference.UncertaintyMap#score}) as {@code "uncertainty"} after its other keys, in the order
     * of the images, and {@code "uncertainty_passes"} (network passes per image the scores were taken over) after
     * {@code "precision"}: what {@code segment evaluate --json --uncertainty} prints.
     *
     * @throws IllegalArgumentException if there is not one score per image
     */
    public String toJson(Optional<TrainingOverlap> overlap, Precision precision, List<Double> uncertaintyScores,
            int passes) {
        if (uncertaintyScores.size() != images.size()) {
            throw new IllegalArgumentException(uncertaintyScores.size() + " uncertainty scores for "
                    + images.size() + " images");
        }
        ObjectNode node = Json.mapper().valueToTree(document());
        node.set(TrainingOverlap.JSON_KEY, TrainingOverlap.json(overlap));
        node.put("precision", precision.label());
        node.put("uncertainty_passes", passes);
        for (int i = 0; i < images.size(); i++) {
            ((ObjectNode) node.get("per_image").get(i)).put("uncertainty", uncertaintyScores.get(i));
        }
        return Json.writeCompact(node);
    }

    /**
     * The JSON document of an evaluation.
     *
     * @param perImage every image's figures; absent in summaries (a validation record's {@code metrics})
     */
    @JsonPropertyOrder({"images", "patients", "dice_mean", "dice_global", "per_patient", "per_image", "iou_mean",
            "hd95_mm_mean", "assd_mm_mean", "apd_mm_mean", "good_contours_pct"})
    public record Document(int images, int patients, @JsonProperty("dice_mean") double diceMean,
            @JsonProperty("dice_global") double diceGlobal,
            @JsonProperty("per_patient") Map<String, PatientResult> perPatient,
            @JsonProperty("per_image") Optional<List<ImageEntry>> perImage,
            @JsonProperty("iou_mean") OptionalDouble iouMean,
            @JsonProperty("hd95_mm_mean") OptionalDouble hd95MmMean,
            @JsonProperty("assd_mm_mean") OptionalDouble assdMmMean,
            @JsonProperty("apd_mm_mean") OptionalDouble apdMmMean,
            @JsonProperty("good_contours_pct") OptionalDouble goodContoursPct) {
        public Document {
            perPatient = Collections.unmodifiableMap(new LinkedHashMap<>(perPatient));
            perImage = perImage == null ? Optional.empty() : perImage.map(List::copyOf);
        }

        /** The same without the per-image figures. */
        public Document withoutImages() {
            return new Document(images, patients, diceMean, diceGlobal, perPatient, Optional.empty(), iouMean,
                    hd95MmMean, assdMmMean, apdMmMean, goodContoursPct);
        }
    }

    /** One image in the JSON document: its Dice, and its contour metrics when they were computed. */
    public record ImageEntry(String id, String patient, double dice, OptionalDouble iou, OptionalDouble precision,
            OptionalDouble recall, @JsonProperty("hausdorff_mm") OptionalDouble hausdorffMm,
            @JsonProperty("hd95_mm") OptionalDouble hd95Mm, @JsonProperty("assd_mm") OptionalDouble assdMm,
            @JsonProperty("apd_mm") OptionalDouble apdMm, @JsonProperty("area_diff_pct") OptionalDouble areaDiffPct,
            @JsonProperty("good_contour") Optional<Boolean> goodContour) {
        static ImageEntry of(ImageResult r) {
            OptionalDouble none = OptionalDouble.empty();
            return new ImageEntry(r.id(), r.patient(), r.dice(), none, none, none, none, none, none, none, none,
                    Optional.empty());
        }

        static ImageEntry of(ImageResult r, ImageMetrics m) {
            return new ImageEntry(r.id(), r.patient(), r.dice(), OptionalDouble.of(m.iou()),
                    OptionalDouble.of(m.precision()), OptionalDouble.of(m.recall()),
                    OptionalDouble.of(m.hausdorffMm()), OptionalDouble.of(m.hd95Mm()), OptionalDouble.of(m.assdMm()),
                    OptionalDouble.of(m.apdMm()), OptionalDouble.of(m.areaDiffPct()),
                    Optional.of(m.goodContour()));
        }
    }

    /** A table for people: every image, then every patient, then the totals. */
    public String toTable() {
        int idWidth = Math.max(5, images.stream().mapToInt(r -> r.id().length()).max().orElse(0));
        int patientWidth = Math.max(7, images.stream().mapToInt(r -> r.patient().length()).max().orElse(0));
        StringBuilder sb = new StringBuilder();
        String imageRow = "%-" + idWidth + "s  %-" + patientWidth + "s  %6s%n";
        sb.append(String.format(Locale.ROOT, imageRow, "image", "patient", "dice"));
        for (ImageResult r : images) {
            sb.append(String.format(Locale.ROOT, imageRow, r.id(), r.patient(), format(r.dice())));
        }
        sb.append(System.lineSeparator());
        String patientRow = "%-" + patientWidth + "s  %6s  %9s%n";
        sb.append(String.format(Locale.ROOT, patientRow, "patient", "images", "mean dice"));
        perPatient().forEach((p, r) -> sb.append(String.format(Locale.ROOT, patientRow, p, r.images(),
                format(r.diceMean()))));
        sb.append(String.format(Locale.ROOT, patientRow, "all", imageCount(), format(diceMean())));
        sb.append(System.lineSeparator());
        sb.append(String.format(Locale.ROOT, "%d images, %d patients: mean Dice %s, global Dice %s", imageCount(),
                patientCount(), format(diceMean()), format(diceGlobal)));
        if (!metrics.isEmpty()) {
            MetricsSummary summary = MetricsSummary.of(metrics);
            sb.append(System.lineSeparator());
            sb.append(String.format(Locale.ROOT, "IoU %.4f, HD95 %.2f mm, ASSD %.2f mm, APD %.2f mm, good contours "
                    + "(APD < 5 mm) %.1f%%", summary.overall("iou").mean(), summary.overall("hd95Mm").mean(),
                    summary.overall("assdMm").mean(), summary.overall("apdMm").mean(), summary.goodContoursPct()));
        }
        return sb.toString();
    }

    private static String format(double d) {
        return String.format(Locale.ROOT, "%.4f", d);
    }

    private static double mean(List<ImageResult> rs) {
        return rs.isEmpty() ? 0.0 : rs.stream().mapToDouble(ImageResult::dice).average().orElse(0.0);
    }
}

package io.medseg.mlops.registry;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.medseg.data.DataFormat;
import io.medseg.data.DataFormatException;
import io.medseg.data.DataSources;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.inference.Segmenter;
import io.medseg.io.Json;
import io.medseg.mlops.DataManifest;
import io.medseg.mlops.Environment;
import io.medseg.mlops.EvaluationReport;
import io.medseg.mlops.Latency;
import io.medseg.mlops.ModelPackage;
import io.medseg.mlops.PackageManifest;
import io.medseg.mlops.Robustness;
import io.medseg.mlops.TrainingOverlap;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Consumer;

/**
 * The gate a model package passes before it ships: accuracy and per-image latency measured on labelled data against
 * stated requirements, and the outcome stored in the package's {@code validations/} folder as a
 * {@link ValidationRecord} tied to the package's MANIFEST hash, which {@link ModelRegistry#promote} then requires.
 *
 * <p>The data must be data the model was not trained on: when any image was training data
 * ({@link TrainingOverlap}, by file content against the package's {@code data-manifest.json}) the gate adds the
 * requirement {@value #OVERLAP_REQUIREMENT} {@code <= 0} (the number of such images), which then fails, unless the
 * gate {@link #allowingTrainingData() allows training data}; the record states the overlap
 * ({@code "overlap_with_training"}, {@code null} when the package records no training data) and whether training
 * data was allowed ({@code "allowed_training_data"}).
 *
 * <pre>{@code
 * ValidationGate gate = ValidationGate.requiring(OptionalDouble.of(0.85), OptionalDouble.of(200),
 *         OptionalDouble.empty());
 * ValidationGate.Result r = gate.validate(pkg, model.segmenter(), data, DataManifest.of(dataDir), "default",
 *         Environment.current(backend.name(), backend.description()), System.err::println);
 * }</pre>
 *
 * @param minDice the mean per-image Dice must be at least this
 * @param maxP95Ms the 95th percentile of per-image latency must be at most this, in milliseconds
 * @param maxHd95Mm the mean 95 % Hausdorff distance must be at most this, in mm
 * @param batch images per inference call when timing
 * @param warmup untimed calls before timing
 * @param samples timed calls at least (cycling through the data)
 * @param allowTrainingData whether the gate may pass on data the model was trained on (the record says so)
 */
public record ValidationGate(OptionalDouble minDice, OptionalDouble maxP95Ms, OptionalDouble maxHd95Mm, int batch,
        int warmup, int samples, boolean allowTrainingData) {
    /** The requirement that no scored image was training data: the number of such images, at most 0. */
    public static final String OVERLAP_REQUIREMENT = TrainingOverlap.JSON_KEY;
    /**
     * The prefix of a robustness requirement's name: {@code dice_under_noise} requires the worst mean Dice under the
     * noise perturbations to be at least its threshold ({@link Robustness}).
     */
    public static final String ROBUSTNESS_REQUIREMENT_PREFIX = "dice_under_";

    public ValidationGate {
        minDice = minDice == null ? OptionalDouble.empty() : minDice;
        maxP95Ms = maxP95Ms == null ? OptionalDouble.empty() : maxP95Ms;
        maxHd95Mm = maxHd95Mm == null ? OptionalDouble.empty() : maxHd95Mm;
        if (minDice.isEmpty() && maxP95Ms.isEmpty() && maxHd95Mm.isEmpty()) {
            throw new IllegalArgumentException("a validation gate needs at least one requirement");
        }
        if (minDice.isPresent() && !(minDice.getAsDouble() >= 0 && minDice.getAsDouble() <= 1)) {
            throw new IllegalArgumentException("minimum Dice must be in 0..1: " + minDice.getAsDouble());
        }
        if (batch < 1 || samples < 1 || warmup < 0) {
            throw new IllegalArgumentException("timing needs batch >= 1, samples >= 1 and warm-up >= 0: " + batch
                    + ", " + samples + ", " + warmup);
        }
    }

    /** A gate that refuses training data. */
    public ValidationGate(OptionalDouble minDice, OptionalDouble maxP95Ms, OptionalDouble maxHd95Mm, int batch,
            int warmup, int samples) {
        this(minDice, maxP95Ms, maxHd95Mm, batch, warmup, samples, false);
    }

    /** The same gate, passing also on data the model was trained on; the record then says so. */
    public ValidationGate allowingTrainingData() {
        return new ValidationGate(minDice, maxP95Ms, maxHd95Mm, batch, warmup, samples, true);
    }

    /** A gate with these requirements, timing one image per call after 3 warm-up calls over 30 calls. */
    public static ValidationGate requiring(OptionalDouble minDice, OptionalDouble maxP95Ms, OptionalDouble maxHd95Mm) {
        return new ValidationGate(minDice, maxP95Ms, maxHd95Mm, 1, 3, 30);
    }

    /** One requirement's outcome. */
    public record Verdict(String name, String comparison, double threshold, double measured, boolean passed) {
    }

    /**
     * What the gate found, and where its record is.
     *
     * @param overlap which images were training data; empty when the package records no training data
     * @param robustness the robustness figures, when they were measured
     */
    public record Result(boolean passed, List<Verdict> verdicts, EvaluationReport report, Latency latency,
            Path recordFile, Optional<TrainingOverlap> overlap, Optional<Robustness.Report> robustness) {
        public Result {
            verdicts = List.copyOf(verdicts);
            overlap = overlap == null ? Optional.empty() : overlap;
            robustness = robustness == null ? Optional.empty() : robustness;
        }

        /** A result without robustness figures. */
        public Result(boolean passed, List<Verdict> verdicts, EvaluationReport report, Latency latency,
                Path recordFile, Optional<TrainingOverlap> overlap) {
            this(passed, verdicts, report, latency, recordFile, overlap, Optional.empty());
        }

        /** The model card's robustness section written beside the record, when robustness was measured. */
        public Optional<Path> robustnessCard() {
            return robustness.map(r -> robustnessCardFile(recordFile));
        }
    }

    /** Where the model card's robustness section of the record {@code recordFile} is written. */
    public static Path robustnessCardFile(Path recordFile) {
        String name = recordFile.getFileName().toString();
        String base = name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
        return recordFile.resolveSibling(base + ".robustness.md");
    }

    /** The data a record was measured on. */
    record DataUsed(String path, @JsonProperty("aggregate_sha256") String aggregateSha256, int frames,
            List<String> patients) {
    }

    /** A requirement as the record stores it; a value that could not be measured is null. */
    record RequirementJson(String name, String comparison, double threshold, Double measured, boolean passed) {
    }

    /** The record as written; {@link ValidationRecord} reads it. */
    @JsonPropertyOrder({"format", "formatVersion", "manifest_sha256", "model", "passed", "created", "requirements",
            "data", "overlap_with_training", "allowed_training_data", "inference", "precision", "metrics", "latency",
            "robustness", "environment"})
    record RecordJson(String format, int formatVersion, @JsonProperty("manifest_sha256") String manifestSha256,
            String model, boolean passed, String created, List<RequirementJson> requirements, DataUsed data,
            @JsonProperty("overlap_with_training") TrainingOverlap.Summary overlapWithTraining,
            @JsonProperty("allowed_training_data") boolean allowedTrainingData,
            String inference, String precision, EvaluationReport.Document metrics, Latency.Summary latency,
            @JsonInclude(JsonInclude.Include.NON_NULL) Robustness.Report robustness, Environment environment) {
    }

    /**
     * Measures {@code segmenter} (the package's model with the inference settings described by {@code inference})
     * on {@code data} and writes the record into the package. The overlap with the training data is checked on the
     * folder (or file) {@code dataManifest} describes, in the format detected from its content; when that is not a
     * dataset in a known format it is not checked (a notice says so).
     *
     * @param dataManifest the manifest of the data's folder, recorded so the figures can be traced to the data
     * @param notices progress lines for people (the timing about to start)
     */
    public Result validate(ModelPackage pkg, Segmenter segmenter, SegmentationDataset data, DataManifest dataManifest,
            String inference, Environment environment, Consumer<String> notices) throws IOException {
        Objects.requireNonNull(pkg, "pkg");
        Path root = Path.of(dataManifest.root());
        Optional<TrainingOverlap> overlap = Optional.empty();
        DataFormat format = null;
        try {
            format = DataSources.detect(root);
        } catch (DataFormatException e) {
            notices.accept("overlap with training data not checked: " + e.getMessage());
        }
        if (format != null) {
            overlap = TrainingOverlap.check(pkg.dir(), root, format, data.samples());
        }
        return validate(pkg, segmenter, data, dataManifest, overlap, inference, environment, notices);
    }

    /**
     * Measures {@code segmenter} (the package's model with the inference settings described by {@code inference})
     * on {@code data} and writes the record into the package.
     *
     * @param dataManifest the manifest of the data's folder, recorded so the figures can be traced to the data
     * @param overlap which images of {@code data} were the package's training data
     *     ({@link TrainingOverlap#check}); empty when that could not be checked
     * @param notices progress lines for people (the timing about to start)
     */
    public Result validate(ModelPackage pkg, Segmenter segmenter, SegmentationDataset data, DataManifest dataManifest,
            Optional<TrainingOverlap> overlap, String inference, Environment environment, Consumer<String> notices)
            throws IOException {
        return validate(pkg, segmenter, data, dataManifest, overlap, inference, environment, Optional.empty(),
                notices);
    }

    /**
     * Measures {@code segmenter} on {@code data} as the other {@code validate} methods do and, when
     * {@code robustness} is given, its mean Dice under that plan's perturbations and attacks ({@link Robustness}):
     * each threshold of the plan becomes a requirement {@code dice_under_<name>} ({@code >=}, on the worst figure
     * it names; one that could not be measured fails), the figures go into the record under {@code "robustness"},
     * and the model card's robustness section is written beside the record ({@link #robustnessCardFile}).
     */
    public Result validate(ModelPackage pkg, Segmenter segmenter, SegmentationDataset data, DataManifest dataManifest,
            Optional<TrainingOverlap> overlap, String inference, Environment environment,
            Optional<Robustness.Plan> robustness, Consumer<String> notices) throws IOException {
        Objects.requireNonNull(pkg, "pkg");
        Objects.requireNonNull(robustness, "robustness");
        Objects.requireNonNull(overlap, "overlap");
        List<Image> images = data.samples().stream().map(Sample::image).toList();
        List<Mask> predicted = segmenter.predictAll(images);
        EvaluationReport report = EvaluationReport.compute(data.samples(), predicted,
                segmenter.model().spec().numClasses());
        notices.accept("timing " + Math.max(samples, (images.size() + batch - 1) / batch) + " calls of " + batch
                + " image" + (batch == 1 ? "" : "s") + " after " + warmup + " warm-up calls...");
        Latency latency = Latency.measure(segmenter, images, batch, warmup, samples);

        List<Verdict> verdicts = new ArrayList<>();
        if (minDice.isPresent()) {
            double min = minDice.getAsDouble();
            verdicts.add(new Verdict("dice_mean", ">=", min, report.diceMean(), report.diceMean() >= min));
        }
        if (maxP95Ms.isPresent()) {
            double p95 = latency.percentile(95);
            verdicts.add(new Verdict("latency_p95_ms", "<=", maxP95Ms.getAsDouble(), p95,
                    p95 <= maxP95Ms.getAsDouble()));
        }
        if (maxHd95Mm.isPresent()) {
            double v = report.document().hd95MmMean().orElse(Double.NaN);
            verdicts.add(new Verdict("hd95_mm_mean", "<=", maxHd95Mm.getAsDouble(), v, v <= maxHd95Mm.getAsDouble()));
        }
        Optional<Robustness.Report> robust = robustness.map(plan -> Robustness.measure(segmenter, data.samples(),
                plan, notices));
        Map<String, Boolean> robustVerdicts = new LinkedHashMap<>();
        if (robust.isPresent()) {
            for (Map.Entry<String, Double> t : robust.get().minDiceUnder().entrySet()) {
                double worst = robust.get().worst(t.getKey()).orElse(Double.NaN);
                boolean ok = worst >= t.getValue() && robust.get().unavailable(t.getKey()).isEmpty();
                robustVerdicts.put(t.getKey(), ok);
                verdicts.add(new Verdict(ROBUSTNESS_REQUIREMENT_PREFIX + t.getKey(), ">=", t.getValue(), worst, ok));
            }
        }
        if (overlap.isPresent() && !allowTrainingData) {
            int n = overlap.get().images();
            verdicts.add(new Verdict(OVERLAP_REQUIREMENT, "<=", 0, n, n == 0));
        }
        boolean passed = verdicts.stream().allMatch(Verdict::passed);
        List<RequirementJson> requirements = verdicts.stream().map(v -> new RequirementJson(v.name(), v.comparison(),
                v.threshold(), Double.isFinite(v.measured()) ? v.measured() : null, v.passed())).toList();
        RecordJson record = new RecordJson(ValidationRecord.FORMAT, ValidationRecord.FORMAT_VERSION,
                pkg.manifestSha256(), pkg.name(), passed, Instant.now().toString(), requirements,
                new DataUsed(dataManifest.root(), dataManifest.aggregateSha256(), data.size(), data.patients()),
                overlap.map(TrainingOverlap::summary).orElse(null), allowTrainingData, inference,
                segmenter.model().precision().label(), report.document().withoutImages(), latency.summary(),
                robust.orElse(null), environment);
        String stamp = Instant.now().toString().replace(':', '-');
        Path file = pkg.dir().resolve(PackageManifest.VALIDATIONS_DIR).resolve("validation-" + stamp + ".json");
        Json.writeFile(file, record);
        if (robust.isPresent()) {
            Files.writeString(robustnessCardFile(file), robust.get().cardSection(pkg.name(), data.patients(),
                    robustVerdicts), StandardCharsets.UTF_8);
        }
        return new Result(passed, verdicts, report, latency, file, overlap, robust);
    }
}

package io.medseg.examples.cli;

import io.medseg.backend.Backend;
import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.inference.Segmenter;
import io.medseg.io.AtomicFile;
import io.medseg.io.Json;
import io.medseg.mlops.DataManifest;
import io.medseg.mlops.Latency;
import io.medseg.mlops.ModelPackage;
import io.medseg.mlops.PackageManifest;
import io.medseg.mlops.Provenance;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code segment validate}: the gate a model package passes before it ships. Measures accuracy and per-image latency
 * on the given labelled data, prints a verdict per requirement, stores the record in the package's
 * {@code validations/} folder (tied to the package's MANIFEST hash) and exits 3 when any requirement fails.
 */
@Command(name = "validate", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Certify a model package against accuracy and latency requirements on labelled data.",
                "  segment validate --model PKG --data DIR --min-dice 0.85 --max-p95-ms 200 [--batch 1]",
                "Stores the record in PKG/validations/; exits 0 when every requirement holds, 3 when one fails."})
public final class ValidateCommand implements Callable<Integer> {
    static final String RECORD_FORMAT = "medseg-validation";

    @ParentCommand
    SegmentCommand root;

    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Mixin
    InferenceOptions inference = new InferenceOptions();

    @Option(names = "--model", required = true, paramLabel = "PKG", description = "A model package folder.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "Labelled data to validate on.")
    Path data;

    @Option(names = "--patients", paramLabel = "ID", split = ",",
            description = "Patient ids to validate on (default: all in the data).")
    List<String> patients;

    @Option(names = "--min-dice", paramLabel = "D", description = "Required mean per-image Dice (0..1).")
    Double minDice;

    @Option(names = "--max-p95-ms", paramLabel = "MS", description = "Required 95th percentile of per-image latency.")
    Double maxP95Ms;

    @Option(names = "--max-hd95-mm", paramLabel = "MM", description = "Required mean 95% Hausdorff distance.")
    Double maxHd95Mm;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1",
            description = "Images per inference call when timing (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "3",
            description = "Untimed calls before timing (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "30",
            description = "Timed calls at least (cycling through the data; default: ${DEFAULT-VALUE}).")
    int samples;

    /** One requirement's outcome. */
    record Verdict(String name, String comparison, double threshold, double measured, boolean passed) {
    }

    @Override
    public Integer call() throws Exception {
        if (minDice == null && maxP95Ms == null && maxHd95Mm == null) {
            throw new UsageException("validate needs at least one requirement: --min-dice, --max-p95-ms or "
                    + "--max-hd95-mm");
        }
        if (minDice != null && !(minDice >= 0 && minDice <= 1)) {
            throw new UsageException("--min-dice must be in 0..1: " + minDice);
        }
        Inputs.positive(batch, "--batch");
        Inputs.positive(samples, "--samples");
        if (warmup < 0) {
            throw new UsageException("--warmup must be >= 0: " + warmup);
        }
        Path pkgDir = Inputs.directory(model);
        ModelPackage pkg = ModelPackage.open(pkgDir);
        Path dataRoot = Inputs.existing(data);
        SegmentationDataset ds = dataOptions.load(dataRoot, patients, root.err());
        Backend backend = Backends.load();
        List<Image> images = ds.samples().stream().map(Sample::image).toList();
        try (SegmentationModel m = backend.load(pkg.dir())) {
            Segmenter segmenter = inference.segmenter(m);
            List<Mask> predicted = segmenter.predictAll(images);
            EvaluationReport report = EvaluationReport.compute(ds.samples(), predicted, m.spec().numClasses());
            root.err().println("timing " + Math.max(samples, (images.size() + batch - 1) / batch) + " calls of "
                    + batch + " image" + (batch == 1 ? "" : "s") + " after " + warmup + " warm-up calls...");
            Latency latency = Latency.measure(segmenter, images, batch, warmup, samples);

            List<Verdict> verdicts = new ArrayList<>();
            if (minDice != null) {
                verdicts.add(new Verdict("dice_mean", ">=", minDice, report.diceMean(),
                        report.diceMean() >= minDice));
            }
            if (maxP95Ms != null) {
                double p95 = latency.percentile(95);
                verdicts.add(new Verdict("latency_p95_ms", "<=", maxP95Ms, p95, p95 <= maxP95Ms));
            }
            if (maxHd95Mm != null) {
                Object hd = report.toJsonMap().get("hd95_mm_mean");
                double v = hd instanceof Number n ? n.doubleValue() : Double.NaN;
                verdicts.add(new Verdict("hd95_mm_mean", "<=", maxHd95Mm, v, v <= maxHd95Mm));
            }
            boolean passed = verdicts.stream().allMatch(Verdict::passed);

            Map<String, Object> record = new LinkedHashMap<>();
            record.put("format", RECORD_FORMAT);
            record.put("formatVersion", 1);
            record.put("manifest_sha256", pkg.manifestSha256());
            record.put("model", pkg.name());
            record.put("passed", passed);
            record.put("created", Instant.now().toString());
            List<Object> reqs = new ArrayList<>();
            for (Verdict v : verdicts) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("name", v.name());
                r.put("comparison", v.comparison());
                r.put("threshold", v.threshold());
                r.put("measured", Double.isFinite(v.measured()) ? v.measured() : null);
                r.put("passed", v.passed());
                reqs.add(r);
            }
            record.put("requirements", reqs);
            DataManifest manifest = DataManifest.of(dataRoot);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("path", manifest.root());
            d.put("aggregate_sha256", manifest.aggregateSha256());
            d.put("frames", ds.size());
            d.put("patients", ds.patients());
            record.put("data", d);
            record.put("inference", inference.describe());
            Map<String, Object> metrics = new LinkedHashMap<>(report.toJsonMap());
            metrics.remove("per_image");
            record.put("metrics", metrics);
            record.put("latency", latency.toMap());
            record.put("environment", Provenance.environment(backend.name(), backend.description()));
            String stamp = Instant.now().toString().replace(':', '-');
            Path file = pkg.dir().resolve(PackageManifest.VALIDATIONS_DIR).resolve("validation-" + stamp + ".json");
            AtomicFile.writeString(file, Json.write(record));

            root.out().println(String.format(Locale.ROOT, "%-16s %-4s %10s %10s  %s", "requirement", "", "threshold",
                    "measured", "verdict"));
            for (Verdict v : verdicts) {
                root.out().println(String.format(Locale.ROOT, "%-16s %-4s %10.4f %10.4f  %s", v.name(), v.comparison(),
                        v.threshold(), v.measured(), v.passed() ? "PASS" : "FAIL"));
            }
            root.out().println(String.format(Locale.ROOT, "latency per image (batch %d): p50 %.1f ms, p95 %.1f ms, "
                    + "p99 %.1f ms over %d calls", batch, latency.percentile(50), latency.percentile(95),
                    latency.percentile(99), latency.samplesMs().length));
            root.out().println((passed ? "VALIDATION PASSED" : "VALIDATION FAILED") + " for " + pkg.name() + " on "
                    + ds.size() + " frames of " + ds.patients().size() + " patients; record: " + file);
            return passed ? 0 : Errors.NOT_MET;
        }
    }
}

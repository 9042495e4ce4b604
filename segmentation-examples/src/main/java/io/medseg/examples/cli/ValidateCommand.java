package io.medseg.examples.cli;

import io.medseg.backend.Backend;
import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.DataFormat;
import io.medseg.data.SegmentationDataset;
import io.medseg.mlops.DataManifest;
import io.medseg.mlops.Environment;
import io.medseg.mlops.Latency;
import io.medseg.mlops.ModelPackage;
import io.medseg.mlops.Robustness;
import io.medseg.mlops.TrainingOverlap;
import io.medseg.mlops.registry.ModelRegistry;
import io.medseg.mlops.registry.ValidationGate;
import io.medseg.mlops.registry.ValidationRecord;
import io.medseg.transform.Perturbation;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code segment validate}: the gate a model package passes before it ships ({@link ValidationGate}). Measures
 * accuracy and per-image latency on the given labelled data, prints a verdict per requirement, stores the record in
 * the package's {@code validations/} folder (tied to the package's MANIFEST hash) and exits 3 when any requirement
 * fails. Data the package was trained on (by file content, against its {@code data-manifest.json}) fails the gate
 * unless {@code --allow-training-data} is given, which the record then states.
 */
@Command(name = "validate", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Certify a model package against accuracy and latency requirements on labelled data.",
                "  segment validate --model PKG --data DIR --min-dice 0.85 --max-p95-ms 200",
                "Stores the record in PKG/validations/; exits 0 when every requirement holds, 3 when one fails.",
                "Frames the package was trained on fail the gate unless --allow-training-data is given.",
                "--robustness adds the mean Dice under perturbations and attacks; --min-dice-under gates on them:",
                "  segment validate --model PKG --data DIR --min-dice 0.85 \\",
                "      --robustness --min-dice-under noise=0.8,pgd=0.5"})
public final class ValidateCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Mixin
    BackendOption backendOption;

    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Mixin
    InferenceOptions inference = new InferenceOptions();

    @Mixin
    PrecisionOption precision = new PrecisionOption();

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

    @Option(names = "--max-hd95-mm", paramLabel = "MM", description = "Required mean 95%% Hausdorff distance.")
    Double maxHd95Mm;

    @Option(names = "--allow-training-data",
            description = "Pass also when frames of the data were the package's training data (the record says so).")
    boolean allowTrainingData;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1",
            description = "Images per inference call when timing (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "3",
            description = "Untimed calls before timing (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "30",
            description = "Timed calls at least (cycling through the data; default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--robustness",
            description = "Also measure the mean Dice under perturbations (noise0.02, noise0.05, noise0.1, scale0.5, "
                    + "scale2, gamma0.7, gamma1.5, rotate-10, rotate+10, blur) and attacks (fgsm at each "
                    + "--fgsm-eps, pgd), store them in the record and write the model card's robustness section.")
    boolean robustness;

    @Option(names = "--min-dice-under", paramLabel = "NAME=D", split = ",",
            description = "Required mean Dice under a perturbation, attack or group (noise, scale, gamma, rotation, "
                    + "blur, fgsm, pgd: the worst of its members), e.g. noise=0.85,pgd=0.5; implies --robustness.")
    List<String> minDiceUnder;

    @Option(names = "--fgsm-eps", paramLabel = "E", split = ",", defaultValue = "0.01,0.03",
            description = "FGSM budgets, L-infinity in normalised-intensity units (default: ${DEFAULT-VALUE}).")
    List<Double> fgsmEps;

    @Option(names = "--pgd-eps", paramLabel = "E", defaultValue = "0.03",
            description = "PGD budget, L-infinity in normalised-intensity units (default: ${DEFAULT-VALUE}).")
    double pgdEps;

    @Option(names = "--pgd-steps", paramLabel = "N", defaultValue = "10",
            description = "PGD steps (default: ${DEFAULT-VALUE}).")
    int pgdSteps;

    @Option(names = "--pgd-alpha", paramLabel = "A",
            description = "PGD step size (default: the PGD budget / 4).")
    Double pgdAlpha;

    @Override
    public Integer call() throws Exception {
        if (minDice == null && maxP95Ms == null && maxHd95Mm == null) {
            throw new UsageException("validate needs at least one requirement: --min-dice, --max-p95-ms or "
                    + "--max-hd95-mm");
        }
        if (minDice != null && !(minDice >= 0 && minDice <= 1)) {
            throw new UsageException("--min-dice must be in 0..1: " + minDice);
        }
        positiveLimit(maxP95Ms, "--max-p95-ms");
        positiveLimit(maxHd95Mm, "--max-hd95-mm");
        Inputs.positive(batch, "--batch");
        Inputs.positive(samples, "--samples");
        if (warmup < 0) {
            throw new UsageException("--warmup must be >= 0: " + warmup);
        }
        Optional<Robustness.Plan> plan = robustnessPlan();
        ValidationGate gate = new ValidationGate(optional(minDice), optional(maxP95Ms), optional(maxHd95Mm), batch,
                warmup, samples, allowTrainingData);
        Path pkgDir = Inputs.directory(model);
        ModelPackage pkg = ModelPackage.open(pkgDir);
        Path dataRoot = Inputs.existing(data);
        DataFormat format = dataOptions.formatOf(dataRoot);
        SegmentationDataset ds = dataOptions.load(dataRoot, patients, root.err());
        Optional<TrainingOverlap> overlap = TrainingOverlap.check(pkg.dir(), dataRoot, format, ds.samples());
        Backend backend = backendOption.backend();
        ValidationGate.Result result;
        Precision used;
        try (SegmentationModel m = backend.load(pkg.dir(), precision.precision)) {
            used = m.precision();
            result = gate.validate(pkg, inference.segmenter(m), ds, DataManifest.of(dataRoot), overlap,
                    inference.describe() + ", " + m.precision().label(), Environment.current(backend.name(), backend.description()),
                    plan, root.err()::println);
        }
        // a registered copy's validation is an event of its registry
        ModelRegistry.recordValidation(pkg.dir(), ValidationRecord.read(result.recordFile()));
        root.out().println(String.format(Locale.ROOT, "%-21s %-4s %10s %10s  %s", "requirement", "", "threshold",
                "measured", "verdict"));
        for (ValidationGate.Verdict v : result.verdicts()) {
            // the overlap requirement counts images
            String number = v.name().equals(ValidationGate.OVERLAP_REQUIREMENT) ? "%10.0f" : "%10.4f";
            root.out().println(String.format(Locale.ROOT, "%-21s %-4s " + number + " " + number + "  %s", v.name(),
                    v.comparison(), v.threshold(), v.measured(), v.passed() ? "PASS" : "FAIL"));
        }
        root.out().println(overlapLine(overlap, pkg.dir()));
        Latency latency = result.latency();
        root.out().println(String.format(Locale.ROOT, "latency per image (batch %d): p50 %.1f ms, p95 %.1f ms, "
                + "p99 %.1f ms over %d calls", batch, latency.percentile(50), latency.percentile(95),
                latency.percentile(99), latency.samplesMs().length));
        result.robustness().ifPresent(r -> printRobustness(r, result));
        root.out().println((result.passed() ? "VALIDATION PASSED" : "VALIDATION FAILED") + " for " + pkg.name()
                + " at " + used.label() + " on " + ds.size() + " frames of " + ds.patients().size() + " patients; record: "
                + result.recordFile());
        return result.passed() ? 0 : Errors.NOT_MET;
    }

    /** The robustness plan of the options, when --robustness or --min-dice-under is given. */
    private Optional<Robustness.Plan> robustnessPlan() {
        boolean thresholds = minDiceUnder != null && !minDiceUnder.isEmpty();
        if (!robustness && !thresholds) {
            return Optional.empty();
        }
        if (fgsmEps.stream().anyMatch(e -> !(e > 0 && Double.isFinite(e)))) {
            throw new UsageException("--fgsm-eps must be numbers > 0: " + fgsmEps);
        }
        positiveLimit(pgdEps, "--pgd-eps");
        Inputs.positive(pgdSteps, "--pgd-steps");
        positiveLimit(pgdAlpha, "--pgd-alpha");
        Map<String, Double> required = new LinkedHashMap<>();
        for (String t : thresholds ? minDiceUnder : List.<String>of()) {
            int eq = t.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--min-dice-under takes NAME=D, e.g. noise=0.85: " + t);
            }
            String value = t.substring(eq + 1).trim();
            double d;
            try {
                d = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new UsageException("--min-dice-under " + t + ": " + value + " is not a number");
            }
            required.put(t.substring(0, eq).trim(), d);
        }
        try {
            return Optional.of(new Robustness.Plan(Perturbation.standard(),
                    Robustness.defaultAttacks(fgsmEps, pgdEps, pgdSteps, pgdAlpha == null ? pgdEps / 4 : pgdAlpha),
                    required));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--min-dice-under: " + e.getMessage());
        }
    }

    /** The robustness table, why any threshold could not be measured, and where the card section went. */
    private void printRobustness(Robustness.Report r, ValidationGate.Result result) {
        root.out().println("robustness on " + r.frames() + " frames (perturbations of the raw image; attacks on the "
                + "normalised input, budgets in normalised-intensity units):");
        root.out().print(r.table());
        for (String name : r.minDiceUnder().keySet()) {
            r.unavailable(name).ifPresent(why -> root.out().println(ValidationGate.ROBUSTNESS_REQUIREMENT_PREFIX + name
                    + " FAILS, not measured: " + why));
        }
        result.robustnessCard().ifPresent(f -> root.out().println("model card robustness section: " + f));
    }

    /** What the gate made of the overlap with the training data, in one line. */
    private String overlapLine(Optional<TrainingOverlap> overlap, Path pkgDir) {
        if (overlap.isEmpty() || !overlap.get().any()) {
            return Overlaps.line(overlap, pkgDir);
        }
        String what = overlap.get().describe();
        if (allowTrainingData) {
            return "allowed: " + what + " (--allow-training-data, stated in the record): these figures are not a "
                    + "held-out score";
        }
        return "refused: " + what + "; validate on patients it was not trained on, or pass --allow-training-data "
                + "to accept them (the record then says so)";
    }

    private static void positiveLimit(Double v, String option) {
        if (v != null && !(v > 0 && Double.isFinite(v))) {
            throw new UsageException(option + " must be a number > 0: " + v);
        }
    }

    private static OptionalDouble optional(Double v) {
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }
}

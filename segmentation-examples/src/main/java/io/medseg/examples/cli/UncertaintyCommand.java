package io.medseg.examples.cli;

import io.medseg.backend.SegmentationModel;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.inference.Prediction;
import io.medseg.inference.Segmenter;
import io.medseg.inference.UncertaintyMap;
import io.medseg.io.Json;
import io.medseg.metrics.Dice;
import io.medseg.metrics.RankStatistics;
import io.medseg.mlops.UncertaintyFigures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code segment uncertainty}: whether the uncertainty maps mean something, measured on leave-one-patient-out fold
 * models (as {@code segment crossval --save-models DIR} writes them, one folder per held-out patient): each fold's
 * model is scored on its held-out patient's frames alone, and the figures of {@link UncertaintyFigures} are
 * computed per fold and pooled.
 */
@Command(name = "uncertainty", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Measure whether the uncertainty maps mean something, on leave-one-patient-out fold models.",
                "MODELS_DIR/<patient> is the model trained without <patient> (crossval --save-models);",
                "each is scored on that patient's frames only.",
                "Per fold: the AUROC of the per-pixel entropy (and variance) for wrongly labelled",
                "pixels, over all pixels and near the structure, and Spearman's rho of the per-image",
                "uncertainty score with Dice (negative: the most uncertain frames are the worst).",
                "--out FILE writes the figures as JSON; as RUN/uncertainty.json, 'segment export' puts",
                "them into the package and its model card."})
public final class UncertaintyCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Mixin
    BackendOption backendOption;

    @Mixin
    InferenceOptions inference = new InferenceOptions();

    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Mixin
    PrecisionOption precision = new PrecisionOption();

    @Option(names = "--models", required = true, paramLabel = "MODELS_DIR",
            description = "A folder of fold models, each in a folder named after the patient it was trained "
                    + "without (what crossval --save-models writes).")
    Path models;

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "The labelled data the folds were made from (format detected from the content unless "
                    + "--format is given).")
    Path data;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Also write the figures to FILE as JSON (e.g. RUN/" + UncertaintyFigures.FILE + ").")
    Path out;

    @Option(names = "--json", description = "Print the figures as one JSON object instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Inputs.directory(models);
        if (out != null && Files.isDirectory(out)) {
            throw new UsageException(out + ": is a directory; --out takes a file, e.g. " + out.resolve(
                    UncertaintyFigures.FILE));
        }
        Path dataRoot = Inputs.existing(data);
        List<Path> folds;
        try (Stream<Path> s = Files.list(models)) {
            folds = s.filter(p -> Files.isRegularFile(p.resolve(Inputs.MODEL_MARKER))).sorted().toList();
        }
        if (folds.isEmpty()) {
            throw new UsageException(models + ": no fold models (folders <patient>/" + Inputs.MODEL_MARKER
                    + ", as 'segment crossval --save-models' writes)");
        }
        SegmentationDataset all = dataOptions.load(dataRoot, null, root.err());
        for (Path f : folds) {
            String patient = f.getFileName().toString();
            if (!all.patients().contains(patient)) {
                throw new UsageException(f + ": named after patient " + patient + ", who is not in " + dataRoot
                        + " (patients " + String.join(", ", all.patients()) + ")");
            }
        }
        List<Measured> measured = new ArrayList<>();
        List<UncertaintyFigures.Fold> figures = new ArrayList<>();
        int passes = 0;
        for (Path f : folds) {
            String patient = f.getFileName().toString();
            List<Sample> samples = all.forPatients(List.of(patient)).samples();
            try (SegmentationModel m = backendOption.backend().load(Inputs.modelDirectory(f), precision.precision)) {
                Segmenter segmenter = inference.segmenter(m);
                passes = segmenter.passes();
                List<Prediction> predictions = EvaluateCommand.predictWithUncertainty(segmenter,
                        samples.stream().map(Sample::image).toList());
                Measured one = Measured.of(samples.stream().map(Sample::mask).toList(), predictions,
                        m.spec().numClasses());
                measured.add(one);
                figures.add(one.figures(patient, f.toString()));
            }
            root.err().printf(Locale.ROOT, "held out %s: %d frames measured%n", patient, samples.size());
        }
        UncertaintyFigures result = new UncertaintyFigures(UncertaintyFigures.FORMAT, 1, commandLine(),
                Instant.now().toString(), models.toString(), dataRoot.toString(), inference.describe(), passes,
                "summed normalised entropy of the mean class probabilities over the image, divided by the number "
                        + "of predicted foreground pixels (by 1 when there are none)",
                figures, Measured.pooled(measured).figures("all", models.toString()));
        if (out != null) {
            result.write(out);
            root.err().println("wrote " + out);
        }
        root.out().println(json ? Json.writeCompact(result) : table(result));
        return 0;
    }

    /** The command line that repeats this measurement. */
    private String commandLine() {
        StringBuilder sb = new StringBuilder("segment uncertainty --models ").append(models).append(" --data ")
                .append(data);
        if (inference.tta != null) {
            sb.append(" --tta ").append(inference.tta.name().toLowerCase(Locale.ROOT));
        }
        if (inference.post != null) {
            sb.append(" --post-process ").append(inference.post.isNone() ? "none" : "lcc");
        }
        return sb.toString();
    }

    private static String table(UncertaintyFigures r) {
        StringBuilder sb = new StringBuilder();
        String row = "%-12s %6s %9s %7s %9s %9s %9s %9s %9s%n";
        sb.append(String.format(Locale.ROOT, row, "held out", "frames", "pixels", "wrong", "dice", "auroc_H",
                "auroc_H~", "auroc_var", "rho"));
        List<UncertaintyFigures.Fold> rows = new ArrayList<>(r.folds());
        rows.add(r.pooled());
        for (UncertaintyFigures.Fold f : rows) {
            sb.append(String.format(Locale.ROOT, row, f.heldOut(), f.frames(), f.pixels(), f.wrongPixels(),
                    String.format(Locale.ROOT, "%.4f", f.diceMean()), fmt(f.pixelAurocEntropy()),
                    fmt(f.pixelAurocEntropyNear()), fmt(f.pixelAurocVariance()), fmt(f.spearmanScoreDice())));
        }
        sb.append(String.format(Locale.ROOT, "%s; %d network pass(es) per image. auroc_H: entropy over all pixels, "
                + "auroc_H~: within %d pixels of the structure, rho: Spearman of the image score with Dice.%n",
                r.inference(), r.passes(), UncertaintyFigures.NEAR_PIXELS));
        r.verdicts().forEach(v -> sb.append(v).append(System.lineSeparator()));
        return sb.toString().stripTrailing();
    }

    private static String fmt(OptionalDouble d) {
        return d.isPresent() ? String.format(Locale.ROOT, "%.4f", d.getAsDouble()) : "-";
    }

    /**
     * Every pixel's entropy, variance, whether it was wrong and whether it is near the structure, and every
     * image's score and Dice, of one fold or several pooled.
     */
    static final class Measured {
        private final double[] entropy;
        private final double[] variance;
        private final boolean[] wrong;
        private final boolean[] near;
        private final double[] scores;
        private final double[] dice;
        private final int passes;

        private Measured(double[] entropy, double[] variance, boolean[] wrong, boolean[] near, double[] scores,
                double[] dice, int passes) {
            this.entropy = entropy;
            this.variance = variance;
            this.wrong = wrong;
            this.near = near;
            this.scores = scores;
            this.dice = dice;
            this.passes = passes;
        }

        static Measured of(List<Mask> references, List<Prediction> predictions, int numClasses) {
            if (references.size() != predictions.size()) {
                throw new IllegalArgumentException(references.size() + " references for " + predictions.size()
                        + " predictions");
            }
            long total = 0;
            for (Mask m : references) {
                total += (long) m.height() * m.width();
            }
            if (total > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("too many pixels to rank at once: " + total);
            }
            int n = (int) total;
            double[] entropy = new double[n];
            double[] variance = new double[n];
            boolean[] wrong = new boolean[n];
            boolean[] near = new boolean[n];
            double[] scores = new double[references.size()];
            double[] dice = new double[references.size()];
            int passes = 1;
            int at = 0;
            for (int i = 0; i < references.size(); i++) {
                Mask ref = references.get(i);
                Prediction p = predictions.get(i);
                int index = i;
                UncertaintyMap u = p.uncertainty().orElseThrow(() -> new IllegalArgumentException(
                        "prediction " + index + " has no uncertainty map"));
                Mask pred = p.mask();
                if (pred.height() != ref.height() || pred.width() != ref.width()) {
                    throw new IllegalArgumentException("image " + i + ": prediction " + pred.height() + "x"
                            + pred.width() + ", reference " + ref.height() + "x" + ref.width());
                }
                passes = u.passes();
                boolean[] nearHere = near(ref, pred, UncertaintyFigures.NEAR_PIXELS);
                float[] e = u.entropy();
                float[] v = u.variance();
                int w = ref.width();
                for (int y = 0; y < ref.height(); y++) {
                    for (int x = 0; x < w; x++) {
                        int k = y * w + x;
                        entropy[at + k] = e[k];
                        variance[at + k] = v[k];
                        wrong[at + k] = pred.get(y, x) != ref.get(y, x);
                        near[at + k] = nearHere[k];
                    }
                }
                at += ref.height() * w;
                scores[i] = u.score();
                dice[i] = Dice.foreground(ref, pred, numClasses);
            }
            return new Measured(entropy, variance, wrong, near, scores, dice, passes);
        }

        /** Every fold's pixels and images together. */
        static Measured pooled(List<Measured> folds) {
            int pixels = folds.stream().mapToInt(f -> f.entropy.length).sum();
            int images = folds.stream().mapToInt(f -> f.scores.length).sum();
            double[] entropy = new double[pixels];
            double[] variance = new double[pixels];
            boolean[] wrong = new boolean[pixels];
            boolean[] near = new boolean[pixels];
            double[] scores = new double[images];
            double[] dice = new double[images];
            int p = 0;
            int im = 0;
            for (Measured f : folds) {
                System.arraycopy(f.entropy, 0, entropy, p, f.entropy.length);
                System.arraycopy(f.variance, 0, variance, p, f.variance.length);
                System.arraycopy(f.wrong, 0, wrong, p, f.wrong.length);
                System.arraycopy(f.near, 0, near, p, f.near.length);
                p += f.entropy.length;
                System.arraycopy(f.scores, 0, scores, im, f.scores.length);
                System.arraycopy(f.dice, 0, dice, im, f.dice.length);
                im += f.scores.length;
            }
            return new Measured(entropy, variance, wrong, near, scores, dice,
                    folds.isEmpty() ? 1 : folds.get(0).passes);
        }

        UncertaintyFigures.Fold figures(String heldOut, String model) {
            long wrongCount = 0;
            long nearCount = 0;
            long wrongNear = 0;
            for (int i = 0; i < wrong.length; i++) {
                wrongCount += wrong[i] ? 1 : 0;
                nearCount += near[i] ? 1 : 0;
                wrongNear += wrong[i] && near[i] ? 1 : 0;
            }
            double diceMean = 0;
            for (double d : dice) {
                diceMean += d / dice.length;
            }
            boolean varies = passes > 1;
            return new UncertaintyFigures.Fold(heldOut, model, scores.length, entropy.length, wrongCount, nearCount,
                    wrongNear, diceMean, auroc(entropy, wrong, null), auroc(entropy, wrong, near),
                    varies ? auroc(variance, wrong, null) : OptionalDouble.empty(),
                    varies ? auroc(variance, wrong, near) : OptionalDouble.empty(), spearman(scores, dice));
        }

        /** The AUROC over the pixels {@code within} (all when null); empty when it is undefined there. */
        private static OptionalDouble auroc(double[] values, boolean[] positive, boolean[] within) {
            double[] v = values;
            boolean[] p = positive;
            if (within != null) {
                int n = 0;
                for (boolean b : within) {
                    n += b ? 1 : 0;
                }
                v = new double[n];
                p = new boolean[n];
                int j = 0;
                for (int i = 0; i < within.length; i++) {
                    if (within[i]) {
                        v[j] = values[i];
                        p[j++] = positive[i];
                    }
                }
            }
            boolean anyPositive = false;
            boolean anyNegative = false;
            for (boolean b : p) {
                anyPositive |= b;
                anyNegative |= !b;
            }
            return anyPositive && anyNegative ? OptionalDouble.of(RankStatistics.auroc(v, p))
                    : OptionalDouble.empty();
        }

        private static OptionalDouble spearman(double[] a, double[] b) {
            if (a.length < 2 || constant(a) || constant(b)) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(RankStatistics.spearman(a, b));
        }

        private static boolean constant(double[] a) {
            for (double d : a) {
                if (d != a[0]) {
                    return false;
                }
            }
            return true;
        }

        /**
         * The pixels at most {@code r} rows and {@code r} columns from a foreground pixel of {@code a} or {@code b}
         * (a square neighbourhood), row-major.
         */
        static boolean[] near(Mask a, Mask b, int r) {
            int h = a.height();
            int w = a.width();
            // rows first: whether a foreground pixel lies within r columns, by a running count over the row
            boolean[] rows = new boolean[h * w];
            for (int y = 0; y < h; y++) {
                int[] prefix = new int[w + 1];
                for (int x = 0; x < w; x++) {
                    prefix[x + 1] = prefix[x] + (a.get(y, x) != 0 || b.get(y, x) != 0 ? 1 : 0);
                }
                for (int x = 0; x < w; x++) {
                    rows[y * w + x] = prefix[Math.min(w, x + r + 1)] - prefix[Math.max(0, x - r)] > 0;
                }
            }
            boolean[] out = new boolean[h * w];
            for (int x = 0; x < w; x++) {
                int[] prefix = new int[h + 1];
                for (int y = 0; y < h; y++) {
                    prefix[y + 1] = prefix[y] + (rows[y * w + x] ? 1 : 0);
                }
                for (int y = 0; y < h; y++) {
                    out[y * w + x] = prefix[Math.min(h, y + r + 1)] - prefix[Math.max(0, y - r)] > 0;
                }
            }
            return out;
        }
    }
}

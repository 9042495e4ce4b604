package io.medseg.mlops;

import io.medseg.io.Json;
import io.medseg.model.UNetSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import tools.jackson.databind.JsonNode;

/**
 * The Markdown model card of a package, written from the package's own records (model description, provenance,
 * metrics) so it cannot disagree with them: intended use, the model, training data, metrics with the split they
 * came from, and limitations.
 */
final class ModelCard {
    private ModelCard() {
    }

    static String render(JsonNode model, UNetSpec spec, TrainingProvenance provenance, ModelMetrics metrics) {
        TrainingProvenance.Config config = provenance.config();
        TrainingProvenance.RunInfo run = provenance.run();
        Environment env = provenance.environment();
        TrainingProvenance.DataSummary data = provenance.data();
        StringBuilder md = new StringBuilder();
        md.append("# Model card: ").append(model.path("name").asString("")).append("\n\n");

        md.append("## Intended use\n\n");
        md.append("Segmentation of the left-ventricle blood pool in short-axis cine cardiac MRI frames, for research "
                + "and engineering (volumetry pipelines, dataset curation, method comparison). It is not a medical "
                + "device: every contour it produces must be reviewed by a qualified reader before any clinical "
                + "use. Out of scope: other views (long axis), other sequences (late enhancement, perfusion), "
                + "other anatomy, paediatric or congenital hearts unless validated on such data.\n\n");

        md.append("## Model\n\n");
        md.append(String.format(Locale.ROOT, "- U-Net, depth %d, %d base filters, %s upsampling, batch norm %s, "
                + "dropout %s, %s activation.%n", spec.depth(), spec.baseFilters(),
                spec.upsampling().name().toLowerCase(Locale.ROOT).replace('_', '-'), spec.batchNorm(),
                number(spec.dropout()), spec.activation().name().toLowerCase(Locale.ROOT)));
        md.append(String.format(Locale.ROOT, "- Input: %d x %d x %d (%s of the image), normalisation %s.%n",
                spec.inputHeight(), spec.inputWidth(), spec.inputChannels(),
                spec.inputFit().name().toLowerCase(Locale.ROOT).replace('_', ' '),
                Json.writeCompact(spec.normalization())));
        List<String> classNames = new ArrayList<>();
        model.path("class_names").forEach(n -> classNames.add(n.asString()));
        md.append("- Output classes: ").append(String.join(", ", classNames)).append(".\n");
        JsonNode sig = model.get("signature");
        if (sig != null && sig.isObject()) {
            md.append("- SavedModel tag `").append(text(sig.get("tag"))).append("`, signature `")
                    .append(text(sig.get("key"))).append("`: `").append(text(sig.get("input"))).append("` ")
                    .append(list(sig.get("inputShape"))).append(" float32 -> `").append(text(sig.get("output")))
                    .append("` ").append(list(sig.get("outputShape"))).append(" softmax probabilities.\n");
        }
        TrainingProvenance.SpacingSummary sp = config.trainPixelSpacing();
        if (sp != null) {
            md.append(String.format(Locale.ROOT, "- Pixel spacing of the training images: %s x %s mm (row x column,"
                    + " median of %d images; rows %s..%s mm, columns %s..%s mm). Images of a very different spacing"
                    + " show the heart at another size than the model learnt.%n", number(sp.row().median()),
                    number(sp.col().median()), sp.imagesWithSpacing(), number(sp.row().min()),
                    number(sp.row().max()), number(sp.col().min()), number(sp.col().max())));
        }
        md.append("\n## How it was made\n\n");
        md.append("- Run ").append(run.id()).append(", ").append(run.started()).append(" to ")
                .append(run.ended().map(String::valueOf).orElse("null")).append(".\n");
        md.append("- ").append(env.library()).append(", ").append(env.backendDescription())
                .append(", Java ").append(env.javaVersion()).append(", ").append(env.os()).append(" ")
                .append(env.arch()).append(".\n");
        provenance.git().ifPresent(git -> md.append("- Source: git commit ").append(git.commit())
                .append(git.dirty().orElse(false) ? " with uncommitted changes" : "").append(".\n"));
        md.append("- Recipe ").append(config.recipe()).append(": ").append(config.epochs())
                .append(" epochs, batch ").append(config.batchSize()).append(", seed ")
                .append(provenance.seed()).append(".\n");
        md.append("- Loss: ").append(config.lossText()).append(".\n");
        md.append("- Optimiser: ").append(config.optimizerText()).append(".\n");
        md.append("- Augmentation: ").append(config.augmentationText()).append(".\n");

        md.append("\n## Training data\n\n");
        md.append("- ").append(config.trainFrames()).append(" labelled frames of patients ")
                .append(String.join(", ", config.trainPatients())).append(", from `")
                .append(data.root()).append("`.\n");
        md.append("- Content hash (SHA-256 over ").append(data.fileCount()).append(" files): `")
                .append(data.aggregateSha256()).append("`; every file with its own hash is listed in "
                        + "`data-manifest.json`.\n");

        md.append("\n## Metrics\n\n");
        ModelMetrics.Split split = metrics.split();
        md.append("Split: **").append(split.kind()).append("**: ").append(split.description())
                .append(". Patients ").append(String.join(", ", split.patients())).append(", ")
                .append(split.frames()).append(" frames.");
        metrics.precision().ifPresent(p -> md.append(" The network computed in ").append(p).append("."));
        md.append("\n\n| metric | value |\n|---|---|\n");
        row(md, "Dice, mean per image", OptionalDouble.of(metrics.diceMean()));
        row(md, "Dice, global", OptionalDouble.of(metrics.diceGlobal()));
        EvaluationReport.Document ev = metrics.evaluation();
        row(md, "IoU, mean", ev.iouMean());
        row(md, "HD95 (mm), mean", ev.hd95MmMean());
        row(md, "ASSD (mm), mean", ev.assdMmMean());
        row(md, "APD (mm), mean", ev.apdMmMean());
        row(md, "good contours (%)", ev.goodContoursPct());
        if (ModelMetrics.TRAINING.equals(split.kind())) {
            md.append("\nThese figures were measured on the training data and overstate accuracy on new patients. "
                    + "Run `segment validate` on held-out patients before relying on the model.\n");
        }

        md.append("\n## Limitations\n\n");
        md.append("- Trained on ").append(config.trainPatients().size())
                .append(" patients from one public source; accuracy on other scanners, field strengths and "
                        + "populations is unknown until measured (`segment validate`, `segment drift`).\n");
        md.append("- Small apical slices, where the blood pool is a few pixels across, are the most common "
                + "failure: expect over-segmentation there.\n");
        md.append("- The input is a fixed crop around the image centre; a heart far from the centre of the field of "
                + "view can be cut off.\n");
        md.append("- Intensities are normalised per image, so a global intensity scale does not matter, but a "
                + "different contrast (another sequence) does.\n");
        md.append("- Metrics from a handful of patients are a small sample: treat them as an estimate with wide "
                + "uncertainty.\n");
        return md.toString();
    }

    // ---------------------------------------------------------------- robustness

    /**
     * The card's robustness section: the figures of a {@code segment validate --robustness} run and its thresholds.
     * The card itself is sealed by the package's MANIFEST when the package is exported, before any validation, so
     * this section is written beside the validation record that holds the figures ({@link Robustness.Report}).
     */
    static String robustnessSection(Robustness.Report report, String modelName, List<String> patients,
            Map<String, Boolean> verdicts) {
        StringBuilder md = new StringBuilder();
        md.append("## Robustness\n\n");
        md.append("Model ").append(modelName).append(", measured by `segment validate --robustness` on ")
                .append(report.frames()).append(" frames of patients ").append(String.join(", ", patients))
                .append(". Perturbations change the raw image before fitting and normalisation (geometric ones move "
                        + "the label with it); attacks change the normalised network input within an L-infinity "
                        + "budget in normalised-intensity units, raising the cross-entropy against the reference "
                        + "label. Noise is seeded (").append(report.noiseSeed()).append(").\n\n");
        md.append("| perturbation | parameter | Dice, mean per image | vs clean |\n|---|---|---|---|\n");
        md.append("| clean | - | ").append(Robustness.format(report.cleanDiceMean())).append(" | |\n");
        for (Robustness.Figure f : report.figures()) {
            md.append("| ").append(f.name()).append(" | ").append(f.parameter()).append(" | ");
            if (f.diceMean() == null) {
                md.append("not available: ").append(f.unavailable()).append(" | |\n");
            } else {
                md.append(Robustness.format(f.diceMean())).append(" | ")
                        .append(String.format(Locale.ROOT, "%+.4f", f.deltaVsClean())).append(" |\n");
            }
        }
        if (!report.minDiceUnder().isEmpty()) {
            md.append("\n| threshold | required Dice | worst measured | verdict |\n|---|---|---|---|\n");
            for (Map.Entry<String, Double> t : report.minDiceUnder().entrySet()) {
                OptionalDouble worst = report.worst(t.getKey());
                md.append("| ").append(t.getKey()).append(" | >= ").append(number(t.getValue())).append(" | ")
                        .append(worst.isPresent() ? Robustness.format(worst.getAsDouble()) : "not measured")
                        .append(" | ").append(Boolean.TRUE.equals(verdicts.get(t.getKey())) ? "PASS" : "FAIL")
                        .append(" |\n");
            }
        }
        return md.toString();
    }

    /**
     * The card's uncertainty section, from a run's {@value UncertaintyFigures#FILE}: how well the uncertainty maps
     * flag wrong pixels and rank the worst frames, per fold and pooled, with the command that measured it, and in
     * plain words whether each signal is weak.
     */
    static String uncertainty(UncertaintyFigures figures) {
        StringBuilder md = new StringBuilder();
        md.append("\n## Uncertainty\n\n");
        md.append("`segment predict --uncertainty` writes a heat map of each prediction's per-pixel uncertainty (the "
                + "normalised entropy of the class probabilities) and `segment evaluate --uncertainty` a score per "
                + "image (").append(figures.scoreDefinition()).append("). Whether they mean something was measured "
                + "on leave-one-patient-out fold models of the same recipe (not on this model itself), each on the "
                + "frames of the patient it never saw, with ").append(figures.inference()).append(" (")
                .append(figures.passes()).append(" network pass(es) per image):\n\n");
        md.append("```\n").append(figures.command()).append("\n```\n\n");
        md.append("| held out | frames | pixels | wrong pixels | Dice, mean | pixel AUROC, entropy | same, near the "
                + "structure | pixel AUROC, variance | Spearman rho, score vs Dice |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        List<UncertaintyFigures.Fold> rows = new ArrayList<>(figures.folds());
        rows.add(figures.pooled());
        for (UncertaintyFigures.Fold f : rows) {
            md.append("| ").append(f.heldOut().equals("all") ? "**pooled**" : f.heldOut()).append(" | ")
                    .append(f.frames()).append(" | ").append(f.pixels()).append(" | ").append(f.wrongPixels())
                    .append(" | ").append(String.format(Locale.ROOT, "%.4f", f.diceMean())).append(" | ")
                    .append(cell(f.pixelAurocEntropy())).append(" | ").append(cell(f.pixelAurocEntropyNear()))
                    .append(" | ").append(cell(f.pixelAurocVariance())).append(" | ")
                    .append(cell(f.spearmanScoreDice())).append(" |\n");
        }
        md.append("\nAUROC: how well the per-pixel value tells the wrongly labelled pixels from the others (0.5 is "
                + "chance, 1 perfect); near the structure: pixels within ").append(UncertaintyFigures.NEAR_PIXELS)
                .append(" pixels of the predicted or reference foreground, leaving out the easy background far from "
                        + "the heart. Spearman rho: rank correlation of the image score with the image's Dice, "
                        + "negative when the most uncertain frames are the worst. Variance needs more than one pass "
                        + "(`--tta flips` or `dihedral`); \"-\" marks a figure that is undefined.\n\n");
        for (String v : figures.verdicts()) {
            md.append("- ").append(v).append("\n");
        }
        md.append("- ").append(figures.pooled().frames()).append(" frames of ").append(figures.folds().size())
                .append(" patients are a small sample: the figures are estimates with wide uncertainty.\n");
        return md.toString();
    }

    private static String cell(OptionalDouble v) {
        return v.isPresent() ? String.format(Locale.ROOT, "%.3f", v.getAsDouble()) : "-";
    }

    private static void row(StringBuilder md, String name, OptionalDouble value) {
        if (value.isPresent()) {
            md.append("| ").append(name).append(" | ").append(String.format(Locale.ROOT, "%.4f", value.getAsDouble()))
                    .append(" |\n");
        }
    }

    /** A number as its JSON text ({@code 0}, not {@code 0.0}), as the card has always shown the recorded values. */
    private static String number(double v) {
        return Json.writeCompact(v);
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "null" : n.isString() ? n.asString() : Json.writeCompact(n);
    }

    /** A JSON array as {@code [-1, 128, 128, 1]}, the way a list prints. */
    private static String list(JsonNode n) {
        if (n == null || !n.isArray()) {
            return text(n);
        }
        List<String> items = new ArrayList<>();
        n.forEach(e -> items.add(text(e)));
        return "[" + String.join(", ", items) + "]";
    }
}

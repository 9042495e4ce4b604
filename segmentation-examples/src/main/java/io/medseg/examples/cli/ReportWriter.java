package io.medseg.examples.cli;

import io.medseg.data.Mask;
import io.medseg.inference.UncertaintyMap;
import io.medseg.data.Sample;
import io.medseg.io.Json;
import io.medseg.metrics.ImageMetrics;
import io.medseg.mlops.EvaluationReport;
import io.medseg.mlops.TrainingOverlap;
import io.medseg.mlops.TrainingRuns;
import io.medseg.mlops.report.CaseImage;
import io.medseg.mlops.report.HtmlReport;
import io.medseg.mlops.report.ReportData;
import io.medseg.train.EpochResult;
import io.medseg.viz.UncertaintyHeatMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * {@code segment evaluate --report DIR}: maps an {@link EvaluationReport} onto the HTML report and summary.md. With
 * uncertainty maps ({@code --uncertainty}) the per-image table gains an uncertainty column and lists the images most
 * uncertain first, every case picture has the uncertainty heat map on its right, and the most uncertain cases get a
 * section of their own.
 */
final class ReportWriter {
    /** Worst and best cases shown as overlays. */
    static final int CASES = 3;

    private ReportWriter() {
    }

    static void write(EvaluationReport report, List<Sample> samples, List<Mask> predicted, Path modelDir,
            Path data, String inference, Optional<TrainingOverlap> overlap, Path outDir) throws IOException {
        write(report, samples, predicted, List.of(), modelDir, data, inference, overlap, outDir);
    }

    /**
     * As above, with one uncertainty map per sample ({@code uncertainty} empty for none).
     *
     * @throws IllegalArgumentException if {@code uncertainty} is neither empty nor one map per sample
     */
    static void write(EvaluationReport report, List<Sample> samples, List<Mask> predicted,
            List<UncertaintyMap> uncertainty, Path modelDir, Path data, String inference,
            Optional<TrainingOverlap> overlap, Path outDir) throws IOException {
        boolean withUncertainty = !uncertainty.isEmpty();
        if (withUncertainty && uncertainty.size() != samples.size()) {
            throw new IllegalArgumentException(uncertainty.size() + " uncertainty maps for " + samples.size()
                    + " samples");
        }
        ReportData.Builder b = ReportData.builder().title("LV segmentation: " + modelDir.getFileName())
                .fact("model", modelDir.toString())
                .fact("data", data.toString())
                .fact("images / patients", report.imageCount() + " / " + report.patientCount())
                .fact("overlap with training data", Overlaps.fact(overlap))
                .fact("inference", inference)
                .fact("global Dice", HtmlReport.fmt(report.diceGlobal()))
                .fact("good contours (APD < 5 mm)", String.format(java.util.Locale.ROOT, "%.1f%%",
                        io.medseg.metrics.MetricsSummary.of(report.metrics()).goodContoursPct()))
                .fact("written", Instant.now().toString())
                .metric("Dice", "", true)
                .metric("IoU", "", true)
                .metric("HD95", "mm", false)
                .metric("ASSD", "mm", false)
                .metric("APD", "mm", false)
                // the size of the error, so that lower is better; its sign (over- or under-segmentation) is
                // area_diff_pct of the JSON
                .metric("absolute area difference", "%", false);
        if (withUncertainty) {
            b.metric("uncertainty", "", false)
                    .fact("uncertainty", "score = summed normalised entropy / predicted foreground pixels, over "
                            + uncertainty.get(0).passes() + " network pass(es) per image; images listed most "
                            + "uncertain first")
                    .fact("uncertainty heat map", "right of each case: entropy of the mean class probabilities, "
                            + "black 0 (certain), red, yellow, white 1 (all classes equally likely)");
        }
        if (overlap.isPresent() && overlap.get().any()) {
            b.warning(capitalised(overlap.get().describe()) + ": these figures are not a held-out score.");
        } else if (overlap.isEmpty()) {
            b.warning("Overlap with training data not checked: the model folder has no data manifest, so these "
                    + "figures may include training frames.");
        }
        List<ImageMetrics> metrics = report.metrics();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < metrics.size(); i++) {
            order.add(i);
        }
        if (withUncertainty) {
            // most uncertain first; equal scores keep the input order
            order.sort(Comparator.comparingDouble((Integer i) -> -uncertainty.get(i).score()));
        }
        for (int i : order) {
            ImageMetrics m = metrics.get(i);
            if (withUncertainty) {
                b.row(m.id(), m.patient(), m.dice(), m.iou(), m.hd95Mm(), m.assdMm(), m.apdMm(),
                        Math.abs(m.areaDiffPct()), uncertainty.get(i).score());
            } else {
                b.row(m.id(), m.patient(), m.dice(), m.iou(), m.hd95Mm(), m.assdMm(), m.apdMm(),
                        Math.abs(m.areaDiffPct()));
            }
        }
        ReportData draft = b.build();
        List<ReportData.Row> ranked = ReportData.rankWorstFirst(draft.rows(), draft.metrics().get(0), 0);
        int n = Math.min(CASES, ranked.size());
        for (int i = 0; i < n; i++) {
            addCase(b, CaseImage.Kind.WORST, "worst " + (i + 1), ranked.get(i), samples, predicted, uncertainty);
        }
        for (int i = 0; i < n && ranked.size() - 1 - i >= n; i++) {
            addCase(b, CaseImage.Kind.BEST, "best " + (i + 1), ranked.get(ranked.size() - 1 - i), samples,
                    predicted, uncertainty);
        }
        if (withUncertainty) {
            // draft.rows() are already most uncertain first
            for (int i = 0; i < n; i++) {
                addCase(b, CaseImage.Kind.MOST_UNCERTAIN, "most uncertain " + (i + 1), draft.rows().get(i), samples,
                        predicted, uncertainty);
            }
        }
        addTrainingCurve(b, modelDir.resolve(TrainingRuns.TRAINING_LOG));
        HtmlReport.write(b.build(), outDir);
    }

    private static String capitalised(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static void addCase(ReportData.Builder b, CaseImage.Kind kind, String title, ReportData.Row row,
            List<Sample> samples, List<Mask> predicted, List<UncertaintyMap> uncertainty) {
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            if (s.id().equals(row.id())) {
                String caption = "Dice " + HtmlReport.fmt(row.value(0)) + ", APD " + HtmlReport.fmt(row.value(4))
                        + " mm";
                if (uncertainty.isEmpty()) {
                    b.caseImage(CaseImage.overlay(kind, title, s.id(), caption, s.image(), predicted.get(i),
                            s.mask()));
                } else {
                    UncertaintyMap u = uncertainty.get(i);
                    b.caseImage(CaseImage.overlayBesideHeatMap(kind, title, s.id(), caption + ", uncertainty "
                            + HtmlReport.fmt(u.score()), s.image(), predicted.get(i), s.mask(),
                            UncertaintyHeatMap.render(u)));
                }
                return;
            }
        }
    }

    /** Adds the curve from the model folder's training log, when there is one. */
    private static void addTrainingCurve(ReportData.Builder b, Path log) throws IOException {
        if (!Files.isRegularFile(log)) {
            return;
        }
        for (EpochResult e : Json.read(log, TrainingLog.class).epochs()) {
            if (e.validationDice().isPresent()) {
                b.epoch(e.epoch(), e.trainLoss(), e.validationDice().getAsDouble());
            } else {
                b.epoch(e.epoch(), e.trainLoss());
            }
        }
    }

    /** The part of a run's training log the curve needs. */
    private record TrainingLog(List<EpochResult> epochs) {
    }
}

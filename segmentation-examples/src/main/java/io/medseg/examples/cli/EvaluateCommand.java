package io.medseg.examples.cli;

import io.medseg.backend.SegmentationModel;
import io.medseg.data.DataFormat;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.Image;
import io.medseg.inference.Prediction;
import io.medseg.inference.Segmenter;
import io.medseg.inference.UncertaintyMap;
import io.medseg.mlops.EvaluationReport;
import io.medseg.mlops.TrainingOverlap;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code segment evaluate}: Dice of a saved model on labelled frames in any supported format. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Score a saved model on labelled frames: Dice per image, per patient, mean and global.",
                "Says how many of the frames were the model's training data (by file content).",
                "With --json prints one JSON object (schema in docs/data-formats.md).",
                "With --uncertainty also scores how uncertain each prediction is (docs/getting-started.md, Uncertainty)."})
public final class EvaluateCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Mixin
    BackendOption backendOption;

    @Mixin
    InferenceOptions inference = new InferenceOptions();

    @Option(names = "--model", required = true, paramLabel = "MODEL_DIR", description = "A saved model folder.")
    Path model;

    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Mixin
    PrecisionOption precision = new PrecisionOption();

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "Labelled data: a Sunnybrook-layout folder, a TFRecord file or folder, or an image/mask "
                    + "folder (format detected from the content unless --format is given).")
    Path data;

    @Option(names = "--patients", paramLabel = "ID", split = ",",
            description = "Patient ids to evaluate on (default: all in the folder).")
    List<String> patients;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Option(names = "--report", paramLabel = "DIR",
            description = "Also write report.html and summary.md into DIR (the HTML page is self-contained).")
    Path report;

    @Option(names = "--uncertainty",
            description = "Also compute each image's uncertainty score (summed normalised entropy over the predicted "
                    + "foreground's pixel count): --json adds it per image, --report shows heat maps and lists the "
                    + "images most uncertain first, the table lists them after the Dice.")
    boolean uncertainty;

    @Override
    public Integer call() throws Exception {
        if (report != null) {
            Inputs.outputDirectory(report);
        }
        Path dataRoot = Inputs.existing(data);
        Path modelDir = Inputs.modelDirectory(model);
        DataFormat format = dataOptions.formatOf(dataRoot);
        SegmentationDataset ds = dataOptions.load(dataRoot, patients, root.err());
        Optional<TrainingOverlap> overlap = TrainingOverlap.check(modelDir, dataRoot, format, ds.samples());
        root.err().println(Overlaps.line(overlap, modelDir));
        try (SegmentationModel m = backendOption.backend().load(modelDir, precision.precision)) {
            List<Image> images = ds.samples().stream().map(Sample::image).toList();
            Segmenter segmenter = inference.segmenter(m);
            List<Mask> predicted;
            List<UncertaintyMap> maps = List.of();
            if (uncertainty) {
                List<Prediction> predictions = predictWithUncertainty(segmenter, images);
                predicted = predictions.stream().map(Prediction::mask).toList();
                maps = predictions.stream().map(p -> p.uncertainty().orElseThrow()).toList();
            } else {
                predicted = segmenter.predictAll(images);
            }
            EvaluationReport result = EvaluationReport.compute(ds.samples(), predicted, m.spec().numClasses());
            if (report != null) {
                ReportWriter.write(result, ds.samples(), predicted, maps, modelDir, dataRoot,
                        inference.describe() + ", " + m.precision().label(),
                        overlap, report);
                root.err().println("report: " + report.resolve(io.medseg.mlops.report.HtmlReport.HTML_FILE));
            }
            List<Double> scores = maps.stream().map(UncertaintyMap::score).toList();
            int passes = uncertainty ? segmenter.passes() : 0;
            if (json) {
                root.out().println(uncertainty ? result.toJson(overlap, m.precision(), scores, passes)
                        : result.toJson(overlap, m.precision()));
            } else {
                root.out().println(result.toTable() + System.lineSeparator() + "network precision: "
                        + m.precision().label() + (uncertainty ? System.lineSeparator() + uncertaintyTable(result,
                                scores, passes) : ""));
            }
        }
        return 0;
    }

    /** Predictions with uncertainty maps, {@link Segmenter#DEFAULT_BATCH} images per network call. */
    static List<Prediction> predictWithUncertainty(Segmenter segmenter, List<Image> images) {
        Segmenter s = segmenter.withUncertainty();
        List<Prediction> out = new ArrayList<>(images.size());
        for (int from = 0; from < images.size(); from += Segmenter.DEFAULT_BATCH) {
            out.addAll(s.predictBatch(images.subList(from, Math.min(images.size(), from + Segmenter.DEFAULT_BATCH))));
        }
        return out;
    }

    /** Every image's uncertainty score and Dice, most uncertain first. */
    private static String uncertaintyTable(EvaluationReport result, List<Double> scores, int passes) {
        List<EvaluationReport.ImageResult> images = result.images();
        int idWidth = Math.max(5, images.stream().mapToInt(r -> r.id().length()).max().orElse(0));
        String row = "%-" + idWidth + "s  %11s  %6s%n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%nuncertainty (%d network pass%s per image), most uncertain first:%n",
                passes, passes == 1 ? "" : "es"));
        sb.append(String.format(Locale.ROOT, row, "image", "uncertainty", "dice"));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> -scores.get(i)));
        for (int i : order) {
            sb.append(String.format(Locale.ROOT, row, images.get(i).id(), String.format(Locale.ROOT, "%.4f",
                    scores.get(i)), String.format(Locale.ROOT, "%.4f", images.get(i).dice())));
        }
        return sb.toString().stripTrailing();
    }
}

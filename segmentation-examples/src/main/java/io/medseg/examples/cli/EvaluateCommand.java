package io.medseg.examples.cli;

import io.medseg.backend.SegmentationModel;
import io.medseg.data.DataFormat;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.mlops.EvaluationReport;
import io.medseg.mlops.TrainingOverlap;
import java.nio.file.Path;
import java.util.List;
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
                "With --json prints one JSON object (schema in docs/data-formats.md)."})
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
            List<Mask> predicted = inference.segmenter(m).predictAll(ds.samples().stream().map(Sample::image).toList());
            EvaluationReport result = EvaluationReport.compute(ds.samples(), predicted, m.spec().numClasses());
            if (report != null) {
                ReportWriter.write(result, ds.samples(), predicted, modelDir, dataRoot,
                        inference.describe() + ", " + m.precision().label(),
                        overlap, report);
                root.err().println("report: " + report.resolve(io.medseg.mlops.report.HtmlReport.HTML_FILE));
            }
            root.out().println(json ? result.toJson(overlap, m.precision())
                    : result.toTable() + System.lineSeparator() + "network precision: " + m.precision().label());
        }
        return 0;
    }
}

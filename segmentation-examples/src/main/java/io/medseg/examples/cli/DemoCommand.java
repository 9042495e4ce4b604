package io.medseg.examples.cli;

import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.DatasetSplit;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.phantom.CardiacPhantom;
import io.medseg.examples.CardiacRecipe;
import io.medseg.io.Json;
import io.medseg.mlops.EvaluationReport;
import io.medseg.recipe.Recipe;
import io.medseg.train.TrainingResult;
import io.medseg.viz.Overlays;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code segment demo}: the whole workflow on synthetic data in about a minute, with nothing to download: phantom
 * cardiac images, a patient-wise split, training, evaluation on the held-out patients, overlays and a saved model.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Train and evaluate on synthetic cardiac phantom data (no download needed).",
                "Writes overlays, the evaluation (evaluation.json) and the model (model/) to the output folder."})
public final class DemoCommand implements Callable<Integer> {
    /** Phantom patients generated; two are held out for evaluation. */
    static final int PATIENTS = 6;
    static final int FRAMES_PER_PATIENT = 10;
    static final int IMAGE_SIZE = 128;
    static final int OVERLAYS = 4;

    @ParentCommand
    SegmentCommand root;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "demo-output",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--epochs", paramLabel = "N", description = "Training epochs (default: the demo recipe's).")
    Integer epochs;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "7",
            description = "Seed for the data, the split, the weights and the training order (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        PrintStream stdout = root.out();
        PrintStream err = root.err();
        Inputs.outputDirectory(out);
        Recipe recipe = CardiacRecipe.phantomDemo();
        if (epochs != null) {
            recipe = recipe.withEpochs(Inputs.positive(epochs, "--epochs"));
        }

        err.println("generating " + PATIENTS + " phantom patients x " + FRAMES_PER_PATIENT + " frames ("
                + IMAGE_SIZE + "x" + IMAGE_SIZE + ", seed " + seed + ")...");
        SegmentationDataset data = CardiacPhantom.builder().imageSize(IMAGE_SIZE).patients(PATIENTS)
                .framesPerPatient(FRAMES_PER_PATIENT).seed(seed).build().generate();
        DatasetSplit split = data.splitByPatient(1.0 / 3, seed);
        SegmentationDataset train = split.train();
        SegmentationDataset heldOut = split.validation();
        err.println("training on " + train.size() + " frames of patients " + train.patients()
                + "; holding out " + heldOut.patients());

        try (SegmentationModel model = Backends.load().create(recipe.spec(), seed)) {
            // The held-out patients are shown in the progress bar but never pick the weights (keepBest off):
            // choosing an epoch by them would make their Dice an optimistic estimate.
            TrainingResult result = recipe.trainer(seed).keepBest(false)
                    .listener(root.progressBar()).build().fit(model, train, heldOut);

            List<Mask> predicted = model.segmenter().predictAll(heldOut.samples().stream().map(Sample::image).toList());
            EvaluationReport report = EvaluationReport.compute(heldOut.samples(), predicted,
                    recipe.spec().numClasses());

            Files.createDirectories(out);
            Path overlayDir = out.resolve("overlays");
            int n = Math.min(OVERLAYS, heldOut.size());
            for (int k = 0; k < n; k++) {
                // spread over the held-out frames rather than the first few of one patient
                int i = (int) ((long) k * heldOut.size() / n);
                Sample s = heldOut.get(i);
                Overlays.writePng(Overlays.render(s.image(), predicted.get(i), s.mask()),
                        overlayDir.resolve(Texts.fileName(s.id()) + "_overlay.png"));
            }
            Files.writeString(out.resolve("evaluation.json"), Json.write(report.document()) + "\n",
                    StandardCharsets.UTF_8);
            Path modelDir = out.resolve("model");
            model.save(modelDir);

            stdout.println("trained " + recipe.name() + " for " + result.history().size() + " epochs on "
                    + train.size() + " frames in " + Texts.duration(result.elapsed()));
            // keepBest is off above: the last epoch is kept
            stdout.println("kept the last epoch (" + result.bestEpoch() + "): the held-out patients measure the "
                    + "model, they do not choose its epoch");
            stdout.println("held-out patients " + String.join(", ", heldOut.patients()) + " (" + heldOut.size()
                    + " frames): mean Dice " + Texts.dice(report.diceMean()) + ", global Dice "
                    + Texts.dice(report.diceGlobal()));
            stdout.println("overlays: " + overlayDir + " (" + n + " images; red = predicted, green = reference, "
                    + "yellow = both)");
            stdout.println("evaluation: " + out.resolve("evaluation.json"));
            stdout.println("model: " + modelDir);
        }
        return 0;
    }
}

package io.medseg.examples.cli;

import io.medseg.mlops.TrainingConfig;
import io.medseg.mlops.TrainingRun;
import io.medseg.mlops.TrainingRuns;
import io.medseg.train.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code segment train}: the default cardiac recipe on every labelled frame of the chosen patients, written as a
 * run directory ({@link TrainingRun}, through {@link TrainingRuns}): the model plus everything that made it.
 * Without {@code --val-patients} nothing is held out and the final weights are saved; with it, those patients pick
 * the best epoch.
 * {@code --resume RUN_DIR} continues an interrupted run from its newest complete checkpoint.
 */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Train the cardiac LV recipe on labelled data (Sunnybrook, TFRecord or image/mask folder).",
                // picocli breaks lines after a '.', so lines holding file names are kept short enough not to wrap
                "Writes a run directory: the model, provenance.json, data-manifest.json,",
                "metrics.jsonl, losses.csv, checkpoints/, best/, metrics.json and TensorBoard",
                "events in tensorboard/.",
                "  segment train --data DIR --out RUN_DIR [--val-patients ID,...]",
                "  segment train --resume RUN_DIR"})
public final class TrainCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Option(names = "--data", paramLabel = "PATH",
            description = "Labelled data: a Sunnybrook-layout folder, a TFRecord file or folder, or an image/mask "
                    + "folder (format detected from the content unless --format is given).")
    Path data;

    @Option(names = "--out", paramLabel = "RUN_DIR",
            description = "The run directory to create (the model and how it was made).")
    Path out;

    @Option(names = "--resume", paramLabel = "RUN_DIR",
            description = "Continue this run from its newest complete checkpoint, with its recorded settings.")
    Path resume;

    @Option(names = "--epochs", paramLabel = "N", description = "Training epochs (default: the recipe's).")
    Integer epochs;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed for the weights and the training order (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--patients", paramLabel = "ID", split = ",",
            description = "Patient ids to train on (default: all in the folder).")
    List<String> patients;

    @Option(names = "--val-patients", paramLabel = "ID", split = ",",
            description = "Patient ids held out from training to select the best epoch (default: none).")
    List<String> valPatients;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "1",
            description = "Write a checkpoint every N epochs and after the last (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--no-tensorboard", negatable = false,
            description = "Do not write TensorBoard event files.")
    boolean noTensorboard;

    @Option(names = "--histograms", description = "Also write weight histograms to TensorBoard each epoch.")
    boolean histograms;

    @Override
    public Integer call() throws Exception {
        TrainingRuns.Outcome outcome;
        Path runDir;
        if (resume != null) {
            if (data != null || out != null || epochs != null || patients != null || valPatients != null) {
                throw new UsageException("--resume takes the run's recorded settings: do not combine it with --data, "
                        + "--out, --epochs, --patients or --val-patients");
            }
            runDir = Inputs.directory(resume);
            outcome = TrainingRuns.resume(runDir, TrainingJob.RECIPES, TrainingJob.hooks(root));
        } else {
            if (data == null || out == null) {
                throw new UsageException("train needs --data and --out (or --resume RUN_DIR)");
            }
            // the options first, then the paths, and only then the data
            if (epochs != null) {
                Inputs.positive(epochs, "--epochs");
            }
            Inputs.positive(checkpointEvery, "--checkpoint-every");
            Inputs.outputDirectory(out);
            if (Files.exists(out.resolve(TrainingRun.PROVENANCE))) {
                throw new UsageException(out + ": already holds a training run (continue it with --resume " + out
                        + ", or choose a new --out)");
            }
            TrainingConfig config = TrainingJob.config(Inputs.existing(data), dataOptions.format,
                    dataOptions.skipCorrupt, patients, valPatients, epochs, seed, checkpointEvery, !noTensorboard,
                    histograms);
            runDir = out;
            outcome = TrainingRuns.start(config, out, TrainingJob.hooks(root));
        }
        TrainingResult result = outcome.result();
        List<String> parts = new ArrayList<>();
        parts.add("trained " + outcome.recipe() + " on " + outcome.frames() + " frames of " + outcome.patients()
                + " patients");
        parts.add(result.history().size() + " epochs (" + result.steps() + " steps)");
        double[] loss = result.lossCurve();
        parts.add(String.format(Locale.ROOT, "final loss %.4f", loss[loss.length - 1]));
        parts.add(result.summary());
        parts.add("model saved to " + runDir + " (a run directory: provenance.json, metrics.jsonl, checkpoints/)");
        root.out().println(String.join("; ", parts));
        return 0;
    }
}

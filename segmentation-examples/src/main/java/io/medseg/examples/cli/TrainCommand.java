package io.medseg.examples.cli;

import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.SegmentationDataset;
import io.medseg.io.AtomicFile;
import io.medseg.io.Json;
import io.medseg.recipe.CardiacRecipe;
import io.medseg.train.EpochResult;
import io.medseg.train.TrainingListeners;
import io.medseg.train.TrainingResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code segment train}: the default cardiac recipe on every labelled frame of the chosen patients of a
 * Sunnybrook-layout folder. Without {@code --val-patients} nothing is held out and the final weights are saved;
 * with it, those patients pick the best epoch.
 */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = "Train the cardiac LV recipe on labelled data (Sunnybrook, TFRecord or image/mask folder) and "
                + "save the model.")
public final class TrainCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "Labelled data: a Sunnybrook-layout folder, a TFRecord file or folder, or an image/mask "
                    + "folder (format detected from the content unless --format is given).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "MODEL_DIR", description = "Where to save the model.")
    Path out;

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

    @Override
    public Integer call() throws Exception {
        Path dataRoot = Inputs.existing(data);
        Inputs.outputDirectory(out);
        CardiacRecipe recipe = CardiacRecipe.defaults();
        if (epochs != null) {
            recipe = recipe.withEpochs(Inputs.positive(epochs, "--epochs"));
        }
        Set<String> val = new LinkedHashSet<>(valPatients == null ? List.of() : valPatients);

        Set<String> ids = null;
        if (patients != null) {
            // validation patients are loaded too, whether or not they were also listed in --patients
            ids = new LinkedHashSet<>(patients);
            ids.addAll(val);
        }
        SegmentationDataset all = dataOptions.load(dataRoot, ids, root.err());
        SegmentationDataset validation = val.isEmpty() ? null : all.forPatients(val);
        SegmentationDataset train = all.withoutPatients(val);
        if (train.isEmpty()) {
            throw new UsageException(dataRoot + ": no labelled frames left to train on"
                    + (val.isEmpty() ? "" : " (every patient is in --val-patients)"));
        }
        root.err().println("training " + recipe.name() + " on " + train.size() + " frames of "
                + train.patients().size() + " patients " + train.patients()
                + (validation == null ? "" : "; selecting the best epoch on " + validation.patients()));

        try (SegmentationModel model = Backends.load().create(recipe.spec(), seed)) {
            TrainingResult result = recipe.trainer(seed).keepBest(validation != null)
                    .listener(TrainingListeners.progressBar(root.err())).build().fit(model, train, validation);
            model.save(out);
            writeTrainingLog(out.resolve(TRAINING_LOG), recipe, seed, train, result);
            List<String> parts = new ArrayList<>();
            parts.add("trained " + recipe.name() + " on " + train.size() + " frames of " + train.patients().size()
                    + " patients");
            parts.add(result.history().size() + " epochs (" + result.steps() + " steps) in "
                    + Texts.duration(result.elapsed()));
            double[] loss = result.lossCurve();
            parts.add(String.format(Locale.ROOT, "final loss %.4f", loss[loss.length - 1]));
            if (result.bestValidationDice().isPresent()) {
                parts.add("best epoch " + result.bestEpoch() + " (validation Dice "
                        + Texts.dice(result.bestValidationDice().getAsDouble()) + ")");
            }
            parts.add("model saved to " + out);
            root.out().println(String.join("; ", parts));
        }
        return 0;
    }

    /** Name of the per-epoch training log written beside the model; {@code evaluate --report} plots it. */
    static final String TRAINING_LOG = "training-log.json";

    static void writeTrainingLog(Path file, CardiacRecipe recipe, long seed, SegmentationDataset train,
            TrainingResult result) throws java.io.IOException {
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("recipe", recipe.name());
        log.put("seed", seed);
        log.put("train_images", train.size());
        log.put("train_patients", train.patients());
        log.put("best_epoch", result.bestEpoch());
        List<Object> epochs = new ArrayList<>();
        for (EpochResult e : result.history()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("epoch", e.epoch());
            m.put("loss", e.trainLoss());
            if (e.validationDice().isPresent()) {
                m.put("val_dice", e.validationDice().getAsDouble());
            }
            m.put("learning_rate", e.learningRate());
            m.put("seconds", e.seconds());
            epochs.add(m);
        }
        log.put("epochs", epochs);
        AtomicFile.writeString(file, Json.write(log));
    }
}

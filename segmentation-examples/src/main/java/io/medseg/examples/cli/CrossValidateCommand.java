package io.medseg.examples.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.medseg.backend.Backend;
import io.medseg.backend.Backends;
import io.medseg.backend.Precision;
import io.medseg.data.SegmentationDataset;
import io.medseg.examples.CardiacRecipe;
import io.medseg.io.Json;
import io.medseg.recipe.CrossValidation;
import io.medseg.recipe.Recipe;
import io.medseg.train.TrainingListener;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code segment crossval}: leave-one-patient-out evaluation of the default cardiac recipe. Each patient in turn is
 * held out, a fresh model is trained on the others and scored on it.
 */
@Command(name = "crossval", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = "Leave-one-patient-out evaluation of the cardiac LV recipe on labelled data.")
public final class CrossValidateCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Mixin
    InferenceOptions inference = new InferenceOptions();

    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Mixin
    PrecisionOption precisionOption = new PrecisionOption();

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "Labelled data: a Sunnybrook-layout folder, a TFRecord file or folder, or an image/mask "
                    + "folder (format detected from the content unless --format is given).")
    Path data;

    @Option(names = "--epochs", paramLabel = "N", description = "Training epochs per fold (default: the recipe's).")
    Integer epochs;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed for the weights and the training order (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--patients", paramLabel = "ID", split = ",",
            description = "Patients taking part (default: all in the folder).")
    List<String> patients;

    @Option(names = "--save-models", paramLabel = "DIR",
            description = "Also save each fold's model to DIR/<held-out patient> (to evaluate it again later).")
    Path saveModels;

    @Option(names = "--json", description = "Print one JSON object with every fold and image instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Recipe recipe = inference.apply(CardiacRecipe.defaults());
        if (epochs != null) {
            recipe = recipe.withEpochs(Inputs.positive(epochs, "--epochs"));
        }
        if (saveModels != null) {
            Inputs.outputDirectory(saveModels);
        }
        Path dataRoot = Inputs.existing(data);
        SegmentationDataset all = dataOptions.load(dataRoot, patients, root.err());
        if (all.patients().size() < 2) {
            throw new UsageException(dataRoot + ": leave-one-patient-out needs at least 2 patients, found "
                    + all.patients());
        }
        root.err().println("leave-one-patient-out over " + all.patients() + " with " + recipe.name() + " ("
                + recipe.epochs() + " epochs per fold, " + precisionOption.precision.label() + ")");
        List<TrainingListener> listeners = List.of(root.progressBar());
        Backend backend = Backends.load().withPrecision(precisionOption.precision);
        List<CrossValidation.Fold> folds = CrossValidation.leaveOnePatientOut(backend, recipe, all, seed,
                listeners, f -> root.err().printf(Locale.ROOT, "held out %s: mean Dice %.4f, global Dice %.4f "
                        + "(%d images, trained %s)%n", f.heldOutPatient(), f.diceMean(), f.diceGlobal(),
                        f.testImages(), Texts.duration(java.time.Duration.ofMillis((long) (f.trainSeconds() * 1000)))), saveModels);
        double meanOfMeans = folds.stream().mapToDouble(CrossValidation.Fold::diceMean).average().orElse(0);
        double minMean = folds.stream().mapToDouble(CrossValidation.Fold::diceMean).min().orElse(0);
        if (json) {
            root.out().println(Json.writeCompact(toJson(recipe, folds, meanOfMeans, minMean, precisionOption.precision)));
        } else {
            root.out().printf(Locale.ROOT, "%-14s %7s %10s %12s %10s%n", "held out", "images", "dice_mean",
                    "dice_global", "train_s");
            for (CrossValidation.Fold f : folds) {
                root.out().printf(Locale.ROOT, "%-14s %7d %10.4f %12.4f %10.1f%n", f.heldOutPatient(),
                        f.testImages(), f.diceMean(), f.diceGlobal(), f.trainSeconds());
            }
            root.out().printf(Locale.ROOT, "mean of fold means %.4f, worst fold %.4f%n", meanOfMeans, minMean);
        }
        return 0;
    }

    /** The {@code --json} output. */
    record CrossValidationJson(String recipe, int epochs, @JsonProperty("dice_mean_of_folds") double diceMeanOfFolds,
            @JsonProperty("dice_worst_fold") double diceWorstFold, String precision, List<FoldJson> folds) {
    }

    record FoldJson(@JsonProperty("held_out") String heldOut, @JsonProperty("train_images") int trainImages,
            int images, @JsonProperty("dice_mean") double diceMean, @JsonProperty("dice_global") double diceGlobal,
            @JsonProperty("train_seconds") double trainSeconds, @JsonProperty("per_image") List<ImageJson> perImage) {
    }

    record ImageJson(String id, double dice) {
    }

    private static CrossValidationJson toJson(Recipe recipe, List<CrossValidation.Fold> folds, double meanOfMeans,
            double minMean, Precision precision) {
        List<FoldJson> fs = folds.stream().map(f -> new FoldJson(f.heldOutPatient(), f.trainImages(), f.testImages(),
                f.diceMean(), f.diceGlobal(), f.trainSeconds(),
                f.perImage().stream().map(r -> new ImageJson(r.id(), r.dice())).toList())).toList();
        return new CrossValidationJson(recipe.name(), recipe.epochs(), meanOfMeans, minMean, precision.label(), fs);
    }
}

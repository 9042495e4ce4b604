package io.medseg.examples.cli;

import io.medseg.data.DataFormat;
import io.medseg.data.SegmentationDataset;
import io.medseg.examples.CardiacRecipe;
import io.medseg.mlops.RecipeCatalog;
import io.medseg.mlops.TrainingConfig;
import io.medseg.mlops.TrainingRuns;
import io.medseg.recipe.Recipe;
import io.medseg.tf.tensorboard.TensorBoardListener;
import io.medseg.train.TrainingListener;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What {@code segment train}, {@code train --resume} and {@code reproduce} add to the library's
 * {@link TrainingRuns}: the cardiac recipe with the command line's options as a {@link TrainingConfig}, and
 * {@link TrainingRuns.Hooks} that print progress to the console, read data as every other command does, and write
 * TensorBoard events.
 */
final class TrainingJob {
    /** TensorBoard event files of the run: {@code steps/} (per-step scalars) and {@code epochs/}. */
    static final String TENSORBOARD_DIR = "tensorboard";

    /** The recipes runs of earlier versions are rebuilt from, by name. */
    static final RecipeCatalog RECIPES = name -> CardiacRecipe.NAME.equals(name)
            ? Optional.of(CardiacRecipe.defaults()) : Optional.empty();

    private TrainingJob() {
    }

    /** The cardiac recipe (with {@code epochs} when given) on the selected data. */
    static TrainingConfig config(Path data, DataFormat format, boolean skipCorrupt, List<String> patients,
            List<String> valPatients, Integer epochs, long seed, int checkpointEvery, boolean tensorboard,
            boolean histograms) {
        Recipe recipe = CardiacRecipe.defaults();
        if (epochs != null) {
            recipe = recipe.withEpochs(Inputs.positive(epochs, "--epochs"));
        }
        TrainingConfig.DataSelection selection = new TrainingConfig.DataSelection(data, Optional.ofNullable(format),
                skipCorrupt, Optional.ofNullable(patients), valPatients);
        return new TrainingConfig(recipe, seed, selection, epochs == null ? OptionalInt.empty()
                : OptionalInt.of(epochs), checkpointEvery, tensorboard, histograms);
    }

    /** Progress on the command's standard error, data read as {@link DataOptions} reads it, TensorBoard. */
    static TrainingRuns.Hooks hooks(SegmentCommand root) {
        PrintStream err = root.err();
        return new TrainingRuns.Hooks() {
            @Override
            public void notice(String line) {
                err.println(line);
            }

            @Override
            public SegmentationDataset load(TrainingConfig.DataSelection selection, Collection<String> patients)
                    throws IOException {
                DataOptions options = new DataOptions();
                options.format = selection.format().orElse(null);
                options.skipCorrupt = selection.skipCorrupt();
                return options.load(selection.path(), patients, err);
            }

            @Override
            public List<TrainingListener> listeners(TrainingRuns.RunContext context) throws IOException {
                List<TrainingListener> out = new ArrayList<>();
                out.add(root.progressBar());
                if (context.config().tensorboard()) {
                    out.add(TensorBoardListener.builder().logDir(context.runDir().resolve(TENSORBOARD_DIR))
                            .model(context.model()).frames(context.picturedFrames())
                            .histograms(context.config().histograms()).build());
                }
                return out;
            }
        };
    }
}

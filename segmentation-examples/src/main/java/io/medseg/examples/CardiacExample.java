package io.medseg.examples;

import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.DatasetSplit;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.sunnybrook.SunnybrookDataset;
import io.medseg.inference.Segmenter;
import io.medseg.metrics.Dice;
import io.medseg.metrics.DiceSummary;
import io.medseg.model.InputFit;
import io.medseg.model.Normalization;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.recipe.Recipe;
import io.medseg.train.Trainer;
import io.medseg.train.TrainingListeners;
import io.medseg.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Left-ventricle segmentation from start to finish, as a program to read: load the Sunnybrook data, hold patients
 * out, build a U-Net, train it, measure it on the patients it has not seen, and save it.
 *
 * <pre>
 * java ... io.medseg.examples.CardiacExample [DATA_DIR [MODEL_DIR [EPOCHS]]]
 * </pre>
 *
 * {@code DATA_DIR} is a Sunnybrook-layout folder (default {@code ../shared/data/sunnybrook}), {@code MODEL_DIR}
 * where the model goes (default {@code models/lv-example}); both are relative to the working directory. Its
 * results go to standard output, so that they do not depend on an SLF4J provider; the library's own log lines
 * (the data loaded, the backend) need one, here {@code slf4j-simple}. The README shows how to run it.
 */
public final class CardiacExample {
    private CardiacExample() {
    }

    public static void main(String[] args) throws IOException {
        Path dataDir = Path.of(args.length > 0 ? args[0] : "../shared/data/sunnybrook");
        Path modelDir = Path.of(args.length > 1 ? args[1] : "models/lv-example");
        Recipe recipe = CardiacRecipe.defaults();
        int epochs = args.length > 2 ? epochs(args[2]) : recipe.epochs();

        // 1. Labelled frames: each DICOM image with the expert's contour filled into a mask.
        SegmentationDataset all = SunnybrookDataset.load(dataDir);
        System.out.println(all.size() + " labelled frames of patients " + all.patients());

        // 2. Hold whole patients out: frames of one patient are too alike to be a fair test of each other.
        DatasetSplit split = all.splitByPatient(0.34, 1);

        // 3. The network: the centre 128x128 of each 256x256 frame (where the heart is), a 4-level U-Net, and
        //    per-image intensity normalisation so the scanner's intensity scale does not matter.
        UNetSpec spec = UNet.builder()
                .inputShape(128, 128, 1)
                .inputFit(InputFit.CENTRE_CROP)
                .numClasses(2)
                .depth(4)
                .baseFilters(16)
                .normalization(Normalization.percentile(1, 99))
                .build();

        try (SegmentationModel model = Backends.load().create(spec, 42)) {
            // 4. Train with the recipe's loss, optimiser and augmentation; the held-out patients only watch.
            TrainingResult result = Trainer.builder()
                    .epochs(epochs)
                    .batchSize(recipe.batchSize())
                    .loss(recipe.loss())
                    .optimizer(recipe.optimizer())
                    .augmentation(recipe.augmentation())
                    .keepBest(false)
                    .seed(1)
                    .listener(TrainingListeners.progressBar())
                    .build()
                    .fit(model, split.train(), split.validation());

            // 5. Measure on the held-out patients, with the recipe's clean-up (largest blob, holes filled).
            Segmenter segmenter = model.segmenter().withPostProcessing(recipe.postProcessing());
            List<Sample> test = split.validation().samples();
            List<Mask> predicted = segmenter.predictAll(test.stream().map(Sample::image).toList());
            DiceSummary dice = Dice.summarise(test.stream().map(Sample::mask).toList(), predicted, 1);
            System.out.printf(Locale.ROOT, "held-out patients %s: mean Dice %.4f, global Dice %.4f after %d epochs%n",
                    split.validation().patients(), dice.mean(), dice.global(), result.history().size());

            // 6. Save: a TensorFlow SavedModel plus model.json; Backends.load().load(modelDir) reads it back.
            model.save(modelDir);
            System.out.println("model saved to " + modelDir.toAbsolutePath());
        }
    }

    /** The epochs argument, checked before anything is read. */
    private static int epochs(String arg) {
        try {
            int n = Integer.parseInt(arg.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below, with the argument
        }
        throw new IllegalArgumentException("the number of epochs (third argument) must be a whole number >= 1, got '"
                + arg + "'");
    }
}

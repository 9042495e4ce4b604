package io.medseg.recipe;

import io.medseg.backend.SegmentationModel;
import io.medseg.inference.Segmenter;
import io.medseg.inference.TestTimeAugmentation;
import io.medseg.loss.LossSpec;
import io.medseg.loss.Losses;
import io.medseg.model.InputFit;
import io.medseg.model.Normalization;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.optim.Optimizers;
import io.medseg.optim.OptimizerSpec;
import io.medseg.postprocess.PostProcessing;
import io.medseg.train.Trainer;
import io.medseg.transform.Augmentation;
import io.medseg.transform.Augmentations;
import java.util.Objects;

/**
 * A complete, tested training recipe for left-ventricle segmentation in short-axis cardiac MRI: the network, its
 * input handling, loss, optimiser, augmentation and length of training. {@link #defaults()} is what
 * {@code segment train} uses.
 */
public record CardiacRecipe(String name, UNetSpec spec, int epochs, int batchSize, LossSpec loss,
        OptimizerSpec optimizer, Augmentation augmentation, TestTimeAugmentation testTimeAugmentation,
        PostProcessing postProcessing) {

    public CardiacRecipe {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(augmentation, "augmentation");
        Objects.requireNonNull(testTimeAugmentation, "testTimeAugmentation");
        Objects.requireNonNull(postProcessing, "postProcessing");
        if (epochs < 1 || batchSize < 1) {
            throw new IllegalArgumentException("epochs and batch size must be >= 1: " + epochs + ", " + batchSize);
        }
    }

    /**
     * The default recipe for real short-axis MRI (256x256 frames at about 1.3-1.5 mm per pixel): the centre
     * 128x128 (about 17 cm, which holds the heart) goes to a 4-level U-Net with 16 base filters; cross-entropy plus
     * per-image soft Dice, so small apical slices count as much as large basal ones; Adam with a cosine-decayed
     * rate over 200 epochs; flips, quarter turns, affine, gamma and noise augmentation; the largest connected
     * component, holes filled, as the prediction. Leave-one-patient-out on the three shared Sunnybrook patients:
     * see the README's results table.
     */
    public static CardiacRecipe defaults() {
        UNetSpec spec = UNet.builder()
                .inputShape(128, 128, 1)
                .inputFit(InputFit.CENTRE_CROP)
                .numClasses(2)
                .depth(4)
                .baseFilters(16)
                .batchNorm(true)
                .normalization(Normalization.percentile(1, 99))
                .build();
        return new CardiacRecipe("cardiac-lv", spec, 200, 8, Losses.crossEntropyPlusPerImageDice(),
                Optimizers.adam(Optimizers.cosine(1e-3, 0.05)), Augmentations.cardiac(), TestTimeAugmentation.NONE,
                PostProcessing.largestComponentAndFillHoles());
    }

    /** A small, fast recipe for the built-in phantom data (the demo). */
    public static CardiacRecipe phantomDemo() {
        UNetSpec spec = UNet.builder()
                .inputShape(128, 128, 1)
                .inputFit(InputFit.EXACT)
                .numClasses(2)
                .depth(3)
                .baseFilters(8)
                .batchNorm(true)
                .normalization(Normalization.percentile(1, 99))
                .build();
        return new CardiacRecipe("phantom-demo", spec, 40, 8, Losses.crossEntropyPlusDice(),
                Optimizers.adam(2e-3), Augmentation.none(), TestTimeAugmentation.NONE, PostProcessing.none());
    }

    public CardiacRecipe withEpochs(int newEpochs) {
        return new CardiacRecipe(name, spec, newEpochs, batchSize, loss, optimizer, augmentation,
                testTimeAugmentation, postProcessing);
    }

    /** The same recipe with other inference settings. */
    public CardiacRecipe withInference(TestTimeAugmentation tta, PostProcessing post) {
        return new CardiacRecipe(name, spec, epochs, batchSize, loss, optimizer, augmentation, tta, post);
    }

    /** A segmenter for {@code model} with this recipe's test-time augmentation and post-processing. */
    public Segmenter segmenter(SegmentationModel model) {
        return new Segmenter(model, postProcessing, testTimeAugmentation);
    }

    /** A trainer builder pre-filled with this recipe; add listeners and build. */
    public Trainer.Builder trainer(long seed) {
        return Trainer.builder().epochs(epochs).batchSize(batchSize).loss(loss).optimizer(optimizer)
                .augmentation(augmentation).seed(seed);
    }
}

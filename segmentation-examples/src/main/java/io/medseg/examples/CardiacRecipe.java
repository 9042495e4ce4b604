package io.medseg.examples;

import io.medseg.inference.TestTimeAugmentation;
import io.medseg.loss.Losses;
import io.medseg.model.InputFit;
import io.medseg.model.Normalization;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.optim.Optimizers;
import io.medseg.postprocess.PostProcessing;
import io.medseg.recipe.Recipe;
import io.medseg.transform.Augmentation;
import io.medseg.transform.Augmentations;

/**
 * The cardiac example's tested recipes: {@link #defaults()} is what {@code segment train}, {@code crossval} and
 * {@link CardiacExample} use, {@link #phantomDemo()} what {@code segment demo} uses.
 */
public final class CardiacRecipe {
    /** The name {@link #defaults()} is recorded under in provenance. */
    public static final String NAME = "cardiac-lv";

    private CardiacRecipe() {
    }

    /**
     * The default recipe for real short-axis MRI (256x256 frames at about 1.3-1.5 mm per pixel): the centre
     * 128x128 (about 17 cm, which holds the heart) goes to a 4-level U-Net with 16 base filters; cross-entropy plus
     * per-image soft Dice, so small apical slices count as much as large basal ones; Adam with a cosine-decayed
     * rate over 200 epochs; flips, quarter turns, affine, gamma and noise augmentation; the largest connected
     * component, holes filled, as the prediction. Leave-one-patient-out on the three shared Sunnybrook patients:
     * see the README's results table.
     */
    public static Recipe defaults() {
        UNetSpec spec = UNet.builder()
                .inputShape(128, 128, 1)
                .inputFit(InputFit.CENTRE_CROP)
                .numClasses(2)
                .depth(4)
                .baseFilters(16)
                .batchNorm(true)
                .normalization(Normalization.percentile(1, 99))
                .build();
        return new Recipe(NAME, spec, 200, 8, Losses.crossEntropyPlusPerImageDice(),
                Optimizers.adam(Optimizers.cosine(1e-3, 0.05)), Augmentations.cardiac(), TestTimeAugmentation.NONE,
                PostProcessing.largestComponentAndFillHoles());
    }

    /** A small, fast recipe for the built-in phantom data (the demo). */
    public static Recipe phantomDemo() {
        UNetSpec spec = UNet.builder()
                .inputShape(128, 128, 1)
                .inputFit(InputFit.EXACT)
                .numClasses(2)
                .depth(3)
                .baseFilters(8)
                .batchNorm(true)
                .normalization(Normalization.percentile(1, 99))
                .build();
        return new Recipe("phantom-demo", spec, 40, 8, Losses.crossEntropyPlusDice(),
                Optimizers.adam(2e-3), Augmentation.none(), TestTimeAugmentation.NONE, PostProcessing.none());
    }
}

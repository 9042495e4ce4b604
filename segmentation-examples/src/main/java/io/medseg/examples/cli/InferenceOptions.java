package io.medseg.examples.cli;

import io.medseg.backend.SegmentationModel;
import io.medseg.examples.CardiacRecipe;
import io.medseg.inference.Segmenter;
import io.medseg.inference.TestTimeAugmentation;
import io.medseg.postprocess.PostProcessing;
import io.medseg.recipe.Recipe;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code --tta} and {@code --post-process}, shared by the commands that segment: when absent, the cardiac recipe's
 * own settings apply.
 */
final class InferenceOptions {
    @Option(names = "--tta", paramLabel = "MODE",
            description = "Test-time augmentation: none, flips or dihedral (default: the recipe's).")
    String tta;

    @Option(names = "--post-process", paramLabel = "MODE",
            description = "Mask clean-up: none, or lcc (largest connected component, holes filled) "
                    + "(default: the recipe's).")
    String post;

    Recipe apply(Recipe recipe) {
        return recipe.withInference(tta(recipe.testTimeAugmentation()), post(recipe.postProcessing()));
    }

    /** The inference settings in effect, for reports. */
    String describe() {
        Recipe r = apply(CardiacRecipe.defaults());
        return "test-time augmentation " + r.testTimeAugmentation().name().toLowerCase(Locale.ROOT)
                + ", post-processing " + (r.postProcessing().isNone() ? "none"
                        : "largest component" + (r.postProcessing().fillHoles() ? " + holes filled" : ""));
    }

    Segmenter segmenter(SegmentationModel model) {
        return apply(CardiacRecipe.defaults()).segmenter(model);
    }

    private TestTimeAugmentation tta(TestTimeAugmentation fallback) {
        if (tta == null) {
            return fallback;
        }
        try {
            return TestTimeAugmentation.valueOf(tta.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--tta must be none, flips or dihedral: " + tta);
        }
    }

    private PostProcessing post(PostProcessing fallback) {
        if (post == null) {
            return fallback;
        }
        return switch (post.toLowerCase(Locale.ROOT)) {
            case "none" -> PostProcessing.none();
            case "lcc" -> PostProcessing.largestComponentAndFillHoles();
            default -> throw new UsageException("--post-process must be none or lcc: " + post);
        };
    }
}

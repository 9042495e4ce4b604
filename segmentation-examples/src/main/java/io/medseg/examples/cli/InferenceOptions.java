package io.medseg.examples.cli;

import io.medseg.backend.SegmentationModel;
import io.medseg.examples.CardiacRecipe;
import io.medseg.inference.Segmenter;
import io.medseg.inference.TestTimeAugmentation;
import io.medseg.postprocess.PostProcessing;
import io.medseg.recipe.Recipe;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --tta} and {@code --post-process}, shared by the commands that segment: when absent, the cardiac recipe's
 * own settings apply. Both are checked as the command line is parsed, before anything is read or loaded.
 */
final class InferenceOptions {
    @Option(names = "--tta", paramLabel = "MODE", converter = TtaConverter.class,
            description = "Test-time augmentation: none, flips or dihedral (default: the recipe's).")
    TestTimeAugmentation tta;

    @Option(names = "--post-process", paramLabel = "MODE", converter = PostProcessConverter.class,
            description = "Mask clean-up: none, or lcc (largest connected component, holes filled) "
                    + "(default: the recipe's).")
    PostProcessing post;

    Recipe apply(Recipe recipe) {
        return recipe.withInference(tta != null ? tta : recipe.testTimeAugmentation(),
                post != null ? post : recipe.postProcessing());
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

    static final class TtaConverter implements ITypeConverter<TestTimeAugmentation> {
        @Override
        public TestTimeAugmentation convert(String value) {
            try {
                return TestTimeAugmentation.valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("must be none, flips or dihedral: '" + value + "'");
            }
        }
    }

    static final class PostProcessConverter implements ITypeConverter<PostProcessing> {
        @Override
        public PostProcessing convert(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "none" -> PostProcessing.none();
                case "lcc" -> PostProcessing.largestComponentAndFillHoles();
                default -> throw new TypeConversionException("must be none or lcc: '" + value + "'");
            };
        }
    }
}

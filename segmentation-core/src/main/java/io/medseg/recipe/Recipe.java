package io.medseg.recipe;

import io.medseg.backend.SegmentationModel;
import io.medseg.inference.Segmenter;
import io.medseg.inference.TestTimeAugmentation;
import io.medseg.loss.LossSpec;
import io.medseg.model.UNetSpec;
import io.medseg.optim.OptimizerSpec;
import io.medseg.postprocess.PostProcessing;
import io.medseg.train.Trainer;
import io.medseg.transform.Augmentation;
import java.util.Objects;

/**
 * Everything that defines how a model for one task is trained and run: the network and its input handling, loss,
 * optimiser, augmentation and length of training, and the inference settings its figures are measured with
 * (test-time augmentation, post-processing). A recipe is a value: the same recipe, seed and data give the same
 * model. The cardiac example's tested defaults are in {@code io.medseg.examples.CardiacRecipe}.
 *
 * @param name a short stable name recorded in provenance, e.g. {@code "cardiac-lv"}
 */
public record Recipe(String name, UNetSpec spec, int epochs, int batchSize, LossSpec loss,
        OptimizerSpec optimizer, Augmentation augmentation, TestTimeAugmentation testTimeAugmentation,
        PostProcessing postProcessing) {

    public Recipe {
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

    public Recipe withEpochs(int newEpochs) {
        return new Recipe(name, spec, newEpochs, batchSize, loss, optimizer, augmentation,
                testTimeAugmentation, postProcessing);
    }

    /** The same recipe with other inference settings. */
    public Recipe withInference(TestTimeAugmentation tta, PostProcessing post) {
        return new Recipe(name, spec, epochs, batchSize, loss, optimizer, augmentation, tta, post);
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

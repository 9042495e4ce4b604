package io.medseg.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.Sample;
import io.medseg.io.Json;
import io.medseg.loss.LossSpec;
import io.medseg.loss.Losses;
import io.medseg.optim.LearningRateSchedule;
import io.medseg.optim.OptimizerSpec;
import io.medseg.optim.Optimizers;
import io.medseg.postprocess.PostProcessing;
import io.medseg.transform.Augmentation;
import io.medseg.transform.Augmentations;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The JSON forms of the recipe's parts, as a training run records them. */
class RecipeJsonTest {

    @Test
    void lossesRoundTripAndReadAsDocumented() {
        LossSpec loss = Losses.crossEntropyPlusPerImageDice();
        String json = Json.writeCompact(loss);
        assertThat(json).isEqualTo("{\"type\":\"weighted_sum\",\"terms\":[{\"weight\":1,\"loss\":{\"type\":"
                + "\"cross_entropy\",\"classWeights\":[]}},{\"weight\":1,\"loss\":{\"type\":\"soft_dice\","
                + "\"includeBackground\":false,\"smooth\":1,\"perImage\":true}}]}");
        assertThat(Json.parse(json, LossSpec.class)).isEqualTo(loss);
        LossSpec weighted = new LossSpec.CrossEntropy(List.of(0.25, 4.0));
        assertThat(Json.parse(Json.write(weighted), LossSpec.class)).isEqualTo(weighted);
    }

    @Test
    void optimisersAndSchedulesRoundTrip() {
        for (OptimizerSpec o : List.of(Optimizers.adam(Optimizers.cosine(1e-3, 0.05)), Optimizers.adam(2e-3),
                new OptimizerSpec.Sgd(new LearningRateSchedule.Step(0.1, 10, 0.5), 0.9, true))) {
            assertThat(Json.parse(Json.write(o), OptimizerSpec.class)).isEqualTo(o);
        }
        assertThat(Json.writeCompact(Optimizers.adam(Optimizers.cosine(1e-3, 0.05)))).isEqualTo(
                "{\"type\":\"adam\",\"schedule\":{\"type\":\"cosine\",\"initial\":0.001,\"finalFraction\":0.05},"
                        + "\"beta1\":0.9,\"beta2\":0.999,\"epsilon\":1.0E-7}");
    }

    @Test
    void theCardiacAugmentationRoundTripsToAnEqualOneWithTheSameText() {
        Augmentation a = Augmentations.cardiac();
        Augmentation back = Json.parse(Json.write(a), Augmentation.class);
        assertThat(back).isEqualTo(a);
        assertThat(back.toString()).isEqualTo(a.toString());
        assertThat(Json.writeCompact(a)).startsWith("{\"type\":\"compose\",\"steps\":[{\"type\":\"flips\","
                + "\"pHorizontal\":0.5,\"pVertical\":0},{\"type\":\"rotate90\",\"p\":0.75},{\"type\":\"probability\","
                + "\"p\":0.8,\"augmentation\":{\"type\":\"affine\",");
        assertThat(Augmentation.isBuiltIn(a)).isTrue();
    }

    @Test
    void everyBuiltInAugmentationRoundTrips() {
        List<Augmentation> all = List.of(Augmentation.none(), Augmentations.intensityScale(0.9, 1.1),
                Augmentations.elastic(4, 8), Augmentations.biasField(0.3), Augmentations.brightness(-0.1, 0.1),
                Augmentations.contrast(0.8, 1.2), Augmentations.randomCrop(64, 48), Augmentations.centreCrop(32, 32),
                Augmentations.rotate(10), Augmentations.gaussianNoise(0.05));
        for (Augmentation a : all) {
            assertThat(Json.parse(Json.write(a), Augmentation.class)).as(a.toString()).isEqualTo(a);
        }
    }

    @Test
    void invalidSettingsInJsonAreRefusedByTheSameChecksAsTheFactories() {
        assertThatThrownBy(() -> Json.parse("{\"type\":\"flips\",\"pHorizontal\":2,\"pVertical\":0}",
                Augmentation.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pHorizontal must be a probability in [0, 1]: 2.0");
        assertThatThrownBy(() -> Json.parse("{\"type\":\"swirl\"}", Augmentation.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("swirl");
    }

    @Test
    void augmentationsOfOurOwnAreNotBuiltIn() {
        Augmentation own = (Sample s, RandomGenerator r) -> s;
        assertThat(Augmentation.isBuiltIn(own)).isFalse();
        assertThat(Augmentation.isBuiltIn(Augmentations.compose(Augmentations.flips(1, 0), own))).isFalse();
        assertThat(Augmentation.isBuiltIn(Augmentations.probability(0.5, own))).isFalse();
    }

    @Test
    void postProcessingIsItsTwoSwitches() {
        assertThat(Json.writeCompact(PostProcessing.largestComponentAndFillHoles()))
                .isEqualTo("{\"largestComponent\":true,\"fillHoles\":true}");
        assertThat(Json.parse("{\"largestComponent\":false,\"fillHoles\":false}", PostProcessing.class).isNone())
                .isTrue();
    }
}

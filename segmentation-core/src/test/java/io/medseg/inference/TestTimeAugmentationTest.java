package io.medseg.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.data.Image;
import io.medseg.model.InputFit;
import io.medseg.model.Normalization;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.testdata.FakeSegmentationModel;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TestTimeAugmentationTest {
    private static final UNetSpec SQUARE = UNet.builder().inputShape(6, 6, 1).numClasses(2).depth(1)
            .baseFilters(2).normalization(Normalization.none()).inputFit(InputFit.EXACT).build();

    @Test
    void everyVariantIsAPermutationOfThePixels() {
        int h = 4;
        int w = 6;
        for (int v = 0; v < 8; v++) {
            Set<Integer> seen = new HashSet<>();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    seen.add(TestTimeAugmentation.map(v, y, x, h, w));
                }
            }
            assertThat(seen).as("variant %d", v).hasSize(h * w);
            assertThat(seen.stream().mapToInt(Integer::intValue).max().getAsInt()).isEqualTo(h * w - 1);
        }
        // hand-checked corners: flip x maps (0,0) to (0,5); flip y to (3,0); transpose (0,5) to row 5 col 0
        assertThat(TestTimeAugmentation.map(1, 0, 0, h, w)).isEqualTo(5);
        assertThat(TestTimeAugmentation.map(2, 0, 0, h, w)).isEqualTo(3 * w);
        assertThat(TestTimeAugmentation.map(4, 0, 5, h, w)).isEqualTo(5 * h);
    }

    @Test
    void aPixelwiseModelGivesTheSameAnswerWithAndWithoutAugmentationUsingEightPasses() {
        FakeSegmentationModel model = new FakeSegmentationModel(SQUARE);
        SplittableRandom r = new SplittableRandom(3);
        float[] px = new float[36];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextDouble();
        }
        Image img = Image.of(6, 6, px);
        Prediction plain = model.segmenter().predictWithProbabilities(img);
        model.forwardBatchSizes.clear();
        Prediction tta = model.segmenter().withTestTimeAugmentation(TestTimeAugmentation.DIHEDRAL)
                .predictWithProbabilities(img);
        // the fake model decides each pixel from its own value, so every variant maps back to the same answer
        assertThat(tta.mask()).isEqualTo(plain.mask());
        assertThat(tta.probabilities()).containsExactly(plain.probabilities());
        assertThat(model.forwardBatchSizes).containsExactly(8);
    }

    @Test
    void flipsNeedFourPasses() {
        FakeSegmentationModel model = new FakeSegmentationModel(SQUARE);
        model.segmenter().withTestTimeAugmentation(TestTimeAugmentation.FLIPS)
                .predictAll(java.util.List.of(Image.of(6, 6, new float[36]), Image.of(6, 6, new float[36])));
        assertThat(model.forwardBatchSizes).containsExactly(8);
    }
}

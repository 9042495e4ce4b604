package io.medseg.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.model.InputFit;
import io.medseg.model.Normalization;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.testdata.FakeSegmentationModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SegmenterTest {

    private static final UNetSpec CROP_4X4 = UNet.builder().inputShape(4, 4, 1).numClasses(2).depth(1)
            .baseFilters(2).normalization(Normalization.none()).inputFit(InputFit.CENTRE_CROP).build();

    /** An image of zeros with 1 at the given (y, x) pairs. */
    private static Image image(int h, int w, int... yx) {
        float[] px = new float[h * w];
        for (int i = 0; i < yx.length; i += 2) {
            px[yx[i] * w + yx[i + 1]] = 1f;
        }
        return Image.of(h, w, px);
    }

    @Test
    void postProcessingKeepsTheLargestBlobAndFillsItsHole() {
        FakeSegmentationModel model = new FakeSegmentationModel(EXACT_6X6);
        // a ring of 8 pixels around (1, 1)..(3, 3) with a hole at (2, 2), and a stray pixel at (5, 5)
        Image img = image(6, 6, 1, 1, 1, 2, 1, 3, 2, 1, 2, 3, 3, 1, 3, 2, 3, 3, 5, 5);
        Mask raw = model.segmenter().predict(img);
        assertThat(raw.count(1)).isEqualTo(9);
        Segmenter cleaned = model.segmenter().withPostProcessing(
                io.medseg.postprocess.PostProcessing.largestComponentAndFillHoles());
        Mask m = cleaned.predict(img);
        assertThat(m.count(1)).isEqualTo(9); // 8 ring + 1 filled hole, stray pixel removed
        assertThat(m.get(2, 2)).isEqualTo(1);
        assertThat(m.get(5, 5)).isZero();
        assertThat(model.segmenter().postProcessing().isNone()).isTrue();
    }

    private static final UNetSpec EXACT_6X6 = UNet.builder().inputShape(6, 6, 1).numClasses(2).depth(1)
            .baseFilters(2).normalization(Normalization.none()).inputFit(InputFit.EXACT).build();

    @Test
    void maskComesBackAtTheImageSizeWithBackgroundOutsideTheCrop() {
        FakeSegmentationModel model = new FakeSegmentationModel(CROP_4X4);
        // 6x8 image: the 4x4 window starts at row 1, column 2. (1, 2) and (4, 5) are inside, (0, 0) and (5, 7) not.
        Mask m = model.segmenter().predict(image(6, 8, 1, 2, 4, 5, 0, 0, 5, 7));
        assertThat(m.height()).isEqualTo(6);
        assertThat(m.width()).isEqualTo(8);
        byte[] expected = new byte[48];
        expected[1 * 8 + 2] = 1;
        expected[4 * 8 + 5] = 1;
        assertThat(m.toArray()).containsExactly(expected);
    }

    @Test
    void probabilitiesOutsideTheCropAreCertainBackground() {
        FakeSegmentationModel model = new FakeSegmentationModel(CROP_4X4);
        Prediction p = model.segmenter().predictWithProbabilities(image(6, 6, 2, 2));
        assertThat(p.numClasses()).isEqualTo(2);
        assertThat(p.probability(2, 2, 1)).isEqualTo(1f);
        assertThat(p.probability(2, 2, 0)).isEqualTo(0f);
        assertThat(p.probability(0, 0, 0)).isEqualTo(1f);
        assertThat(p.probability(5, 5, 1)).isEqualTo(0f);
        assertThat(p.probabilities()).hasSize(6 * 6 * 2);
    }

    @Test
    void smallerImageIsPaddedAndComesBackAtItsOwnSize() {
        FakeSegmentationModel model = new FakeSegmentationModel(CROP_4X4);
        Mask m = model.segmenter().predict(image(2, 3, 0, 0, 1, 2));
        assertThat(m.height()).isEqualTo(2);
        assertThat(m.width()).isEqualTo(3);
        assertThat(m.toArray()).containsExactly(1, 0, 0, 0, 0, 1);
    }

    @Test
    void predictAllRunsTheNetworkEightImagesAtATimeAndKeepsOrder() {
        FakeSegmentationModel model = new FakeSegmentationModel(CROP_4X4);
        List<Image> images = new ArrayList<>();
        for (int i = 0; i < 19; i++) {
            // image i: 6x6 with foreground at (1 + i % 4, 1) inside the window, sizes vary by image
            images.add(image(6, 6 + (i % 2) * 2, 1 + i % 4, 1 + (i % 2) * 1));
        }
        List<Mask> masks = model.segmenter().predictAll(images);
        assertThat(model.forwardBatchSizes).containsExactly(8, 8, 3);
        assertThat(masks).hasSize(19);
        for (int i = 0; i < 19; i++) {
            Mask m = masks.get(i);
            assertThat(m.width()).isEqualTo(images.get(i).width());
            assertThat(m.count(1)).isEqualTo(1);
            assertThat(m.get(1 + i % 4, 1 + (i % 2))).as("image %d", i).isEqualTo(1);
        }
    }

    @Test
    void predictAllOfNothingCallsNoNetwork() {
        FakeSegmentationModel model = new FakeSegmentationModel(CROP_4X4);
        assertThat(model.segmenter().predictAll(List.of())).isEmpty();
        assertThat(model.forwardBatchSizes).isEmpty();
    }

    @Test
    void argmaxPrefersTheFirstClassOnTies() {
        Mask m = Segmenter.argmax(new float[] {0.5f, 0.5f, 0.2f, 0.8f, 0.1f, 0.1f}, 1, 3, 2);
        assertThat(m.toArray()).containsExactly(0, 1, 0);
    }
}

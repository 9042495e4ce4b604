package io.medseg.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.testdata.FakeSegmentationModel;
import org.junit.jupiter.api.Test;

class ModelAgreementTest {
    private static final UNetSpec SPEC = UNet.builder().inputShape(4, 4, 1).numClasses(2).depth(1).baseFilters(2)
            .build();

    private static float[] inputs(int images) {
        float[] x = new float[images * 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i * 7 % 10) / 10f;   // 0.0 .. 0.9: four in ten above 0.5
        }
        return x;
    }

    @Test
    void aModelAgreesWithItselfExactly() {
        FakeSegmentationModel m = new FakeSegmentationModel(SPEC);
        ModelAgreement r = ModelAgreement.compare(m, m, inputs(5), 5, 2, null);
        assertThat(r.images()).isEqualTo(5);
        assertThat(r.values()).isEqualTo(5 * 16 * 2);
        assertThat(r.maxAbsDifference()).isZero();
        assertThat(r.masksIdentical()).isTrue();
        assertThat(m.forwardBatchSizes).containsExactly(2, 2, 2, 2, 1, 1);
    }

    @Test
    void differencesAreCountedPixelByPixelAndKept() {
        FakeSegmentationModel seeing = new FakeSegmentationModel(SPEC);
        FakeSegmentationModel blind = new FakeSegmentationModel(SPEC);
        blind.blindVersions.add(0);
        float[] x = inputs(3);
        long above = 0;
        for (float v : x) {
            if (v > 0.5f) {
                above++;
            }
        }
        ModelAgreement.Outputs kept = ModelAgreement.outputs(SPEC, 3);
        ModelAgreement r = ModelAgreement.compare(seeing, blind, x, 3, 8, kept);
        assertThat(r.differingPixels()).isEqualTo(above).isPositive();
        assertThat(r.imagesWithDifferingMasks()).isEqualTo(3);
        assertThat(r.maxAbsDifference()).isEqualTo(1.0);
        // each differing pixel differs by 1 in both classes
        assertThat(r.meanAbsDifference()).isEqualTo(2.0 * above / r.values());
        assertThat(kept.a()).containsExactly(seeing.forward(x, 3));
        assertThat(kept.b()).containsExactly(blind.forward(x, 3));
    }

    @Test
    void modelsOfDifferentSpecsOrInputsOfTheWrongSizeAreRefused() {
        FakeSegmentationModel a = new FakeSegmentationModel(SPEC);
        FakeSegmentationModel b = new FakeSegmentationModel(UNet.builder().inputShape(8, 8, 1).numClasses(2)
                .depth(1).baseFilters(2).build());
        assertThatThrownBy(() -> ModelAgreement.compare(a, b, inputs(1), 1, 1, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different specs");
        assertThatThrownBy(() -> ModelAgreement.compare(a, a, new float[15], 1, 1, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model input shape mismatch");
        assertThatThrownBy(() -> ModelAgreement.compare(a, a, inputs(1), 1, 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize");
    }
}

package io.medseg.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.backend.Backend;
import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.inference.Prediction;
import io.medseg.inference.Segmenter;
import io.medseg.inference.UncertaintyMap;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Monte-Carlo dropout on the TensorFlow backend: trained in memory and loaded from a saved model. */
class DropoutSamplingTest {
    private static final UNetSpec SPEC = UNet.builder().inputShape(16, 16, 1).numClasses(2).depth(2).baseFilters(4)
            .batchNorm(true).dropout(0.5).build();
    private static final int PER = 16 * 16;

    @TempDir
    Path tmp;

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @Test
    void aSampleIsReproducibleBySeedDiffersAcrossSeedsAndIsTheSameOnceSaved() throws Exception {
        Backend backend = Backends.load("tensorflow");
        float[] x = InputGradientTest.input(3, 1);
        try (SegmentationModel m = backend.create(SPEC, 5)) {
            assertThat(m.supportsDropoutSampling()).isTrue();
            float[] a = m.forwardWithDropout(x, 3, 42);
            float[] again = m.forwardWithDropout(x, 3, 42);
            float[] other = m.forwardWithDropout(x, 3, 43);
            float[] plain = m.forward(x, 3);
            assertThat(a).hasSize(3 * PER * 2).containsExactly(again);
            assertThat(maxDiff(a, other)).as("another seed drops other units").isGreaterThan(1e-3);
            assertThat(maxDiff(a, plain)).as("dropout is active").isGreaterThan(1e-3);
            for (int i = 0; i < 3 * PER; i++) {
                assertThat(a[2 * i] + a[2 * i + 1]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
            }
            // the plain forward is unchanged by the dropout path beside it
            assertThat(m.forward(x, 3)).containsExactly(plain);

            // saved (batch norm folded, no dropout in the graph) and loaded: the same units dropped for the seed
            m.save(tmp.resolve("m"));
            try (SegmentationModel loaded = backend.load(tmp.resolve("m"))) {
                assertThat(loaded.supportsDropoutSampling()).isTrue();
                assertThat(maxDiff(loaded.forwardWithDropout(x, 3, 42), a)).isLessThan(1e-5);
                assertThat(maxDiff(loaded.forward(x, 3), plain)).isLessThan(1e-5);
            }
        }
    }

    @Test
    void theSegmenterTakesItsUncertaintyOverTheSamples() throws Exception {
        Backend backend = Backends.load("tensorflow");
        float[] px = InputGradientTest.input(1, 2);
        Image image = Image.of(16, 16, 1, px);
        try (SegmentationModel m = backend.create(SPEC, 6)) {
            Segmenter s = m.segmenter().withUncertainty().withMonteCarloDropout(6);
            assertThat(s.passes()).isEqualTo(6);
            Prediction p = s.predictWithUncertainty(image);
            UncertaintyMap u = p.uncertainty().orElseThrow();
            assertThat(u.passes()).isEqualTo(6);
            double variance = 0;
            for (float v : u.variance()) {
                variance += v;
            }
            assertThat(variance).as("the samples disagree somewhere").isGreaterThan(0);
            // reproducible: fixed seeds
            assertThat(s.predictWithUncertainty(image).uncertainty().orElseThrow().variance())
                    .containsExactly(u.variance());
        }
        UNetSpec noDropout = UNet.builder().inputShape(16, 16, 1).numClasses(2).depth(2).baseFilters(4).build();
        try (SegmentationModel m = backend.create(noDropout, 7)) {
            assertThat(m.supportsDropoutSampling()).isFalse();
            assertThatThrownBy(() -> m.forwardWithDropout(px, 1, 1))
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> m.segmenter().withMonteCarloDropout(4))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dropout 0");
        }
    }
}

package io.medseg.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    @Test
    void constantIsTheSameEveryEpoch() {
        LearningRateSchedule s = Optimizers.constant(1e-3);
        assertThat(s.initial()).isEqualTo(1e-3);
        assertThat(s.learningRate(0, 10)).isEqualTo(1e-3);
        assertThat(s.learningRate(9, 10)).isEqualTo(1e-3);
    }

    @Test
    void stepMultipliesByGammaEveryNEpochs() {
        LearningRateSchedule s = Optimizers.step(0.1, 3, 0.5);
        assertThat(s.learningRate(0, 10)).isEqualTo(0.1);
        assertThat(s.learningRate(2, 10)).isEqualTo(0.1);   // everyEpochs - 1
        assertThat(s.learningRate(3, 10)).isEqualTo(0.05);  // everyEpochs
        assertThat(s.learningRate(5, 10)).isEqualTo(0.05);
        assertThat(s.learningRate(6, 10)).isEqualTo(0.025); // 2 * everyEpochs
    }

    @Test
    void cosineGoesFromInitialToFinalFractionOnTheLastEpoch() {
        LearningRateSchedule s = Optimizers.cosine(1e-2, 0.1);
        assertThat(s.learningRate(0, 5)).isCloseTo(1e-2, within(1e-15));
        assertThat(s.learningRate(4, 5)).isCloseTo(1e-3, within(1e-15));
        // t = 2/4: min + (initial - min) * (1 + cos(pi/2)) / 2 = 1e-3 + 9e-3 / 2
        assertThat(s.learningRate(2, 5)).isCloseTo(5.5e-3, within(1e-15));
        // t = 1/4: 1e-3 + 9e-3 * (1 + sqrt(2)/2) / 2
        assertThat(s.learningRate(1, 5)).isCloseTo(1e-3 + 9e-3 * (1 + Math.sqrt(0.5)) / 2, within(1e-15));
        assertThat(s.learningRate(0, 1)).isCloseTo(1e-2, within(1e-15));
    }

    @Test
    void cosineDecreasesMonotonically() {
        LearningRateSchedule s = Optimizers.cosine(1.0, 0.0);
        double prev = Double.POSITIVE_INFINITY;
        for (int e = 0; e < 20; e++) {
            double lr = s.learningRate(e, 20);
            assertThat(lr).isLessThan(prev);
            prev = lr;
        }
        assertThat(prev).isCloseTo(0.0, within(1e-15));
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThatThrownBy(() -> Optimizers.constant(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("learning rate must be finite and > 0: 0.0");
        assertThatThrownBy(() -> Optimizers.constant(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Optimizers.constant(Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Optimizers.step(0.1, 0, 0.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0, 0.5");
        assertThatThrownBy(() -> Optimizers.step(0.1, 2, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Optimizers.step(0.1, 2, 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Optimizers.step(-1, 2, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Optimizers.cosine(0.1, 1.1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1.1");
        assertThatThrownBy(() -> Optimizers.cosine(0.1, -0.1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void optimizerFactoriesProduceTheDocumentedSpecs() {
        assertThat(Optimizers.adam(1e-3))
                .isEqualTo(new OptimizerSpec.Adam(new LearningRateSchedule.Constant(1e-3), 0.9, 0.999, 1e-7));
        assertThat(Optimizers.sgd(0.01, 0.9))
                .isEqualTo(new OptimizerSpec.Sgd(new LearningRateSchedule.Constant(0.01), 0.9, false));
        LearningRateSchedule cos = Optimizers.cosine(0.1, 0);
        assertThat(Optimizers.sgd(cos, 0.5, true).schedule()).isSameAs(cos);
    }

    @Test
    void invalidOptimizerSettingsAreRejected() {
        assertThatThrownBy(() -> Optimizers.adam((LearningRateSchedule) null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schedule");
        assertThatThrownBy(() -> new OptimizerSpec.Adam(Optimizers.constant(1), 1.0, 0.999, 1e-7))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OptimizerSpec.Adam(Optimizers.constant(1), 0.9, 0.999, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Optimizers.sgd(0.1, 1.0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("momentum must be in [0, 1): 1.0");
        assertThatThrownBy(() -> Optimizers.sgd(0.1, -0.1)).isInstanceOf(IllegalArgumentException.class);
    }
}

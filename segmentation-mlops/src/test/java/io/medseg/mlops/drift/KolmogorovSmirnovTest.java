package io.medseg.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.api.Test;

class KolmogorovSmirnovTest {
    @Test
    void separatedSamplesHaveDistanceOneAndTheHandComputedPValue() {
        KolmogorovSmirnov.Result r = KolmogorovSmirnov.test(new double[] {1, 2, 3, 4}, new double[] {5, 6, 7, 8});
        assertThat(r.distance()).isEqualTo(1.0);
        // N_e = 2, lambda = (sqrt 2 + 0.12 + 0.11 / sqrt 2) * 1 = 1.6119953; Q = 2 exp(-2 lambda^2) - ... = 0.0110656
        assertThat(r.pValue()).isCloseTo(0.011065637, offset(1e-8));
        assertThat(r.n()).isEqualTo(4);
        assertThat(r.m()).isEqualTo(4);
    }

    @Test
    void tiesAreStepsOfBothDistributionFunctions() {
        // at 1: 1/4 - 0; at 2: 3/4 - 1/4 = 1/2; at 3: 1 - 3/4; at 4: 0
        double[] a = {1, 2, 2, 3};
        double[] b = {2, 3, 3, 4};
        assertThat(KolmogorovSmirnov.distance(a, b)).isEqualTo(0.5);
        // lambda = (sqrt 2 + 0.12 + 0.11 / sqrt 2) * 0.5 = 0.8059977
        assertThat(KolmogorovSmirnov.test(a, b).pValue()).isCloseTo(0.534415719, offset(1e-8));
    }

    @Test
    void unequalSampleSizes() {
        double[] a = {0.1, 0.4, 0.7, 0.9, 1.2};
        double[] b = {0.3, 0.5, 0.6, 1.0, 1.1, 1.5};
        // largest gap after 0.9: F_a = 4/5, F_b = 3/6
        assertThat(KolmogorovSmirnov.distance(a, b)).isCloseTo(0.3, offset(1e-12));
        assertThat(KolmogorovSmirnov.distance(b, a)).isCloseTo(0.3, offset(1e-12));
        // N_e = 30 / 11, lambda = 0.5514162
        assertThat(KolmogorovSmirnov.test(a, b).pValue()).isCloseTo(0.921387397, offset(1e-8));
    }

    @Test
    void identicalSamplesHaveDistanceZeroAndPValueOne() {
        double[] a = {3, 1, 2, 2};
        KolmogorovSmirnov.Result r = KolmogorovSmirnov.test(a, a.clone());
        assertThat(r.distance()).isZero();
        assertThat(r.pValue()).isEqualTo(1.0);
    }

    @Test
    void kolmogorovSurvivalMatchesTabulatedCriticalValues() {
        assertThat(KolmogorovSmirnov.kolmogorovSurvival(1.3581)).isCloseTo(0.05, offset(1e-5));
        assertThat(KolmogorovSmirnov.kolmogorovSurvival(1.6276)).isCloseTo(0.01, offset(1e-5));
        assertThat(KolmogorovSmirnov.kolmogorovSurvival(1.0)).isCloseTo(0.2699996717, offset(1e-9));
        // both series agree where they meet
        assertThat(KolmogorovSmirnov.kolmogorovSurvival(1.1799999))
                .isCloseTo(KolmogorovSmirnov.kolmogorovSurvival(1.18), offset(1e-6));
        assertThat(KolmogorovSmirnov.kolmogorovSurvival(0.5)).isCloseTo(0.9639452437, offset(1e-9));
        assertThat(KolmogorovSmirnov.kolmogorovSurvival(0.05)).isEqualTo(1.0);
        assertThat(KolmogorovSmirnov.kolmogorovSurvival(0)).isEqualTo(1.0);
        assertThat(KolmogorovSmirnov.kolmogorovSurvival(10)).isPositive().isLessThan(1e-80);
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> KolmogorovSmirnov.test(new double[0], new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sample a must not be empty");
        assertThatThrownBy(() -> KolmogorovSmirnov.test(new double[] {1}, new double[] {Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sample b must not contain NaN");
        assertThatThrownBy(() -> KolmogorovSmirnov.pValue(1.5, 3, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.5");
        assertThatThrownBy(() -> KolmogorovSmirnov.pValue(0.5, 0, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sample sizes");
    }
}

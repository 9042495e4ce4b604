package io.medseg.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.api.Test;

class PopulationStabilityTest {
    @Test
    void handCase() {
        // (0.25 - 0.5) ln(0.25 / 0.5) + (0.75 - 0.5) ln(0.75 / 0.5) = 0.25 ln 2 + 0.25 ln 1.5
        double psi = PopulationStability.index(new long[] {50, 50}, new long[] {25, 75}, 1e-4);
        assertThat(psi).isCloseTo(0.25 * Math.log(2) + 0.25 * Math.log(1.5), offset(1e-12))
                .isCloseTo(0.2746530722, offset(1e-9));
    }

    @Test
    void anEmptyBinCountsAsEpsilon() {
        // p = (1, 1e-4), q = (0.5, 0.5)
        double psi = PopulationStability.index(new long[] {100, 0}, new long[] {50, 50}, 1e-4);
        assertThat(psi).isCloseTo(4.6043184667, offset(1e-9));
    }

    @Test
    void sameProportionsGiveZeroWhateverTheTotals() {
        assertThat(PopulationStability.index(new long[] {10, 20, 30}, new long[] {100, 200, 300}, 1e-4)).isZero();
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> PopulationStability.index(new long[] {1, 2}, new long[] {1}, 1e-4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 vs 1");
        assertThatThrownBy(() -> PopulationStability.index(new long[] {0, 0}, new long[] {1, 1}, 1e-4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reference bin counts");
        assertThatThrownBy(() -> PopulationStability.index(new long[] {1, -1}, new long[] {1, 1}, 1e-4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> PopulationStability.index(new long[] {1}, new long[] {1}, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epsilon");
    }
}

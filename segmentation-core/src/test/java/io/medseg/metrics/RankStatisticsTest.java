package io.medseg.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RankStatisticsTest {

    @Test
    void tiedValuesShareTheMeanOfTheirRanks() {
        assertThat(RankStatistics.averageRanks(new double[] {20, 10, 30, 20})).containsExactly(2.5, 1, 4, 2.5);
        assertThat(RankStatistics.averageRanks(new double[] {0.0, -0.0, 7})).containsExactly(1.5, 1.5, 3);
        assertThat(RankStatistics.averageRanks(new double[] {5, 5, 5})).containsExactly(2, 2, 2);
    }

    @Test
    void aurocOfAPerfectRankingIsOneAndOfTheReverseZero() {
        double[] scores = {0.1, 0.4, 0.35, 0.8};
        assertThat(RankStatistics.auroc(scores, new boolean[] {false, true, false, true})).isEqualTo(1.0);
        assertThat(RankStatistics.auroc(scores, new boolean[] {true, false, true, false})).isEqualTo(0.0);
    }

    @Test
    void aurocCountsTiesAsOneHalf() {
        // positives {1, 2}, negatives {1, 0}: pairs (1,1) 1/2, (1,0) 1, (2,1) 1, (2,0) 1 -> 3.5 / 4
        assertThat(RankStatistics.auroc(new double[] {1, 1, 2, 0}, new boolean[] {true, false, true, false}))
                .isEqualTo(0.875);
        assertThat(RankStatistics.auroc(new double[] {3, 3, 3}, new boolean[] {true, false, false})).isEqualTo(0.5);
    }

    @Test
    void aurocMatchesCountingEveryPairOnALargeInput() {
        Random r = new Random(7);
        int n = 3000;
        double[] s = new double[n];
        boolean[] p = new boolean[n];
        for (int i = 0; i < n; i++) {
            p[i] = r.nextInt(5) == 0;
            // coarse values, so there are many ties, shifted up for the positives
            s[i] = Math.floor((r.nextGaussian() + (p[i] ? 0.7 : 0)) * 4) / 4;
        }
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (p[i] && !p[j]) {
                    pairs++;
                    wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                }
            }
        }
        assertThat(RankStatistics.auroc(s, p)).isCloseTo(wins / pairs, within(1e-12));
    }

    @Test
    void aurocWithoutBothOutcomesIsRefused() {
        assertThatThrownBy(() -> RankStatistics.auroc(new double[] {1, 2}, new boolean[] {true, true}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 positive and 0 negative");
        assertThatThrownBy(() -> RankStatistics.auroc(new double[] {1, Double.NaN}, new boolean[] {true, false}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("value 1 is NaN");
    }

    @Test
    void spearmanOfHandComputedCaseWithTies() {
        // ranks of b: [1, 2, 3.5, 5, 3.5]; deviations from 3: a [-2,-1,0,1,2], b [-2,-1,0.5,2,0.5]
        // sum ab = 8, sum aa = 10, sum bb = 9.5 -> 8 / sqrt(95)
        double rho = RankStatistics.spearman(new double[] {1, 2, 3, 4, 5}, new double[] {5, 6, 7, 8, 7});
        assertThat(rho).isCloseTo(8 / Math.sqrt(95), within(1e-12));
    }

    @Test
    void spearmanIsMinusOneForAReversedOrderWhateverTheScale() {
        assertThat(RankStatistics.spearman(new double[] {0.1, 0.2, 0.9}, new double[] {900, 3, -1}))
                .isCloseTo(-1, within(1e-12));
        assertThatThrownBy(() -> RankStatistics.spearman(new double[] {1, 1}, new double[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("constant");
        assertThatThrownBy(() -> RankStatistics.spearman(new double[] {1}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2");
    }
}

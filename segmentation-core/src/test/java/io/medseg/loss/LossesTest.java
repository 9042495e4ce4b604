package io.medseg.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LossesTest {

    @Test
    void crossEntropyHasNoClassWeights() {
        assertThat(Losses.crossEntropy()).isEqualTo(new LossSpec.CrossEntropy(List.of()));
    }

    @Test
    void weightedCrossEntropyKeepsTheWeightsInOrder() {
        LossSpec l = Losses.weightedCrossEntropy(0.5, 3.0, 0);
        assertThat(l).isInstanceOf(LossSpec.CrossEntropy.class);
        assertThat(((LossSpec.CrossEntropy) l).classWeights()).containsExactly(0.5, 3.0, 0.0);
    }

    @Test
    void softDiceDefaultsToForegroundWithSmoothingOne() {
        assertThat(Losses.softDice()).isEqualTo(new LossSpec.SoftDice(false, 1.0));
        assertThat(Losses.softDice(true, 0)).isEqualTo(new LossSpec.SoftDice(true, 0));
    }

    @Test
    void crossEntropyPlusDiceIsAnEqualWeightSum() {
        assertThat(Losses.crossEntropyPlusDice()).isEqualTo(new LossSpec.WeightedSum(List.of(
                new LossSpec.Term(1.0, new LossSpec.CrossEntropy(List.of())),
                new LossSpec.Term(1.0, new LossSpec.SoftDice(false, 1.0)))));
    }

    @Test
    void sumKeepsWeightsAndTerms() {
        LossSpec.WeightedSum s = (LossSpec.WeightedSum) Losses.sum(0.25, Losses.softDice(), 2, Losses.crossEntropy());
        assertThat(s.terms()).extracting(LossSpec.Term::weight).containsExactly(0.25, 2.0);
        assertThat(s.terms()).extracting(LossSpec.Term::loss)
                .containsExactly(Losses.softDice(), Losses.crossEntropy());
    }

    @Test
    void invalidClassWeightsAreRejected() {
        for (double w : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> Losses.weightedCrossEntropy(1, w))
                    .as("weight %s", w)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("class weights must be finite and >= 0");
        }
        List<Double> withNull = new ArrayList<>();
        withNull.add(null);
        assertThatThrownBy(() -> new LossSpec.CrossEntropy(withNull)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void invalidTermWeightsAndSmoothingAreRejected() {
        assertThatThrownBy(() -> Losses.sum(0, Losses.softDice(), 1, Losses.crossEntropy()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("term weight must be finite and > 0: 0.0");
        assertThatThrownBy(() -> Losses.sum(1, Losses.softDice(), Double.NaN, Losses.crossEntropy()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Losses.softDice(false, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("smooth");
        assertThatThrownBy(() -> new LossSpec.WeightedSum(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void classWeightListIsImmutable() {
        LossSpec.CrossEntropy ce = (LossSpec.CrossEntropy) Losses.weightedCrossEntropy(1, 2);
        assertThatThrownBy(() -> ce.classWeights().add(3.0)).isInstanceOf(UnsupportedOperationException.class);
    }
}

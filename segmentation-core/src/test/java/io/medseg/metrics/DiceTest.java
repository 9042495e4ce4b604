package io.medseg.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.medseg.data.Mask;
import io.medseg.testdata.TestMasks;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiceTest {

    private static Mask mask(String... rows) {
        return TestMasks.parse(rows);
    }

    @Test
    void twoSquaresOverlappingByOnePixelGiveOneQuarter() {
        Mask ref = mask(
                "11..",
                "11..",
                "....",
                "....");
        Mask pred = mask(
                "....",
                ".11.",
                ".11.",
                "....");
        // |A ∩ B| = 1, |A| = |B| = 4: 2 * 1 / (4 + 4)
        assertThat(Dice.of(ref, pred, 1)).isEqualTo(0.25);
        assertThat(Dice.of(pred, ref, 1)).isEqualTo(0.25);
    }

    @Test
    void identicalMasksGiveOne() {
        Mask m = mask(".1.", "111", ".1.");
        assertThat(Dice.of(m, m, 1)).isEqualTo(1.0);
    }

    @Test
    void disjointMasksGiveZero() {
        assertThat(Dice.of(mask("11..", "...."), mask("..11", "...."), 1)).isEqualTo(0.0);
    }

    @Test
    void classAbsentFromBothMasksGivesOne() {
        assertThat(Dice.of(mask("..", ".."), mask("..", ".."), 1)).isEqualTo(1.0);
    }

    @Test
    void classInOnlyOneMaskGivesZero() {
        assertThat(Dice.of(mask("1.", ".."), mask("..", ".."), 1)).isEqualTo(0.0);
        assertThat(Dice.of(mask("..", ".."), mask("1.", ".."), 1)).isEqualTo(0.0);
    }

    @Test
    void backgroundClassIsScoredLikeAnyOther() {
        // background: ref 3 pixels, pred 2 pixels, overlap 2 -> 2*2/(3+2) = 0.8
        assertThat(Dice.of(mask("1.", ".."), mask("1.", ".1"), 0)).isCloseTo(0.8, within(1e-12));
    }

    @Test
    void foregroundAveragesClassesAndCountsAbsentClassAsOne() {
        Mask ref = mask("11", "..");
        Mask pred = mask(".1", "1.");
        // class 1: overlap 1, |ref| 2, |pred| 2 -> 0.5; class 2 absent from both -> 1
        assertThat(Dice.foreground(ref, pred, 2)).isEqualTo(0.5);
        assertThat(Dice.foreground(ref, pred, 3)).isEqualTo((0.5 + 1.0) / 2);
        assertThat(Dice.foreground(ref, pred, 4)).isCloseTo((0.5 + 1.0 + 1.0) / 3, within(1e-12));
    }

    @Test
    void foregroundIgnoresBackgroundAgreement() {
        Mask ref = mask("12", "..");
        Mask pred = mask("1.", ".2");
        // class 1: 1.0; class 2: overlap 0 -> 0.0
        assertThat(Dice.foreground(ref, pred, 3)).isEqualTo(0.5);
    }

    @Test
    void foregroundNeedsAtLeastTwoClasses() {
        Mask m = mask("1.");
        assertThatThrownBy(() -> Dice.foreground(m, m, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numClasses")
                .hasMessageContaining("1");
    }

    @Test
    void summarisePoolsPixelsOverImagesForTheGlobalDice() {
        // image A: ref 2 px, pred 1 px inside it -> 2*1/(2+1) = 2/3
        Mask refA = mask("11", "..");
        Mask predA = mask("1.", "..");
        // image B: ref 4 px, pred 3 px of which 2 inside -> 2*2/(4+3) = 4/7
        Mask refB = mask("11.", "11.", "...");
        Mask predB = mask("1..", "1..", "..1");
        DiceSummary s = Dice.summarise(List.of(refA, refB), List.of(predA, predB), 1);

        assertThat(s.count()).isEqualTo(2);
        assertThat(s.perImage()).containsExactly(new double[] {2.0 / 3, 4.0 / 7}, within(1e-12));
        assertThat(s.mean()).isCloseTo((2.0 / 3 + 4.0 / 7) / 2, within(1e-12));
        // pooled: overlap 1+2 = 3, |ref| 2+4 = 6, |pred| 1+3 = 4 -> 2*3/(6+4) = 0.6
        assertThat(s.global()).isCloseTo(0.6, within(1e-12));
    }

    @Test
    void summaryPerImageIsACopy() {
        Mask m = mask("1.");
        DiceSummary s = Dice.summarise(List.of(m), List.of(m), 1);
        s.perImage()[0] = 42;
        assertThat(s.perImage()).containsExactly(1.0);
    }

    @Test
    void summaryOfNoImagesHasMeanZero() {
        DiceSummary s = Dice.summarise(List.of(), List.of(), 1);
        assertThat(s.count()).isZero();
        assertThat(s.mean()).isZero();
    }

    @Test
    void summariseRejectsListsOfDifferentLength() {
        Mask m = mask("1.");
        assertThatThrownBy(() -> Dice.summarise(List.of(m, m), List.of(m), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 vs 1");
    }

    @Test
    void masksOfDifferentSizeAreRejectedWithBothSizes() {
        assertThatThrownBy(() -> Dice.of(mask("1.", ".."), mask("1..", "..."), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2x2")
                .hasMessageContaining("2x3");
    }
}

package io.medseg.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.benchmarks.LoadPlan.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadPlanTest {

    @Test
    void onePercentBadEachKindAQuarterOneInEveryStratum() {
        LoadPlan plan = LoadPlan.of(20_000, 56, 0.01, 7);
        assertThat(plan.size()).isEqualTo(20_000);
        assertThat(plan.count(Kind.GOOD)).isEqualTo(19_800);
        for (Kind k : List.of(Kind.TRUNCATED, Kind.WRONG_TYPE, Kind.OVERSIZED, Kind.NO_TOKEN)) {
            assertThat(plan.count(k)).as(k.label()).isEqualTo(50);
        }
        // 200 strata of 100 requests, one bad request in each
        for (int stratum = 0; stratum < 200; stratum++) {
            int bad = 0;
            for (int i = stratum * 100; i < (stratum + 1) * 100; i++) {
                bad += plan.kind(i) == Kind.GOOD ? 0 : 1;
            }
            assertThat(bad).as("stratum %d", stratum).isEqualTo(1);
        }
    }

    @Test
    void theSameSeedGivesTheSamePlanAndAnotherSeedAnother() {
        LoadPlan a = LoadPlan.of(1000, 56, 0.01, 3);
        LoadPlan b = LoadPlan.of(1000, 56, 0.01, 3);
        LoadPlan c = LoadPlan.of(1000, 56, 0.01, 4);
        assertThat(describe(a)).isEqualTo(describe(b)).isNotEqualTo(describe(c));
    }

    @Test
    void everyFrameOncePerPass() {
        LoadPlan plan = LoadPlan.of(56 * 3, 56, 0, 1);
        for (int pass = 0; pass < 3; pass++) {
            List<Integer> frames = new ArrayList<>();
            for (int i = pass * 56; i < (pass + 1) * 56; i++) {
                frames.add(plan.frame(i));
            }
            assertThat(frames).doesNotHaveDuplicates().hasSize(56).allMatch(f -> f >= 0 && f < 56);
        }
        assertThat(plan.count(Kind.GOOD)).isEqualTo(56 * 3);
    }

    @Test
    void smallRunsRoundTheBadCountAndBadArgumentsAreNamed() {
        assertThat(LoadPlan.of(300, 56, 0.01, 1).count(Kind.GOOD)).isEqualTo(297);
        assertThat(LoadPlan.of(4, 1, 1.0, 1).count(Kind.GOOD)).isZero();
        assertThatThrownBy(() -> LoadPlan.of(0, 56, 0.01, 1)).hasMessageContaining("requests");
        assertThatThrownBy(() -> LoadPlan.of(10, 0, 0.01, 1)).hasMessageContaining("frame");
        assertThatThrownBy(() -> LoadPlan.of(10, 5, 1.5, 1)).hasMessageContaining("bad fraction");
    }

    private static String describe(LoadPlan plan) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < plan.size(); i++) {
            b.append(plan.kind(i).label()).append(':').append(plan.frame(i)).append(' ');
        }
        return b.toString();
    }
}

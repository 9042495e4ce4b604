package io.medseg.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsSummaryTest {

    private static ImageMetrics im(String id, String patient, double dice, double apd) {
        return new ImageMetrics(id, patient, dice, dice / 2, 0.9, 0.8, 0.99, 100, 110, 10, 10, 4, 3, 1, apd,
                apd < 5);
    }

    @Test
    void meanAndSampleSdPerPatientSortedAndOverall() {
        List<ImageMetrics> list = List.of(
                im("a1", "zeta", 0.8, 2),
                im("b1", "alpha", 0.6, 6),
                im("a2", "zeta", 0.9, 4),
                im("a3", "zeta", 1.0, 9));
        MetricsSummary s = MetricsSummary.of(list);
        assertThat(s.images()).containsExactlyElementsOf(list);
        assertThat(s.perPatient().keySet()).containsExactly("alpha", "zeta");
        MetricsSummary.Stat zeta = s.perPatient().get("zeta").get("dice");
        // 0.8, 0.9, 1.0: mean 0.9, sample sd sqrt((0.01 + 0 + 0.01) / 2) = 0.1
        assertThat(zeta.mean()).isCloseTo(0.9, within(1e-12));
        assertThat(zeta.sd()).isCloseTo(0.1, within(1e-12));
        assertThat(zeta.n()).isEqualTo(3);
        MetricsSummary.Stat alpha = s.perPatient().get("alpha").get("apdMm");
        assertThat(alpha.mean()).isEqualTo(6.0);
        assertThat(alpha.sd()).isZero(); // one image
        // overall dice: 0.6, 0.8, 0.9, 1.0 → mean 0.825, deviations -0.225, -0.025, 0.075, 0.175
        double ss = 0.225 * 0.225 + 0.025 * 0.025 + 0.075 * 0.075 + 0.175 * 0.175;
        assertThat(s.overall("dice").mean()).isCloseTo(0.825, within(1e-12));
        assertThat(s.overall("dice").sd()).isCloseTo(Math.sqrt(ss / 3), within(1e-12));
        assertThat(s.overall("iou").mean()).isCloseTo(0.4125, within(1e-12));
        // good contours: APD 2 and 4 are below 5 mm, 6 and 9 are not
        assertThat(s.goodContoursPct()).isEqualTo(50.0);
        assertThat(s.overall().keySet()).containsExactlyElementsOf(MetricsSummary.NAMES);
    }

    @Test
    void valueByNameCoversEveryMetric() {
        ImageMetrics m = new ImageMetrics("i", "p", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, false);
        double[] expected = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0};
        assertThat(MetricsSummary.NAMES).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(MetricsSummary.value(m, MetricsSummary.NAMES.get(i))).isEqualTo(expected[i]);
        }
        assertThatThrownBy(() -> MetricsSummary.value(m, "volume"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("volume");
    }

    @Test
    void emptyInputGivesZerosNotNaN() {
        MetricsSummary s = MetricsSummary.of(List.of());
        assertThat(s.perPatient()).isEmpty();
        for (Map.Entry<String, MetricsSummary.Stat> e : s.overall().entrySet()) {
            assertThat(e.getValue().mean()).isZero();
            assertThat(e.getValue().sd()).isZero();
            assertThat(e.getValue().n()).isZero();
        }
        assertThat(s.goodContoursPct()).isZero();
    }
}

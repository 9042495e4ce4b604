package io.medseg.data.phantom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.testdata.TestMasks;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CardiacPhantomTest {
    private static SegmentationDataset data;

    @BeforeAll
    static void generateDefault() {
        data = CardiacPhantom.builder().seed(7).build().generate();
    }

    @Test
    void defaultsGiveSixPatientsOfTenFramesAt128PixelsAnd1point4Mm() {
        assertThat(data.size()).isEqualTo(60);
        assertThat(data.patients()).containsExactly("phantom-01", "phantom-02", "phantom-03", "phantom-04",
                "phantom-05", "phantom-06");
        assertThat(data.get(0).id()).isEqualTo("phantom-01/01");
        assertThat(data.get(12).id()).isEqualTo("phantom-02/03");
        assertThat(data.get(59).id()).isEqualTo("phantom-06/10");
        for (Sample s : data) {
            assertThat(s.image().shapeString()).isEqualTo("128x128x1");
            assertThat(s.image().spacing()).contains(new PixelSpacing(1.4, 1.4));
        }
    }

    @Test
    void sameSeedGivesIdenticalDataAndAnotherSeedDifferentData() {
        SegmentationDataset again = CardiacPhantom.builder().seed(7).build().generate();
        SegmentationDataset other = CardiacPhantom.builder().seed(8).build().generate();
        for (int i = 0; i < data.size(); i++) {
            assertThat(again.get(i)).isEqualTo(data.get(i));
            assertThat(other.get(i).image()).isNotEqualTo(data.get(i).image());
        }
        long differentMasks = 0;
        for (int i = 0; i < data.size(); i++) {
            if (!other.get(i).mask().equals(data.get(i).mask())) {
                differentMasks++;
            }
        }
        assertThat(differentMasks).isEqualTo(data.size());
    }

    @Test
    void masksAreBinaryWithOneSolidLeftVentricle() {
        for (Sample s : data) {
            Mask m = s.mask();
            assertThat(m.maxLabel()).as(s.id()).isEqualTo(1);
            int lv = m.count(1);
            assertThat(lv).as(s.id()).isGreaterThanOrEqualTo(12);
            // one 4-connected foreground component, and the background is one component too (no holes)
            assertThat(componentSize(m, 1)).as(s.id()).isEqualTo(lv);
            assertThat(componentSize(m, 0)).as(s.id()).isEqualTo(m.count(0));
        }
    }

    @Test
    void leftVentricleShrinksTowardsApexWithinEachPatient() {
        for (Map.Entry<String, List<Sample>> e : data.byPatient().entrySet()) {
            List<Sample> frames = e.getValue();
            int first = frames.get(0).mask().count(1);
            int last = frames.get(frames.size() - 1).mask().count(1);
            int max = frames.stream().mapToInt(s -> s.mask().count(1)).max().orElseThrow();
            int min = frames.stream().mapToInt(s -> s.mask().count(1)).min().orElseThrow();
            assertThat(last).as(e.getKey()).isLessThan(first);
            assertThat((double) min / max).as(e.getKey()).isLessThan(0.4);
        }
    }

    @Test
    void heartIsNearButNotAtTheCentreAndMovesBetweenPatients() {
        Set<String> positions = new HashSet<>();
        for (List<Sample> frames : data.byPatient().values()) {
            double[] c = TestMasks.centroid(frames.get(0).mask());
            double d = Math.hypot(c[0] - 63.5, c[1] - 63.5);
            assertThat(d).isGreaterThan(1.0).isLessThan(0.2 * 128);
            positions.add(Math.round(c[0]) + "," + Math.round(c[1]));
        }
        assertThat(positions).hasSize(6);
    }

    @Test
    void bloodPoolIsBrighterThanTheMyocardiumAroundIt() {
        for (Sample s : data) {
            double inside = meanWhere(s, ring(s.mask(), -2, 0));
            double wall = meanWhere(s, ring(s.mask(), 1, 3));
            assertThat(inside / wall).as(s.id()).isGreaterThan(2.0);
        }
    }

    @Test
    void intensityScaleIsScannerLikeAndVariesByPatient() {
        List<Double> maxima = new ArrayList<>();
        for (List<Sample> frames : data.byPatient().values()) {
            double max = 0;
            for (float v : frames.get(0).image().toArray()) {
                assertThat(v).isGreaterThanOrEqualTo(0f);
                max = Math.max(max, v);
            }
            assertThat(max).isBetween(100.0, 10_000.0);
            maxima.add(max);
        }
        double ratio = maxima.stream().mapToDouble(d -> d).max().orElseThrow()
                / maxima.stream().mapToDouble(d -> d).min().orElseThrow();
        assertThat(ratio).isGreaterThan(1.5);
    }

    @Test
    void noiseSettingRaisesPixelToPixelVariationButNotLabels() {
        Sample clean = CardiacPhantom.builder().patients(1).framesPerPatient(1).noise(0).seed(3).build()
                .generate().get(0);
        Sample noisy = CardiacPhantom.builder().patients(1).framesPerPatient(1).noise(0.1).seed(3).build()
                .generate().get(0);
        assertThat(noisy.mask()).isEqualTo(clean.mask());
        assertThat(roughness(noisy.image())).isGreaterThan(3 * roughness(clean.image()));
    }

    @Test
    void otherSizesScaleSpacingAndAnatomy() {
        SegmentationDataset big = CardiacPhantom.builder().imageSize(256).patients(2).framesPerPatient(2).seed(7)
                .build().generate();
        assertThat(big.size()).isEqualTo(4);
        assertThat(big.get(0).image().spacing().orElseThrow().rowMm()).isCloseTo(0.7, within(1e-12));
        assertThat(big.get(0).image().height()).isEqualTo(256);
        // the first frame is the base of the heart: an LV of roughly 8..11 % of the size in radius
        double r = Math.sqrt(big.get(0).mask().count(1) / Math.PI);
        assertThat(r / 256).isBetween(0.05, 0.12);
    }

    @Test
    void buildReportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> CardiacPhantom.builder().imageSize(8).patients(0).framesPerPatient(-1)
                .noise(Double.NaN).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("imageSize must be in 32..2048: 8")
                .hasMessageContaining("patients must be in 1..999: 0")
                .hasMessageContaining("framesPerPatient must be in 1..999: -1")
                .hasMessageContaining("noise must be in [0, 1]: NaN");
    }

    @Test
    void coverageCrossesOneHalfExactlyOnTheEllipse() {
        assertThat(CardiacPhantom.coverage(10, 0, 10, 5)).isCloseTo(0.5, within(1e-12));
        assertThat(CardiacPhantom.coverage(0, 5, 10, 5)).isCloseTo(0.5, within(1e-12));
        assertThat(CardiacPhantom.coverage(0, 0, 10, 5)).isEqualTo(1.0);
        assertThat(CardiacPhantom.coverage(12, 0, 10, 5)).isEqualTo(0.0);
        assertThat(CardiacPhantom.coverage(9.75, 0, 10, 5)).isCloseTo(0.75, within(0.01));
    }

    // ---- independent measurements ----

    private static int componentSize(Mask m, int label) {
        int h = m.height();
        int w = m.width();
        boolean[] seen = new boolean[h * w];
        int start = -1;
        for (int i = 0; i < h * w && start < 0; i++) {
            if (m.get(i / w, i % w) == label) {
                start = i;
            }
        }
        if (start < 0) {
            return 0;
        }
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        queue.add(start);
        seen[start] = true;
        int n = 0;
        int[][] steps = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
        while (!queue.isEmpty()) {
            int i = queue.poll();
            n++;
            int y = i / w;
            int x = i % w;
            for (int[] d : steps) {
                int ny = y + d[0];
                int nx = x + d[1];
                if (ny >= 0 && ny < h && nx >= 0 && nx < w && !seen[ny * w + nx] && m.get(ny, nx) == label) {
                    seen[ny * w + nx] = true;
                    queue.add(ny * w + nx);
                }
            }
        }
        return n;
    }

    /**
     * Pixels whose distance to the LV edge lies in {@code from..to} pixels (negative: inside), by brute force
     * over the boundary pixels.
     */
    private static boolean[] ring(Mask m, double from, double to) {
        int h = m.height();
        int w = m.width();
        List<int[]> edge = new ArrayList<>();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (m.get(y, x) == 1 && (x == 0 || y == 0 || x == w - 1 || y == h - 1 || m.get(y - 1, x) == 0
                        || m.get(y + 1, x) == 0 || m.get(y, x - 1) == 0 || m.get(y, x + 1) == 0)) {
                    edge.add(new int[] {y, x});
                }
            }
        }
        boolean[] out = new boolean[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double d = Double.MAX_VALUE;
                for (int[] e : edge) {
                    d = Math.min(d, Math.hypot(e[0] - y, e[1] - x));
                }
                double signed = m.get(y, x) == 1 ? -d : d;
                out[y * w + x] = signed >= from && signed <= to && (from < 0 || m.get(y, x) == 0);
            }
        }
        return out;
    }

    private static double meanWhere(Sample s, boolean[] where) {
        float[] px = s.image().toArray();
        double sum = 0;
        int n = 0;
        for (int i = 0; i < px.length; i++) {
            if (where[i]) {
                sum += px[i];
                n++;
            }
        }
        assertThat(n).isPositive();
        return sum / n;
    }

    private static double roughness(Image img) {
        double sum = 0;
        for (int y = 0; y < img.height(); y++) {
            for (int x = 1; x < img.width(); x++) {
                sum += Math.abs(img.get(y, x) - img.get(y, x - 1));
            }
        }
        return sum;
    }
}

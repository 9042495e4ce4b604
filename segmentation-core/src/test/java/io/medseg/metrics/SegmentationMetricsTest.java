package io.medseg.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SegmentationMetricsTest {

    private static Mask disc(int size, double cy, double cx, double r) {
        byte[] l = new byte[size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                if ((y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r) {
                    l[y * size + x] = 1;
                }
            }
        }
        return Mask.of(size, size, l);
    }

    private static Mask rect(int h, int w, int y0, int x0, int rh, int rw) {
        byte[] l = new byte[h * w];
        for (int y = y0; y < y0 + rh; y++) {
            for (int x = x0; x < x0 + rw; x++) {
                l[y * w + x] = 1;
            }
        }
        return Mask.of(h, w, l);
    }

    @Test
    void identicalMasksGiveDiceOneAndZeroDistances() {
        Mask a = disc(40, 20, 19, 9);
        ImageMetrics m = SegmentationMetrics.compute("i", "p", a, a, 1, new PixelSpacing(1.3, 0.7));
        assertThat(m.dice()).isEqualTo(1.0);
        assertThat(m.iou()).isEqualTo(1.0);
        assertThat(m.precision()).isEqualTo(1.0);
        assertThat(m.recall()).isEqualTo(1.0);
        assertThat(m.specificity()).isEqualTo(1.0);
        assertThat(m.hausdorffMm()).isZero();
        assertThat(m.hd95Mm()).isZero();
        assertThat(m.assdMm()).isZero();
        assertThat(m.apdMm()).isZero();
        assertThat(m.goodContour()).isTrue();
        assertThat(m.areaReferenceMm2()).isEqualTo(a.count(1) * (1.3 * 0.7));
        assertThat(m.areaDiffMm2()).isZero();
        assertThat(m.areaDiffPct()).isZero();
    }

    @Test
    void overlappingDiscsMatchTheLensAreaAndHausdorffIsTheCentreOffset() {
        double r = 20;
        double d = 10;
        Mask a = disc(80, 40, 30, r);
        Mask b = disc(80, 40, 30 + d, r);
        ImageMetrics m = SegmentationMetrics.compute("i", "p", a, b, 1, null);
        double lens = 2 * r * r * Math.acos(d / (2 * r)) - d / 2 * Math.sqrt(4 * r * r - d * d);
        double diceExact = lens / (Math.PI * r * r);
        assertThat(m.dice()).isCloseTo(diceExact, within(0.02));
        assertThat(m.iou()).isCloseTo(lens / (2 * Math.PI * r * r - lens), within(0.02));
        // equal circles offset by d: every point of one lies at most d from the other circle, and d is reached
        assertThat(m.hausdorffMm()).isCloseTo(d, within(1.0));
        // with 0.5 mm pixels the same shapes measure half as much
        ImageMetrics half = SegmentationMetrics.compute("i", "p", a, b, 1, new PixelSpacing(0.5, 0.5));
        assertThat(half.hausdorffMm()).isCloseTo(m.hausdorffMm() / 2, within(1e-12));
        assertThat(half.apdMm()).isCloseTo(m.apdMm() / 2, within(1e-12));
        assertThat(half.areaReferenceMm2()).isEqualTo(a.count(1) * 0.25);
    }

    @Test
    void fullSize256ImageDiscsHaveHausdorffOfTheOffset() {
        // the size of a cine MRI slice; also keeps the distance transform honest at scale
        Mask a = disc(256, 128, 120, 60);
        Mask b = disc(256, 131, 124, 60);
        ImageMetrics m = SegmentationMetrics.compute("i", "p", a, b, 1, new PixelSpacing(1.25, 1.25));
        assertThat(m.hausdorffMm()).isCloseTo(5 * 1.25, within(1.25));
        assertThat(m.apdMm()).isLessThan(m.hausdorffMm());
        assertThat(m.goodContour()).isTrue();
    }

    @Test
    void shiftedBarHausdorffRespectsAnisotropicSpacing() {
        // a single pixel against one 3 rows down and 4 columns right
        Mask a = rect(10, 10, 2, 2, 1, 1);
        Mask b = rect(10, 10, 5, 6, 1, 1);
        ImageMetrics m = SegmentationMetrics.compute("i", "p", a, b, 1, new PixelSpacing(2.0, 0.5));
        double expected = Math.hypot(3 * 2.0, 4 * 0.5);
        assertThat(m.hausdorffMm()).isCloseTo(expected, within(1e-12));
        assertThat(m.hd95Mm()).isCloseTo(expected, within(1e-12));
        assertThat(m.assdMm()).isCloseTo(expected, within(1e-12));
        assertThat(m.dice()).isZero();
    }

    @Test
    void apdOfAnInnerSquareAgainstAnOuterExpertSquareIsTheMarginExactly() {
        int s = 10;
        int k = 2;
        Mask expert = rect(30, 30, 8 - k, 8 - k, s + 2 * k, s + 2 * k);
        Mask inner = rect(30, 30, 8, 8, s, s);
        // each inner contour vertex sits on a straight run of the expert contour, k pixels away
        ImageMetrics m = SegmentationMetrics.compute("i", "p", expert, inner, 1, new PixelSpacing(1.5, 1.5));
        assertThat(m.apdMm()).isCloseTo(k * 1.5, within(1e-12));
        assertThat(m.goodContour()).isTrue();
        // anisotropic: top/bottom vertices are k rows away, left/right vertices k columns away (the corner
        // cuts and the other sides are farther: 2.4 <= 2.5 and 2.0 <= 3.0 for k = 2, rows 1.2 mm, columns 1 mm)
        ImageMetrics an = SegmentationMetrics.compute("i", "p", expert, inner, 1, new PixelSpacing(1.2, 1.0));
        assertThat(an.apdMm()).isCloseTo((k * 1.2 + k * 1.0) / 2, within(1e-12));
    }

    @Test
    void apdOfAnOuterSquareAgainstAnInnerExpertSquareCountsTheCornerOverhang() {
        int s = 10;
        int k = 2;
        Mask expert = rect(30, 30, 8, 8, s, s);
        Mask outer = rect(30, 30, 8 - k, 8 - k, s + 2 * k, s + 2 * k);
        // per side s vertices face the expert edge at distance k; the 2k overhanging vertices (j = 1..k beyond
        // each end) are nearest to the expert contour's end vertex, at sqrt(j² + k²)
        double overhang = 0;
        for (int j = 1; j <= k; j++) {
            overhang += Math.sqrt(j * j + k * k);
        }
        double expected = (4.0 * s * k + 8 * overhang) / (4.0 * (s + 2 * k));
        ImageMetrics m = SegmentationMetrics.compute("i", "p", expert, outer, 1, null);
        assertThat(m.apdMm()).isCloseTo(expected, within(1e-12));
        ImageMetrics mm = SegmentationMetrics.compute("i", "p", expert, outer, 1, new PixelSpacing(3, 3));
        assertThat(mm.apdMm()).isCloseTo(3 * expected, within(1e-12));
        assertThat(mm.goodContour()).isEqualTo(3 * expected < 5);
    }

    @Test
    void bothEmptyIsAPerfectMatch() {
        Mask e = Mask.empty(16, 12);
        ImageMetrics m = SegmentationMetrics.compute("i", "p", e, e, 1, new PixelSpacing(1, 2));
        assertThat(List.of(m.dice(), m.iou(), m.precision(), m.recall(), m.specificity())).containsOnly(1.0);
        assertThat(List.of(m.hausdorffMm(), m.hd95Mm(), m.assdMm(), m.apdMm(), m.areaDiffMm2(), m.areaDiffPct()))
                .containsOnly(0.0);
        assertThat(m.goodContour()).isTrue();
    }

    @Test
    void oneEmptyMaskIsTheWorstCaseWithoutNaN() {
        Mask e = Mask.empty(16, 12);
        Mask a = rect(16, 12, 3, 3, 4, 5);
        double diag = Math.hypot(16 * 1.0, 12 * 2.0);
        ImageMetrics missed = SegmentationMetrics.compute("i", "p", a, e, 1, new PixelSpacing(1, 2));
        assertThat(missed.dice()).isZero();
        assertThat(missed.iou()).isZero();
        assertThat(missed.recall()).isZero();
        assertThat(missed.precision()).isEqualTo(1.0); // 0/0: nothing was predicted, nothing wrongly
        assertThat(missed.specificity()).isEqualTo(1.0);
        assertThat(missed.areaDiffMm2()).isEqualTo(-20 * 2.0);
        assertThat(missed.areaDiffPct()).isEqualTo(-100.0);
        assertThat(List.of(missed.hausdorffMm(), missed.hd95Mm(), missed.assdMm(), missed.apdMm()))
                .containsOnly(diag);
        assertThat(missed.goodContour()).isFalse();

        ImageMetrics spurious = SegmentationMetrics.compute("i", "p", e, a, 1, new PixelSpacing(1, 2));
        assertThat(spurious.dice()).isZero();
        assertThat(spurious.precision()).isZero();
        assertThat(spurious.recall()).isEqualTo(1.0);
        assertThat(spurious.specificity()).isEqualTo((16 * 12 - 20) / (double) (16 * 12));
        assertThat(spurious.areaDiffPct()).isEqualTo(100.0);
        assertThat(spurious.hausdorffMm()).isEqualTo(diag);
        assertThat(spurious.goodContour()).isFalse();
    }

    @Test
    void overlapMetricsFollowPixelCounts() {
        // reference 4x4 block, prediction the block shifted by one column: TP 12, FP 4, FN 4, TN 100 - 20
        Mask ref = rect(10, 10, 2, 2, 4, 4);
        Mask pred = rect(10, 10, 2, 3, 4, 4);
        ImageMetrics m = SegmentationMetrics.compute("i", "p", ref, pred, 1, null);
        assertThat(m.dice()).isEqualTo(24.0 / 32);
        assertThat(m.iou()).isEqualTo(12.0 / 20);
        assertThat(m.precision()).isEqualTo(12.0 / 16);
        assertThat(m.recall()).isEqualTo(12.0 / 16);
        assertThat(m.specificity()).isEqualTo(80.0 / 84);
        assertThat(m.hausdorffMm()).isEqualTo(1.0);
    }

    // ---------- brute-force reference on random blobs ----------

    private static Mask blobs(Random rnd, int size) {
        byte[] l = new byte[size * size];
        int n = 1 + rnd.nextInt(3);
        for (int b = 0; b < n; b++) {
            double cy = rnd.nextDouble() * size;
            double cx = rnd.nextDouble() * size;
            double ry = 1 + rnd.nextDouble() * 6;
            double rx = 1 + rnd.nextDouble() * 6;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double u = (y - cy) / ry;
                    double v = (x - cx) / rx;
                    if (u * u + v * v <= 1 || rnd.nextDouble() < 0.02) {
                        l[y * size + x] = 1;
                    }
                }
            }
        }
        return Mask.of(size, size, l);
    }

    /** Boundary points computed directly from the definition, independent of Contours. */
    private static List<int[]> boundary(Mask m) {
        List<int[]> out = new ArrayList<>();
        int[][] nb = {{-1, 0}, {1, 0}, {0, -1}, {0, 1}};
        for (int y = 0; y < m.height(); y++) {
            for (int x = 0; x < m.width(); x++) {
                if (m.get(y, x) != 1) {
                    continue;
                }
                for (int[] d : nb) {
                    int yy = y + d[0];
                    int xx = x + d[1];
                    if (yy < 0 || xx < 0 || yy >= m.height() || xx >= m.width() || m.get(yy, xx) != 1) {
                        out.add(new int[] {y, x});
                        break;
                    }
                }
            }
        }
        return out;
    }

    private static double[] bruteDirected(List<int[]> from, List<int[]> to, double r, double c) {
        double[] d = new double[from.size()];
        for (int i = 0; i < d.length; i++) {
            double best = Double.POSITIVE_INFINITY;
            for (int[] q : to) {
                double dy = (from.get(i)[0] - q[0]) * r;
                double dx = (from.get(i)[1] - q[1]) * c;
                best = Math.min(best, Math.sqrt(dy * dy + dx * dx));
            }
            d[i] = best;
        }
        return d;
    }

    /** NumPy's default (linear) percentile, written out again. */
    private static double p95(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        double pos = 0.95 * (s.length - 1);
        int i = (int) pos;
        double frac = pos - i;
        return i + 1 < s.length ? s[i] * (1 - frac) + s[i + 1] * frac : s[i];
    }

    @Test
    void surfaceDistancesEqualBruteForceOnRandomBlobs() {
        Random rnd = new Random(20240611L);
        PixelSpacing[] spacings = {null, new PixelSpacing(1.37, 0.61), new PixelSpacing(0.5, 2.25)};
        int checked = 0;
        for (int t = 0; t < 20; t++) {
            Mask a = blobs(rnd, 24);
            Mask b = blobs(rnd, 24);
            PixelSpacing sp = spacings[t % 3];
            double r = sp == null ? 1 : sp.rowMm();
            double c = sp == null ? 1 : sp.colMm();
            List<int[]> ba = boundary(a);
            List<int[]> bb = boundary(b);
            assertThat(ba).isNotEmpty();
            assertThat(bb).isNotEmpty();
            double[] dA = bruteDirected(ba, bb, r, c);
            double[] dB = bruteDirected(bb, ba, r, c);
            double hd = Math.max(Arrays.stream(dA).max().getAsDouble(), Arrays.stream(dB).max().getAsDouble());
            double hd95 = Math.max(p95(dA), p95(dB));
            double assd = (Arrays.stream(dA).sum() + Arrays.stream(dB).sum()) / (dA.length + dB.length);
            ImageMetrics m = SegmentationMetrics.compute("img" + t, "p", a, b, 1, sp);
            assertThat(m.hausdorffMm()).isCloseTo(hd, within(1e-9));
            assertThat(m.hd95Mm()).isCloseTo(hd95, within(1e-9));
            assertThat(m.assdMm()).isCloseTo(assd, within(1e-9));
            assertThat(m.apdMm()).isFinite();
            checked++;
        }
        assertThat(checked).isEqualTo(20);
    }

    @Test
    void apdEqualsBruteForcePointToSegmentOnRandomBlobs() {
        Random rnd = new Random(99);
        for (int t = 0; t < 10; t++) {
            Mask a = blobs(rnd, 24);
            Mask b = blobs(rnd, 24);
            double r = 0.8;
            double c = 1.4;
            // reference: the nearest point of each expert segment found by ternary search, not by projection
            List<List<Contours.Point>> pc = Contours.marchingSquares(b, 1);
            List<List<Contours.Point>> ec = Contours.marchingSquares(a, 1);
            double total = 0;
            int n = 0;
            for (List<Contours.Point> poly : pc) {
                for (Contours.Point p : poly) {
                    double best = Double.POSITIVE_INFINITY;
                    for (List<Contours.Point> e : ec) {
                        for (int i = 0; i < e.size(); i++) {
                            Contours.Point s0 = e.get(i);
                            Contours.Point s1 = e.get((i + 1) % e.size());
                            best = Math.min(best, ternary(p, s0, s1, r, c));
                        }
                    }
                    total += best;
                    n++;
                }
            }
            ImageMetrics m = SegmentationMetrics.compute("i", "p", a, b, 1, new PixelSpacing(r, c));
            assertThat(m.apdMm()).isCloseTo(total / n, within(1e-9));
        }
    }

    /** Distance in mm from p to segment s0-s1 by ternary search on the (convex) distance along the segment. */
    private static double ternary(Contours.Point p, Contours.Point s0, Contours.Point s1, double r, double c) {
        double lo = 0;
        double hi = 1;
        for (int it = 0; it < 200; it++) {
            double m1 = lo + (hi - lo) / 3;
            double m2 = hi - (hi - lo) / 3;
            if (dist(p, s0, s1, m1, r, c) <= dist(p, s0, s1, m2, r, c)) {
                hi = m2;
            } else {
                lo = m1;
            }
        }
        return Math.min(dist(p, s0, s1, (lo + hi) / 2, r, c),
                Math.min(dist(p, s0, s1, 0, r, c), dist(p, s0, s1, 1, r, c)));
    }

    private static double dist(Contours.Point p, Contours.Point s0, Contours.Point s1, double t, double r, double c) {
        double x = s0.x() + t * (s1.x() - s0.x());
        double y = s0.y() + t * (s1.y() - s0.y());
        return Math.hypot((x - p.x()) * c, (y - p.y()) * r);
    }
}

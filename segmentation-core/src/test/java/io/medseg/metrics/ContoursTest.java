package io.medseg.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.medseg.data.Mask;
import io.medseg.metrics.Contours.Point;
import io.medseg.testdata.TestMasks;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContoursTest {

    private static double shoelace(List<Point> poly) {
        // independent of Contours.signedArea: trapezoid formula
        double s = 0;
        for (int i = 0; i < poly.size(); i++) {
            Point p = poly.get(i);
            Point q = poly.get((i + 1) % poly.size());
            s += (q.x() - p.x()) * (q.y() + p.y());
        }
        return -s / 2;
    }

    @Test
    void singlePixelGivesClosedDiamondAtHalfPixel() {
        Mask m = TestMasks.parse(
                "...",
                ".1.",
                "...");
        List<List<Point>> cs = Contours.marchingSquares(m, 1);
        assertThat(cs).hasSize(1);
        List<Point> d = cs.get(0);
        assertThat(new HashSet<>(d)).containsExactlyInAnyOrder(
                new Point(1.5, 1), new Point(0.5, 1), new Point(1, 1.5), new Point(1, 0.5));
        for (Point p : d) {
            assertThat(Math.hypot(p.x() - 1, p.y() - 1)).isEqualTo(0.5);
        }
        // consecutive vertices are adjacent diamond corners (a closed ring, not a bow tie)
        for (int i = 0; i < 4; i++) {
            Point p = d.get(i);
            Point q = d.get((i + 1) % 4);
            assertThat(Math.abs(p.x() - q.x())).isEqualTo(0.5);
            assertThat(Math.abs(p.y() - q.y())).isEqualTo(0.5);
        }
        assertThat(shoelace(d)).isEqualTo(0.5);
        assertThat(Contours.signedArea(d)).isEqualTo(0.5);
    }

    @Test
    void filledRectangleEnclosesItsPixelAreaMinusFourCornerTriangles() {
        // a w x h block: the pixel squares span w*h, marching squares cuts four corner triangles of area 1/8 each
        int w = 5;
        int h = 3;
        byte[] labels = new byte[8 * 9];
        for (int y = 2; y < 2 + h; y++) {
            for (int x = 1; x < 1 + w; x++) {
                labels[y * 9 + x] = 1;
            }
        }
        List<List<Point>> cs = Contours.marchingSquares(Mask.of(8, 9, labels), 1);
        assertThat(cs).hasSize(1);
        assertThat(cs.get(0)).hasSize(2 * w + 2 * h);
        assertThat(shoelace(cs.get(0))).isEqualTo(w * h - 0.5);
    }

    @Test
    void maskTouchingTheImageEdgeStillCloses() {
        Mask m = TestMasks.parse(
                "11",
                "11");
        List<List<Point>> cs = Contours.marchingSquares(m, 1);
        assertThat(cs).hasSize(1);
        assertThat(shoelace(cs.get(0))).isEqualTo(3.5);
        assertThat(cs.get(0)).contains(new Point(-0.5, 0), new Point(0, -0.5), new Point(1.5, 1), new Point(1, 1.5));
    }

    @Test
    void diagonalPixelsAreSeparateContours() {
        Mask m = TestMasks.parse(
                "....",
                ".1..",
                "..1.",
                "....");
        List<List<Point>> cs = Contours.marchingSquares(m, 1);
        assertThat(cs).hasSize(2);
        assertThat(cs).allSatisfy(c -> {
            assertThat(c).hasSize(4);
            assertThat(shoelace(c)).isEqualTo(0.5);
        });
        Mask anti = TestMasks.parse(
                "....",
                "..1.",
                ".1..",
                "....");
        assertThat(Contours.marchingSquares(anti, 1)).hasSize(2);
    }

    @Test
    void holeHasNegativeAreaSoTheNetAreaIsTheRing() {
        Mask m = TestMasks.parse(
                ".....",
                ".111.",
                ".1.1.",
                ".111.",
                ".....");
        List<List<Point>> cs = Contours.marchingSquares(m, 1);
        assertThat(cs).hasSize(2);
        double outer = Math.max(shoelace(cs.get(0)), shoelace(cs.get(1)));
        double hole = Math.min(shoelace(cs.get(0)), shoelace(cs.get(1)));
        assertThat(outer).isEqualTo(9 - 0.5);
        // the hole contour is the diamond around the centre pixel, traversed the other way
        assertThat(hole).isEqualTo(-0.5);
    }

    @Test
    void contourVerticesLieHalfwayBetweenDifferingPixels() {
        java.util.Random rnd = new java.util.Random(7);
        for (int t = 0; t < 20; t++) {
            byte[] l = new byte[12 * 10];
            for (int i = 0; i < l.length; i++) {
                l[i] = (byte) (rnd.nextDouble() < 0.45 ? 1 : 0);
            }
            Mask m = Mask.of(12, 10, l);
            Set<Point> seen = new HashSet<>();
            for (List<Point> c : Contours.marchingSquares(m, 1)) {
                for (Point p : c) {
                    assertThat(seen.add(p)).as("vertex used once").isTrue();
                    // exactly one coordinate is a half-integer; the two pixels it separates differ
                    boolean halfX = p.x() != Math.floor(p.x());
                    int y0 = (int) Math.floor(p.y());
                    int x0 = (int) Math.floor(p.x());
                    boolean a = halfX ? in(m, (int) p.y(), x0) : in(m, y0, (int) p.x());
                    boolean b = halfX ? in(m, (int) p.y(), x0 + 1) : in(m, y0 + 1, (int) p.x());
                    assertThat(a).isNotEqualTo(b);
                }
            }
            // every differing 4-neighbour pair (with background padding) is crossed exactly once
            int crossings = 0;
            for (int y = -1; y <= 12; y++) {
                for (int x = -1; x <= 10; x++) {
                    if (in(m, y, x) != in(m, y, x + 1) && y >= 0 && y < 12) {
                        crossings++;
                    }
                    if (in(m, y, x) != in(m, y + 1, x) && x >= 0 && x < 10) {
                        crossings++;
                    }
                }
            }
            assertThat(seen).hasSize(crossings);
        }
    }

    private static boolean in(Mask m, int y, int x) {
        return y >= 0 && x >= 0 && y < m.height() && x < m.width() && m.get(y, x) == 1;
    }

    @Test
    void boundaryPixelsHaveAnOutside4NeighbourOrTouchTheEdge() {
        Mask m = TestMasks.parse(
                "1111.",
                "1111.",
                "1111.",
                ".....");
        int[] b = Contours.boundaryPixels(m, 1);
        // all but the interior pixel (1,1) and (1,2): (1,1) has 4 foreground neighbours; (1,2) too
        assertThat(b).containsExactly(0, 1, 2, 3, 5, 8, 10, 11, 12, 13);
        assertThat(Contours.boundaryPixels(Mask.empty(3, 3), 1)).isEmpty();
    }

    @Test
    void contoursOfAShapeMoveWithItWhereverItSitsInTheImage() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(42);
        for (int trial = 0; trial < 40; trial++) {
            int h = 3 + rng.nextInt(10);
            int w = 3 + rng.nextInt(10);
            byte[] small = new byte[h * w];
            for (int i = 0; i < small.length; i++) {
                small[i] = (byte) (rng.nextDouble() < 0.45 ? 1 : 0);
            }
            int bigH = h + 2 + rng.nextInt(20);
            int bigW = w + 2 + rng.nextInt(20);
            int dy = rng.nextInt(bigH - h + 1);
            int dx = rng.nextInt(bigW - w + 1);
            byte[] big = new byte[bigH * bigW];
            for (int y = 0; y < h; y++) {
                System.arraycopy(small, y * w, big, (y + dy) * bigW + dx, w);
            }
            List<List<Point>> expected = Contours.marchingSquares(Mask.of(h, w, small), 1).stream()
                    .map(c -> c.stream().map(p -> new Point(p.x() + dx, p.y() + dy)).toList()).toList();
            assertThat(Contours.marchingSquares(Mask.of(bigH, bigW, big), 1)).as("trial %d", trial)
                    .isEqualTo(expected);
        }
        assertThat(Contours.marchingSquares(Mask.of(4, 4, new byte[16]), 1)).isEmpty();
    }
}

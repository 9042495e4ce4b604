package io.medseg.data.sunnybrook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.Mask;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;

class PolygonFillTest {

    private static List<ContourPoint> poly(double... xy) {
        List<ContourPoint> out = new ArrayList<>();
        for (int i = 0; i < xy.length; i += 2) {
            out.add(new ContourPoint(xy[i], xy[i + 1]));
        }
        return out;
    }

    /** Asserts the mask is 1 exactly where {@code inside(row, col)} holds. */
    private static void assertMask(Mask m, BiPredicate<Integer, Integer> inside) {
        for (int r = 0; r < m.height(); r++) {
            for (int c = 0; c < m.width(); c++) {
                int expected = inside.test(r, c) ? 1 : 0;
                if (m.get(r, c) != expected) {
                    throw new AssertionError("pixel (row " + r + ", col " + c + "): expected " + expected + ", got "
                            + m.get(r, c));
                }
            }
        }
    }

    @Test
    void rectangleWithIntegerCornersIncludesItsBoundaryCentres() {
        // x 2..6 (5 columns) by y 3..8 (6 rows): every centre on the border counts.
        Mask m = PolygonFill.fill(poly(2, 3, 6, 3, 6, 8, 2, 8), 12, 12);

        assertThat(m.count(1)).isEqualTo(30);
        assertMask(m, (r, c) -> c >= 2 && c <= 6 && r >= 3 && r <= 8);
    }

    @Test
    void rectangleWithHalfIntegerCornersCoversExactlyItsArea() {
        // Edges on pixel borders: 4 x 2 = 8 pixels, columns 2..5, rows 3..4.
        Mask m = PolygonFill.fill(poly(1.5, 2.5, 5.5, 2.5, 5.5, 4.5, 1.5, 4.5), 8, 8);

        assertThat(m.count(1)).isEqualTo(8);
        assertMask(m, (r, c) -> c >= 2 && c <= 5 && r >= 3 && r <= 4);
    }

    @Test
    void rightTriangleIncludesCentresOnTheHypotenuse() {
        // Centres with c, r >= 0 and c + r <= 4: 5 + 4 + 3 + 2 + 1 = 15.
        Mask m = PolygonFill.fill(poly(0, 0, 4, 0, 0, 4), 6, 6);

        assertThat(m.count(1)).isEqualTo(15);
        assertMask(m, (r, c) -> c + r <= 4);
    }

    @Test
    void halfOffsetRightTriangle() {
        // Centres with c, r >= 1 and c + r <= 9: 8 + 7 + ... + 1 = 36.
        Mask m = PolygonFill.fill(poly(0.5, 0.5, 8.5, 0.5, 0.5, 8.5), 10, 10);

        assertThat(m.count(1)).isEqualTo(36);
        assertMask(m, (r, c) -> c >= 1 && r >= 1 && c + r <= 9);
    }

    @Test
    void concaveLShapeLeavesTheNotchEmpty() {
        // Rows 1..2 x columns 1..6 (12) plus rows 3..6 x columns 1..2 (8) = 20, the polygon's area.
        Mask m = PolygonFill.fill(poly(0.5, 0.5, 6.5, 0.5, 6.5, 2.5, 2.5, 2.5, 2.5, 6.5, 0.5, 6.5), 8, 8);

        assertThat(m.count(1)).isEqualTo(20);
        assertMask(m, (r, c) -> (r >= 1 && r <= 2 && c >= 1 && c <= 6) || (r >= 3 && r <= 6 && c >= 1 && c <= 2));
    }

    @Test
    void concaveLShapeWithIntegerCornersCountsItsInnerCornerEdges() {
        // Same L on integer corners: rows 0..2 x cols 0..6 (21) plus rows 3..6 x cols 0..2 (12) = 33.
        Mask m = PolygonFill.fill(poly(0, 0, 6, 0, 6, 2, 2, 2, 2, 6, 0, 6), 8, 8);

        assertThat(m.count(1)).isEqualTo(33);
        assertMask(m, (r, c) -> (r <= 2 && c <= 6) || (r <= 6 && c <= 2));
    }

    @Test
    void resultDoesNotDependOnOrientationOrStartingVertex() {
        List<ContourPoint> p = poly(1.2, 0.7, 9.9, 2.1, 7.3, 8.8, 4.0, 5.0, 0.4, 9.5);
        Mask reference = PolygonFill.fill(p, 12, 12);
        List<ContourPoint> reversed = new ArrayList<>(p);
        Collections.reverse(reversed);
        List<ContourPoint> rotated = new ArrayList<>(p);
        Collections.rotate(rotated, 2);

        assertThat(PolygonFill.fill(reversed, 12, 12)).isEqualTo(reference);
        assertThat(PolygonFill.fill(rotated, 12, 12)).isEqualTo(reference);
    }

    @Test
    void evenOddRuleEmptiesASquareTracedTwice() {
        // Winding number 2 everywhere inside: even, so outside; the boundary lies on pixel borders, no centre.
        Mask m = PolygonFill.fill(poly(0.5, 0.5, 4.5, 0.5, 4.5, 4.5, 0.5, 4.5,
                0.5, 0.5, 4.5, 0.5, 4.5, 4.5, 0.5, 4.5), 6, 6);

        assertThat(m.count(1)).isZero();
    }

    @Test
    void polygonOnOrBeyondTheImageBorderIsClipped() {
        assertThat(PolygonFill.fill(poly(0, 0, 10, 0, 10, 10, 0, 10), 10, 10).count(1)).isEqualTo(100);
        assertThat(PolygonFill.fill(poly(-5, -5, 20, -5, 20, 20, -5, 20), 10, 10).count(1)).isEqualTo(100);
        // Right half outside: columns 6..9 of rows 0..9.
        Mask m = PolygonFill.fill(poly(5.5, -1, 30, -1, 30, 30, 5.5, 30), 10, 10);
        assertMask(m, (r, c) -> c >= 6);
    }

    @Test
    void randomPolygonsMatchPerPixelRayCasting() {
        // Generic coordinates: no centre lies on an edge, so the even-odd answer is the whole rule.
        Random rnd = new Random(42);
        for (int t = 0; t < 200; t++) {
            int n = 3 + rnd.nextInt(12);
            double[] xy = new double[2 * n];
            for (int i = 0; i < xy.length; i++) {
                xy[i] = rnd.nextDouble() * 22 - 1;
            }
            List<ContourPoint> p = poly(xy);
            Mask m = PolygonFill.fill(p, 20, 20);
            assertMask(m, (r, c) -> rayCastInside(xy, c, r));
        }
    }

    /** The classic PNPOLY crossing test (W. R. Franklin), written independently of the scanline fill. */
    private static boolean rayCastInside(double[] xy, double px, double py) {
        int n = xy.length / 2;
        boolean inside = false;
        for (int i = 0, j = n - 1; i < n; j = i++) {
            double xi = xy[2 * i];
            double yi = xy[2 * i + 1];
            double xj = xy[2 * j];
            double yj = xy[2 * j + 1];
            if ((yi > py) != (yj > py) && px < (xj - xi) * (py - yi) / (yj - yi) + xi) {
                inside = !inside;
            }
        }
        return inside;
    }

    @Test
    void fewerThanThreePointsIsRejected() {
        assertThatThrownBy(() -> PolygonFill.fill(poly(0, 0, 1, 1), 4, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a polygon needs at least 3 points, got 2");
    }
}

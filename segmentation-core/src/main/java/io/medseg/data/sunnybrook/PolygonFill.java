package io.medseg.data.sunnybrook;

import io.medseg.data.Mask;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Rasterises a closed polygon into a {@link Mask}.
 *
 * <p><b>Rule.</b> The pixel in row {@code r}, column {@code c} is labelled 1 exactly when its centre, the point
 * {@code (x, y) = (c, r)}, lies in the closed polygon: either strictly inside by the even-odd rule, or exactly on
 * an edge or vertex (the boundary counts as inside). The last vertex joins the first. For a point off the
 * boundary the even-odd parity is unambiguous, so the rule does not depend on vertex order, orientation or the
 * starting vertex.
 *
 * <p>Consequences, useful for checking by hand: the rectangle with corners {@code (x0, y0)} and {@code (x1, y1)}
 * covers the pixels with {@code ceil(x0) <= c <= floor(x1)} and {@code ceil(y0) <= r <= floor(y1)}; a polygon
 * whose vertices all lie on half-integers (pixel edges, as in Sunnybrook contours traced along pixel borders) and
 * whose edges are axis-aligned covers exactly as many pixels as its area.
 *
 * <p>The on-edge test is exact when the arithmetic on the coordinates is exact in {@code double} (for example
 * vertices that are multiples of 1/2 or 1/4 within a few thousand pixels); otherwise a centre within rounding
 * error of an edge may fall either way.
 *
 * <p>Algorithm: one scanline per row at {@code y = r}; an edge crosses it when {@code min(y1, y2) <= r <
 * max(y1, y2)} (half-open, so a vertex on the scanline is counted once); centres between the 1st and 2nd, 3rd and
 * 4th... sorted crossings are inside. Boundary centres are then added edge by edge.
 */
public final class PolygonFill {
    private PolygonFill() {
    }

    /**
     * Fills the polygon through {@code points} into a {@code height x width} mask (1 inside, 0 outside). Parts of
     * the polygon outside the image are clipped.
     *
     * @throws IllegalArgumentException if there are fewer than 3 points or the size is not positive
     */
    public static Mask fill(List<ContourPoint> points, int height, int width) {
        Objects.requireNonNull(points, "points");
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("mask size must be positive: " + height + "x" + width);
        }
        int n = points.size();
        if (n < 3) {
            throw new IllegalArgumentException("a polygon needs at least 3 points, got " + n);
        }
        double[] xs = new double[n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            ContourPoint p = Objects.requireNonNull(points.get(i), "point " + i);
            xs[i] = p.x();
            ys[i] = p.y();
        }
        byte[] labels = new byte[height * width];
        fillInterior(xs, ys, height, width, labels);
        fillBoundary(xs, ys, height, width, labels);
        return Mask.wrap(height, width, labels);
    }

    private static void fillInterior(double[] xs, double[] ys, int height, int width, byte[] labels) {
        int n = xs.length;
        double[] crossings = new double[n];
        for (int r = 0; r < height; r++) {
            int k = 0;
            for (int i = 0; i < n; i++) {
                int j = (i + 1) % n;
                double y1 = ys[i];
                double y2 = ys[j];
                if ((y1 <= r) != (y2 <= r)) {
                    crossings[k++] = xs[i] + (r - y1) * (xs[j] - xs[i]) / (y2 - y1);
                }
            }
            Arrays.sort(crossings, 0, k);
            // k is even: the half-open rule counts each closed loop's crossings in pairs.
            for (int p = 0; p + 1 < k; p += 2) {
                int from = (int) Math.max(0, Math.ceil(crossings[p]));
                int to = (int) Math.min(width - 1, Math.ceil(crossings[p + 1]) - 1);
                for (int c = from; c <= to; c++) {
                    labels[r * width + c] = 1;
                }
            }
        }
    }

    private static void fillBoundary(double[] xs, double[] ys, int height, int width, byte[] labels) {
        int n = xs.length;
        for (int i = 0; i < n; i++) {
            int j = (i + 1) % n;
            double x1 = xs[i];
            double y1 = ys[i];
            double x2 = xs[j];
            double y2 = ys[j];
            int rFrom = (int) Math.max(0, Math.ceil(Math.min(y1, y2)));
            int rTo = (int) Math.min(height - 1, Math.floor(Math.max(y1, y2)));
            for (int r = rFrom; r <= rTo; r++) {
                if (y1 == y2) {
                    int cFrom = (int) Math.max(0, Math.ceil(Math.min(x1, x2)));
                    int cTo = (int) Math.min(width - 1, Math.floor(Math.max(x1, x2)));
                    for (int c = cFrom; c <= cTo; c++) {
                        labels[r * width + c] = 1;
                    }
                } else {
                    double x = x1 + (r - y1) * (x2 - x1) / (y2 - y1);
                    double c = Math.rint(x);
                    // Exact collinearity test on the nearest centre; the division above is only a guess.
                    if (c >= 0 && c < width && (x2 - x1) * (r - y1) == (y2 - y1) * (c - x1)
                            && c >= Math.min(x1, x2) && c <= Math.max(x1, x2)) {
                        labels[r * width + (int) c] = 1;
                    }
                }
            }
        }
    }
}

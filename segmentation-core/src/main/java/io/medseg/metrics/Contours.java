package io.medseg.metrics;

import io.medseg.data.Mask;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Contours and boundaries of one class of a {@link Mask}.
 *
 * <p>Coordinates are pixel coordinates: {@code x} is the column, {@code y} the row, and pixel centres sit at integer
 * coordinates. Physical units are applied by the callers ({@link SegmentationMetrics}).
 */
public final class Contours {
    private Contours() {
    }

    /** A contour vertex in pixel coordinates ({@code x} = column, {@code y} = row). */
    public record Point(double x, double y) {
    }

    /**
     * The closed iso-contours at level 0.5 of the binary indicator {@code mask == classIndex}, by marching squares.
     *
     * <p>The image is padded with one ring of background, so every contour closes, even where the class touches the
     * image edge. Because the indicator is binary, each vertex is the midpoint of a grid edge whose two pixels differ:
     * a lone pixel gives the diamond {@code (x±0.5, y), (x, y±0.5)}, and a filled {@code w x h} block gives an
     * octagon of area {@code w·h − 0.5} (the block's pixel squares minus four corner triangles of area 1/8).
     *
     * <p>Saddle cells (two diagonal foreground corners) are always resolved as <em>separate</em>: foreground is
     * 4-connected, so diagonal-only neighbours get contours of their own, matching {@link #boundaryPixels}.
     *
     * <p>Each polyline lists its vertices once; the last vertex joins the first. Orientation is fixed: the
     * foreground lies to the left when the coordinates are read as a y-up plane, so outer boundaries have positive
     * and holes negative {@link #signedArea signed area}. Order is deterministic (raster order of each contour's first
     * segment).
     */
    public static List<List<Point>> marchingSquares(Mask mask, int classIndex) {
        int h = mask.height();
        int w = mask.width();
        // vertices are keyed by doubled coordinates (2x, 2y), shifted by 2 so the padding ring is non-negative
        int stride = 2 * w + 5;
        Map<Integer, Integer> next = new HashMap<>();
        List<Integer> starts = new ArrayList<>();
        // only cells touching the class's bounding box can cut a contour: the others are all background, and
        // visiting the rest in the same raster order gives the same contours in the same order
        int minY = h;
        int maxY = -1;
        int minX = w;
        int maxX = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (mask.get(y, x) == classIndex) {
                    minY = Math.min(minY, y);
                    maxY = y;
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                }
            }
        }
        if (maxY < 0) {
            return List.of();
        }
        for (int cy = minY - 1; cy <= maxY; cy++) {
            for (int cx = minX - 1; cx <= maxX; cx++) {
                boolean a = fg(mask, classIndex, cy, cx);         // top-left
                boolean b = fg(mask, classIndex, cy, cx + 1);     // top-right
                boolean c = fg(mask, classIndex, cy + 1, cx + 1); // bottom-right
                boolean d = fg(mask, classIndex, cy + 1, cx);     // bottom-left
                int n = (a ? 1 : 0) + (b ? 1 : 0) + (c ? 1 : 0) + (d ? 1 : 0);
                if (n == 0 || n == 4) {
                    continue;
                }
                // edge midpoints in doubled coordinates
                int tx = 2 * cx + 1;
                int ty = 2 * cy;
                int rx = 2 * cx + 2;
                int ry = 2 * cy + 1;
                int bx = 2 * cx + 1;
                int by = 2 * cy + 2;
                int lx = 2 * cx;
                int ly = 2 * cy + 1;
                int ax = 2 * cx;
                int ay = 2 * cy;
                int cxx = 2 * cx + 2;
                int cyy = 2 * cy + 2;
                if (n == 2 && a == c) {
                    // saddle: cut off each foreground corner on its own (4-connectivity of the foreground)
                    if (a) {
                        add(next, starts, stride, tx, ty, lx, ly, ax, ay);
                        add(next, starts, stride, rx, ry, bx, by, cxx, cyy);
                    } else {
                        add(next, starts, stride, tx, ty, rx, ry, cxx, ay);
                        add(next, starts, stride, lx, ly, bx, by, ax, cyy);
                    }
                    continue;
                }
                // exactly two edges change sign; collect them and one foreground corner as the side reference
                int[] ex = new int[2];
                int[] ey = new int[2];
                int k = 0;
                if (a != b) {
                    ex[k] = tx;
                    ey[k++] = ty;
                }
                if (b != c) {
                    ex[k] = rx;
                    ey[k++] = ry;
                }
                if (c != d) {
                    ex[k] = bx;
                    ey[k++] = by;
                }
                if (d != a) {
                    ex[k] = lx;
                    ey[k++] = ly;
                }
                int fx;
                int fy;
                if (a) {
                    fx = ax;
                    fy = ay;
                } else if (b) {
                    fx = cxx;
                    fy = ay;
                } else if (c) {
                    fx = cxx;
                    fy = cyy;
                } else {
                    fx = ax;
                    fy = cyy;
                }
                add(next, starts, stride, ex[0], ey[0], ex[1], ey[1], fx, fy);
            }
        }
        List<List<Point>> contours = new ArrayList<>();
        for (int start : starts) {
            if (!next.containsKey(start)) {
                continue; // already chained into an earlier contour
            }
            List<Point> poly = new ArrayList<>();
            int key = start;
            do {
                poly.add(new Point((key % stride - 2) / 2.0, (key / stride - 2) / 2.0));
                Integer nk = next.remove(key);
                if (nk == null) {
                    throw new IllegalStateException("marching squares produced an open contour at key " + key);
                }
                key = nk;
            } while (key != start);
            contours.add(List.copyOf(poly));
        }
        return List.copyOf(contours);
    }

    /**
     * Adds the segment between p and q, oriented so that the foreground corner f lies to its left (y-up reading):
     * the cross product (q − p) × (f − p) is positive.
     */
    private static void add(Map<Integer, Integer> next, List<Integer> starts, int stride,
            int px, int py, int qx, int qy, int fx, int fy) {
        long cross = (long) (qx - px) * (fy - py) - (long) (qy - py) * (fx - px);
        int p = (py + 2) * stride + (px + 2);
        int q = (qy + 2) * stride + (qx + 2);
        if (cross < 0) {
            int t = p;
            p = q;
            q = t;
        }
        if (next.put(p, q) != null) {
            throw new IllegalStateException("marching squares: two segments leave vertex key " + p);
        }
        starts.add(p);
    }

    private static boolean fg(Mask mask, int classIndex, int y, int x) {
        return y >= 0 && x >= 0 && y < mask.height() && x < mask.width() && mask.get(y, x) == classIndex;
    }

    /**
     * Shoelace signed area of a closed polyline in square pixels: positive for outer boundaries and negative for
     * holes, with the orientation {@link #marchingSquares} produces.
     */
    public static double signedArea(List<Point> polygon) {
        double s = 0;
        int n = polygon.size();
        for (int i = 0; i < n; i++) {
            Point p = polygon.get(i);
            Point q = polygon.get((i + 1) % n);
            s += p.x() * q.y() - q.x() * p.y();
        }
        return s / 2;
    }

    /**
     * Row-major indices ({@code y * width + x}, ascending) of the foreground pixels of {@code classIndex} that have a
     * 4-neighbour outside the class or lie on the image edge (the inner boundary, as a binary erosion with a
     * cross-shaped element and background beyond the image would leave it).
     */
    public static int[] boundaryPixels(Mask mask, int classIndex) {
        int h = mask.height();
        int w = mask.width();
        int[] out = new int[h * w];
        int n = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (mask.get(y, x) != classIndex) {
                    continue;
                }
                if (!fg(mask, classIndex, y - 1, x) || !fg(mask, classIndex, y + 1, x)
                        || !fg(mask, classIndex, y, x - 1) || !fg(mask, classIndex, y, x + 1)) {
                    out[n++] = y * w + x;
                }
            }
        }
        return Arrays.copyOf(out, n);
    }
}

package io.medseg.metrics;

import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Overlap, area, surface-distance and contour metrics of one class between a reference (expert) and a predicted mask.
 *
 * <p><b>Units.</b> Distances are in mm and areas in mm², using {@link PixelSpacing} per axis (anisotropic spacing is
 * respected everywhere). A {@code null} spacing means 1 mm per pixel on both axes, so values are then in pixels.
 *
 * <p><b>Overlap</b> (from the pixel counts TP, FP, FN, TN): Dice {@code 2TP/(2TP+FP+FN)}, IoU {@code TP/(TP+FP+FN)},
 * precision {@code TP/(TP+FP)}, recall {@code TP/(TP+FN)}, specificity {@code TN/(TN+FP)}. <em>Rule: a ratio whose
 * denominator is 0 is 1</em> (nothing to get wrong). Hence both masks empty give 1 everywhere; an empty prediction of
 * a non-empty reference gives Dice = IoU = recall = 0 and precision 1; a non-empty prediction of an empty reference
 * gives Dice = IoU = precision = 0 and recall 1.
 *
 * <p><b>Areas</b>: pixel count × pixel area. {@code areaDiffMm2 = predicted − reference};
 * {@code areaDiffPct = 100·(predicted − reference)/reference}, and when the reference is empty, 0 if the prediction is
 * empty too, else +100.
 *
 * <p><b>Surface distances</b> are between the two masks' boundary pixel sets ({@link Contours#boundaryPixels}), pixel
 * centre to pixel centre, computed with an exact Euclidean distance transform (Felzenszwalb–Huttenlocher squared
 * distance passes with per-axis spacing). With {@code d_A} the distances from each boundary point of A to the nearest
 * boundary point of B, and {@code d_B} the converse:
 * <ul>
 *   <li>Hausdorff = {@code max(max d_A, max d_B)};</li>
 *   <li>HD95 = {@code max(P95(d_A), P95(d_B))}, the maximum of the two directed 95th percentiles as in MedPy's
 *       {@code hd95}, where {@code P95} is the linearly interpolated percentile (NumPy's default: sorted values
 *       {@code v[0..n-1]}, rank {@code 0.95·(n−1)}, interpolated between the neighbouring order statistics);</li>
 *   <li>ASSD = {@code (Σ d_A + Σ d_B) / (|A| + |B|)}, the mean of all distances of both directions pooled (MedPy's
 *       {@code assd} instead averages the two directed means; the two agree when the boundaries have equal size).</li>
 * </ul>
 *
 * <p><b>APD</b> is the Sunnybrook cardiac challenge's average perpendicular distance, auto → manual: for each vertex of
 * the predicted contours ({@link Contours#marchingSquares}), the distance in mm to the closest point of the expert
 * contours' segments (point-to-segment), averaged over the predicted vertices. {@code goodContour} is
 * {@code APD < 5 mm}, the challenge's threshold.
 *
 * <p><b>Empty masks</b> (no NaN is ever returned): both empty → all distances 0 and a good contour; exactly one
 * empty → Hausdorff, HD95, ASSD and APD all equal the image diagonal {@code sqrt((height·rowMm)² + (width·colMm)²)}
 * (larger than any distance inside the image, so the worst possible), and not a good contour.
 */
public final class SegmentationMetrics {
    /** The Sunnybrook challenge's threshold for a "good" contour, in mm. */
    public static final double GOOD_CONTOUR_APD_MM = 5.0;

    private SegmentationMetrics() {
    }

    /** All metrics of {@code classIndex}; {@code spacing} may be null (1 mm per pixel). */
    public static ImageMetrics compute(String id, String patient, Mask reference, Mask prediction, int classIndex,
            PixelSpacing spacing) {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(prediction, "prediction");
        if (reference.height() != prediction.height() || reference.width() != prediction.width()) {
            throw new IllegalArgumentException("mask sizes differ: reference " + reference.height() + "x"
                    + reference.width() + ", prediction " + prediction.height() + "x" + prediction.width());
        }
        double rowMm = spacing == null ? 1.0 : spacing.rowMm();
        double colMm = spacing == null ? 1.0 : spacing.colMm();
        int h = reference.height();
        int w = reference.width();
        long tp = 0;
        long fp = 0;
        long fn = 0;
        long tn = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean r = reference.get(y, x) == classIndex;
                boolean p = prediction.get(y, x) == classIndex;
                if (r && p) {
                    tp++;
                } else if (p) {
                    fp++;
                } else if (r) {
                    fn++;
                } else {
                    tn++;
                }
            }
        }
        double pixelArea = rowMm * colMm;
        long refCount = tp + fn;
        long predCount = tp + fp;
        double areaRef = refCount * pixelArea;
        double areaPred = predCount * pixelArea;
        double areaDiffPct = refCount == 0 ? (predCount == 0 ? 0.0 : 100.0)
                : 100.0 * (predCount - refCount) / refCount;

        double hd;
        double hd95;
        double assd;
        double apd;
        if (refCount == 0 && predCount == 0) {
            hd = hd95 = assd = apd = 0.0;
        } else if (refCount == 0 || predCount == 0) {
            hd = hd95 = assd = apd = Math.hypot(h * rowMm, w * colMm);
        } else {
            double[] dRef = directedDistances(reference, prediction, classIndex, rowMm, colMm);
            double[] dPred = directedDistances(prediction, reference, classIndex, rowMm, colMm);
            hd = Math.max(max(dRef), max(dPred));
            hd95 = Math.max(percentile(dRef, 95), percentile(dPred, 95));
            assd = (sum(dRef) + sum(dPred)) / (dRef.length + dPred.length);
            apd = averagePerpendicularDistance(Contours.marchingSquares(prediction, classIndex),
                    Contours.marchingSquares(reference, classIndex), rowMm, colMm);
        }
        return new ImageMetrics(id, patient,
                ratio(2 * tp, 2 * tp + fp + fn), ratio(tp, tp + fp + fn), ratio(tp, tp + fp), ratio(tp, tp + fn),
                ratio(tn, tn + fp), areaRef, areaPred, areaPred - areaRef, areaDiffPct,
                hd, hd95, assd, apd, apd < GOOD_CONTOUR_APD_MM);
    }

    private static double ratio(long num, long den) {
        return den == 0 ? 1.0 : (double) num / den;
    }

    /**
     * Distances in mm from each boundary pixel of {@code from} (in {@link Contours#boundaryPixels} order) to the
     * nearest boundary pixel of {@code to}; both must contain the class.
     */
    static double[] directedDistances(Mask from, Mask to, int classIndex, double rowMm, double colMm) {
        int[] src = Contours.boundaryPixels(from, classIndex);
        int[] dst = Contours.boundaryPixels(to, classIndex);
        double[] sq = squaredDistanceTransform(to.height(), to.width(), dst, rowMm, colMm);
        double[] d = new double[src.length];
        for (int i = 0; i < src.length; i++) {
            d[i] = Math.sqrt(sq[src[i]]);
        }
        return d;
    }

    /**
     * Exact squared Euclidean distance (mm²) from every pixel to the nearest of {@code sites} (row-major indices,
     * at least one): a 1-D lower-envelope-of-parabolas pass down each column, then along each row.
     */
    static double[] squaredDistanceTransform(int h, int w, int[] sites, double rowMm, double colMm) {
        double inf = Double.POSITIVE_INFINITY;
        double[] g = new double[h * w];
        Arrays.fill(g, inf);
        for (int s : sites) {
            g[s] = 0.0;
        }
        int n = Math.max(h, w);
        double[] f = new double[n];
        double[] out = new double[n];
        int[] v = new int[n];
        double[] z = new double[n + 1];
        for (int x = 0; x < w; x++) {
            for (int y = 0; y < h; y++) {
                f[y] = g[y * w + x];
            }
            transform1d(f, h, rowMm * rowMm, out, v, z);
            for (int y = 0; y < h; y++) {
                g[y * w + x] = out[y];
            }
        }
        for (int y = 0; y < h; y++) {
            System.arraycopy(g, y * w, f, 0, w);
            transform1d(f, w, colMm * colMm, out, v, z);
            System.arraycopy(out, 0, g, y * w, w);
        }
        return g;
    }

    /**
     * out[p] = min_q f[q] + s2·(p − q)² over the finite f[q] (Felzenszwalb & Huttenlocher 2012); all-infinite lines
     * stay infinite.
     */
    private static void transform1d(double[] f, int n, double s2, double[] out, int[] v, double[] z) {
        int k = -1;
        for (int q = 0; q < n; q++) {
            if (f[q] == Double.POSITIVE_INFINITY) {
                continue;
            }
            if (k < 0) {
                k = 0;
                v[0] = q;
                z[0] = Double.NEGATIVE_INFINITY;
                z[1] = Double.POSITIVE_INFINITY;
                continue;
            }
            double s;
            while (true) {
                int r = v[k];
                s = ((f[q] + s2 * q * q) - (f[r] + s2 * r * r)) / (2 * s2 * (q - r));
                if (s > z[k]) {
                    break; // z[0] = -inf ends the loop at k = 0 at the latest
                }
                k--;
            }
            k++;
            v[k] = q;
            z[k] = s;
            z[k + 1] = Double.POSITIVE_INFINITY;
        }
        if (k < 0) {
            Arrays.fill(out, 0, n, Double.POSITIVE_INFINITY);
            return;
        }
        int j = 0;
        for (int p = 0; p < n; p++) {
            while (z[j + 1] < p) {
                j++;
            }
            double dq = p - v[j];
            out[p] = f[v[j]] + s2 * dq * dq;
        }
    }

    /** Linearly interpolated percentile (NumPy's default) of a non-empty array; {@code q} in 0..100. */
    static double percentile(double[] values, double q) {
        double[] s = values.clone();
        Arrays.sort(s);
        double rank = q / 100.0 * (s.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (rank - lo) * (s[hi] - s[lo]);
    }

    /**
     * Sunnybrook APD (auto → manual): mean over the vertices of {@code predicted} of the distance in mm to the nearest
     * point on the segments of {@code expert}. Both lists must hold at least one contour.
     */
    static double averagePerpendicularDistance(List<List<Contours.Point>> predicted,
            List<List<Contours.Point>> expert, double rowMm, double colMm) {
        double total = 0;
        long count = 0;
        for (List<Contours.Point> poly : predicted) {
            for (Contours.Point p : poly) {
                double px = p.x() * colMm;
                double py = p.y() * rowMm;
                double best = Double.POSITIVE_INFINITY;
                for (List<Contours.Point> e : expert) {
                    int n = e.size();
                    for (int i = 0; i < n; i++) {
                        Contours.Point a = e.get(i);
                        Contours.Point b = e.get((i + 1) % n);
                        best = Math.min(best, pointToSegmentSq(px, py, a.x() * colMm, a.y() * rowMm,
                                b.x() * colMm, b.y() * rowMm));
                    }
                }
                total += Math.sqrt(best);
                count++;
            }
        }
        return total / count;
    }

    private static double pointToSegmentSq(double px, double py, double ax, double ay, double bx, double by) {
        double dx = bx - ax;
        double dy = by - ay;
        double len2 = dx * dx + dy * dy;
        double t = len2 == 0 ? 0 : ((px - ax) * dx + (py - ay) * dy) / len2;
        t = Math.max(0, Math.min(1, t));
        double ex = ax + t * dx - px;
        double ey = ay + t * dy - py;
        return ex * ex + ey * ey;
    }

    private static double max(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

    private static double sum(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return s;
    }
}

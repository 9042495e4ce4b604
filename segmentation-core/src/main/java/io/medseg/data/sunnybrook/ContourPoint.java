package io.medseg.data.sunnybrook;

/**
 * One contour vertex in pixel coordinates: {@code x} along columns, {@code y} along rows; the pixel in row
 * {@code r}, column {@code c} has its centre at {@code (x, y) = (c, r)}.
 */
public record ContourPoint(double x, double y) {
    public ContourPoint {
        if (!Double.isFinite(x) || !Double.isFinite(y)) {
            throw new IllegalArgumentException("contour point must be finite: (" + x + ", " + y + ")");
        }
    }
}

package io.medseg.data;

/**
 * Physical size of one pixel in millimetres: {@code rowMm} is the distance between rows (the height of a pixel),
 * {@code colMm} the distance between columns, as in DICOM Pixel Spacing (0028,0030).
 */
public record PixelSpacing(double rowMm, double colMm) {
    public PixelSpacing {
        if (!(rowMm > 0) || !(colMm > 0) || !Double.isFinite(rowMm) || !Double.isFinite(colMm)) {
            throw new IllegalArgumentException("pixel spacing must be positive and finite: " + rowMm + " x " + colMm);
        }
    }

    /** Area of one pixel in square millimetres. */
    public double pixelAreaMm2() {
        return rowMm * colMm;
    }
}

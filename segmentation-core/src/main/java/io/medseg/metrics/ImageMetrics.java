package io.medseg.metrics;

import java.util.Objects;

/**
 * Every per-image metric of one class, as computed by {@link SegmentationMetrics#compute}. Areas are in mm², distances
 * in mm; {@code areaDiffMm2} and {@code areaDiffPct} are signed (prediction − reference). No field is ever NaN; see
 * {@link SegmentationMetrics} for the definitions and the empty-mask rules.
 */
public record ImageMetrics(String id, String patient, double dice, double iou, double precision, double recall,
        double specificity, double areaReferenceMm2, double areaPredictedMm2, double areaDiffMm2, double areaDiffPct,
        double hausdorffMm, double hd95Mm, double assdMm, double apdMm, boolean goodContour) {
    public ImageMetrics {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(patient, "patient");
    }
}

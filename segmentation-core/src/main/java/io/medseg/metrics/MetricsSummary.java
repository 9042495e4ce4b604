package io.medseg.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-image {@link ImageMetrics} with their mean and sample standard deviation per patient (patients sorted by id)
 * and overall. The standard deviation uses {@code n − 1}; one value gives 0, and an empty group gives mean 0 and
 * sd 0, so no value is ever NaN.
 */
public final class MetricsSummary {
    /**
     * Metric names in table order, as accepted by {@link #value}. {@code goodContour} is 1 for a good contour and 0
     * otherwise, so its mean is the fraction of good contours.
     */
    public static final List<String> NAMES = List.of("dice", "iou", "precision", "recall", "specificity",
            "areaReferenceMm2", "areaPredictedMm2", "areaDiffMm2", "areaDiffPct", "hausdorffMm", "hd95Mm", "assdMm",
            "apdMm", "goodContour");

    /** Mean, sample standard deviation and count of one metric over a group of images. */
    public record Stat(double mean, double sd, int n) {
    }

    private final List<ImageMetrics> images;
    private final Map<String, Map<String, Stat>> perPatient;
    private final Map<String, Stat> overall;

    private MetricsSummary(List<ImageMetrics> images) {
        this.images = List.copyOf(images);
        Map<String, List<ImageMetrics>> groups = new TreeMap<>();
        for (ImageMetrics m : this.images) {
            groups.computeIfAbsent(m.patient(), p -> new ArrayList<>()).add(m);
        }
        Map<String, Map<String, Stat>> pp = new LinkedHashMap<>();
        groups.forEach((patient, list) -> pp.put(patient, stats(list)));
        this.perPatient = Collections.unmodifiableMap(pp);
        this.overall = stats(this.images);
    }

    public static MetricsSummary of(List<ImageMetrics> images) {
        return new MetricsSummary(images);
    }

    /** The value of metric {@code name} (one of {@link #NAMES}) of one image. */
    public static double value(ImageMetrics m, String name) {
        return switch (name) {
            case "dice" -> m.dice();
            case "iou" -> m.iou();
            case "precision" -> m.precision();
            case "recall" -> m.recall();
            case "specificity" -> m.specificity();
            case "areaReferenceMm2" -> m.areaReferenceMm2();
            case "areaPredictedMm2" -> m.areaPredictedMm2();
            case "areaDiffMm2" -> m.areaDiffMm2();
            case "areaDiffPct" -> m.areaDiffPct();
            case "hausdorffMm" -> m.hausdorffMm();
            case "hd95Mm" -> m.hd95Mm();
            case "assdMm" -> m.assdMm();
            case "apdMm" -> m.apdMm();
            case "goodContour" -> m.goodContour() ? 1.0 : 0.0;
            default -> throw new IllegalArgumentException("unknown metric name: " + name + " (expected one of "
                    + NAMES + ")");
        };
    }

    /** The per-image metrics, in input order. */
    public List<ImageMetrics> images() {
        return images;
    }

    /** Patient id → (metric name → stat), patients sorted, metrics in {@link #NAMES} order. */
    public Map<String, Map<String, Stat>> perPatient() {
        return perPatient;
    }

    /** Metric name → stat over all images, in {@link #NAMES} order. */
    public Map<String, Stat> overall() {
        return overall;
    }

    /** Overall stat of one metric. */
    public Stat overall(String name) {
        Stat s = overall.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown metric name: " + name + " (expected one of " + NAMES + ")");
        }
        return s;
    }

    /** Percentage (0..100) of images with a good contour (APD below 5 mm); 0 when there are no images. */
    public double goodContoursPct() {
        return 100.0 * overall.get("goodContour").mean();
    }

    private static Map<String, Stat> stats(List<ImageMetrics> list) {
        Map<String, Stat> out = new LinkedHashMap<>();
        for (String name : NAMES) {
            int n = list.size();
            double sum = 0;
            for (ImageMetrics m : list) {
                sum += value(m, name);
            }
            double mean = n == 0 ? 0.0 : sum / n;
            double ss = 0;
            for (ImageMetrics m : list) {
                double d = value(m, name) - mean;
                ss += d * d;
            }
            double sd = n < 2 ? 0.0 : Math.sqrt(ss / (n - 1));
            out.put(name, new Stat(mean, sd, n));
        }
        return Collections.unmodifiableMap(out);
    }
}

package io.medseg.examples.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code segment inspect} reports about a dataset: counts, patients, shapes, label and intensity statistics and
 * pixel spacing. Computed in one pass over the samples; label fractions per class are pooled over all pixels, the
 * foreground fraction is the mean over images of each image's share of non-zero labels.
 */
@SuppressWarnings("ArrayRecordComponent") // a one-off summary for printing, never compared
record DatasetSummary(String format, int images, List<String> patients, Map<String, Integer> shapes,
        double meanForegroundFraction, double[] classFractions, double intensityMin, double intensityMax,
        double intensityMean, Map<String, Integer> spacings, int withoutSpacing) {

    static DatasetSummary of(String format, SegmentationDataset ds) {
        Map<String, Integer> shapes = new TreeMap<>();
        Map<String, Integer> spacings = new TreeMap<>();
        int noSpacing = 0;
        long[] classCounts = new long[2];
        long pixels = 0;
        double fgSum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        long values = 0;
        for (Sample s : ds.samples()) {
            Image im = s.image();
            shapes.merge(im.height() + "x" + im.width() + "x" + im.channels(), 1, Integer::sum);
            if (im.spacing().isPresent()) {
                PixelSpacing p = im.spacing().get();
                spacings.merge(String.format(Locale.ROOT, "%.4gx%.4g mm", p.rowMm(), p.colMm()), 1, Integer::sum);
            } else {
                noSpacing++;
            }
            for (float v : im.toArray()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
            }
            values += im.size();

            Mask m = s.mask();
            int maxLabel = m.maxLabel();
            if (maxLabel >= classCounts.length) {
                classCounts = Arrays.copyOf(classCounts, maxLabel + 1);
            }
            int n = m.height() * m.width();
            for (int c = 0; c <= maxLabel; c++) {
                classCounts[c] += m.count(c);
            }
            fgSum += n == 0 ? 0 : (double) (n - m.count(0)) / n;
            pixels += n;
        }
        double[] fractions = new double[classCounts.length];
        for (int c = 0; c < fractions.length; c++) {
            fractions[c] = pixels == 0 ? 0 : (double) classCounts[c] / pixels;
        }
        int count = ds.size();
        return new DatasetSummary(format, count, ds.patients(), shapes, count == 0 ? 0 : fgSum / count, fractions,
                values == 0 ? 0 : min, values == 0 ? 0 : max, values == 0 ? 0 : sum / values, spacings, noSpacing);
    }

    String toText() {
        StringBuilder b = new StringBuilder();
        b.append("format:         ").append(format).append('\n');
        b.append("images:         ").append(images).append('\n');
        b.append("patients:       ").append(patients.size()).append(' ').append(patients).append('\n');
        b.append("image shapes:   ").append(counts(shapes)).append('\n');
        b.append(String.format(Locale.ROOT, "label fraction: foreground %.4f (mean per image); per class", 
                meanForegroundFraction));
        for (int c = 0; c < classFractions.length; c++) {
            b.append(String.format(Locale.ROOT, " %d: %.4f", c, classFractions[c]));
        }
        b.append('\n');
        b.append(String.format(Locale.ROOT, "intensity:      min %s, max %s, mean %.4f%n", number(intensityMin),
                number(intensityMax), intensityMean));
        b.append("pixel spacing:  ").append(spacingText());
        return b.toString();
    }

    /** The {@code --json} output. */
    record Json(String format, int images, int patients, @JsonProperty("patient_ids") List<String> patientIds,
            Map<String, Integer> shapes, @JsonProperty("label_fraction") LabelFraction labelFraction,
            Intensity intensity, @JsonProperty("pixel_spacing") Map<String, Integer> pixelSpacing) {
    }

    record LabelFraction(@JsonProperty("foreground_mean") double foregroundMean,
            @JsonProperty("per_class") List<Double> perClass) {
    }

    record Intensity(double min, double max, double mean) {
    }

    Json toJson() {
        Map<String, Integer> spacing = new LinkedHashMap<>(spacings);
        if (withoutSpacing > 0) {
            spacing.put("unknown", withoutSpacing);
        }
        return new Json(format, images, patients.size(), patients, new LinkedHashMap<>(shapes),
                new LabelFraction(meanForegroundFraction, Arrays.stream(classFractions).boxed().toList()),
                new Intensity(intensityMin, intensityMax, intensityMean), spacing);
    }

    private String spacingText() {
        if (spacings.isEmpty()) {
            return "unknown";
        }
        String known = counts(spacings);
        return withoutSpacing == 0 ? known : known + ", unknown (" + withoutSpacing + ")";
    }

    private static String counts(Map<String, Integer> m) {
        List<String> parts = new ArrayList<>();
        m.forEach((k, v) -> parts.add(k + " (" + v + ")"));
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
                : String.format(Locale.ROOT, "%.4f", v);
    }
}

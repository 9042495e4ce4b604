package io.medseg.mlops.drift;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.OptBoolean;
import io.medseg.data.DataFormatException;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import io.medseg.data.ReadLimits;
import io.medseg.io.AtomicFile;
import io.medseg.io.Json;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * What a set of images (and, optionally, the model's predicted masks for them) looks like, for drift detection:
 * the per-image values of every {@link DriftFeature} (kept one per image, so two-sample tests are possible) and
 * the pooled {@link IntensityHistogram} of relative intensities.
 *
 * <pre>{@code
 * DataProfile reference = DataProfile.of(trainingImages, predictedMasks);       // at training time
 * reference.write(modelDir.resolve("data-profile.json"));
 * ...
 * DataProfile incoming = DataProfile.against(DataProfile.read(file), newImages, newMasks);
 * DriftReport report = DriftDetector.defaults().compare(reference, incoming);
 * }</pre>
 *
 * <p>Images must be single-channel, at least 3x3, with finite pixels and a positive 99th percentile. Masks, when
 * given, are one per image and of the same size; their foreground is every label above 0. An image without a
 * pixel spacing has no spacing values (NaN here, {@code null} in JSON); the LV area is in mm² only when every
 * image has a spacing, else in pixels ({@link #areaUnit()}).
 *
 * <p>JSON ({@link #toJson()}): {@code "format": "medseg-data-profile"}, {@code "version": 1}, {@code "images"},
 * {@code "lv_area_unit"} (only with masks), {@code "features"} (an array per feature key) and
 * {@code "intensity_histogram"} ({@code "edges"}, {@code "counts"}). Reading checks all of it and names what is
 * wrong.
 */
public final class DataProfile {
    /** The {@code "format"} value of a profile file. */
    public static final String FORMAT = "medseg-data-profile";
    /** The profile version this code writes and reads. */
    public static final int VERSION = 1;
    /** Default number of quantile bins of the intensity histogram. */
    public static final int DEFAULT_BINS = 10;
    /** Area unit when every image has a pixel spacing. */
    public static final String UNIT_MM2 = "mm2";
    /** Area unit otherwise. */
    public static final String UNIT_PIXELS = "px";

    private static final String HISTOGRAM_SPACE =
            "pixel / image 99th percentile, over pixels above 0.1 of it; bin i holds edges[i-1] < v <= edges[i]";

    private final int images;
    private final EnumMap<DriftFeature, double[]> values;
    private final String areaUnit;
    private final IntensityHistogram histogram;

    private DataProfile(int images, EnumMap<DriftFeature, double[]> values, String areaUnit,
            IntensityHistogram histogram) {
        this.images = images;
        this.values = values;
        this.areaUnit = areaUnit;
        this.histogram = histogram;
    }

    /** Profile of {@code images} without masks, histogram in {@link #DEFAULT_BINS} quantile bins. */
    public static DataProfile of(List<Image> images) {
        return of(images, null, DEFAULT_BINS);
    }

    /** Profile of {@code images} and their predicted {@code masks} (null: none), {@link #DEFAULT_BINS} bins. */
    public static DataProfile of(List<Image> images, List<Mask> masks) {
        return of(images, masks, DEFAULT_BINS);
    }

    /** Profile with the histogram edges at the {@code bins}-quantiles (2..100) of these images. */
    public static DataProfile of(List<Image> images, List<Mask> masks, int bins) {
        if (bins < 2 || bins > 100) {
            throw new IllegalArgumentException("histogram bins must be in 2..100: " + bins);
        }
        Computed c = compute(images, masks);
        IntensityHistogram h = IntensityHistogram.withQuantileEdges(images, c.scales, bins);
        return new DataProfile(images.size(), c.values, c.areaUnit, h);
    }

    /**
     * Profile of incoming {@code images} (and {@code masks}, null: none) with the histogram counted in the
     * {@code reference}'s bins, ready for {@link DriftDetector#compare(DataProfile, DataProfile)}.
     */
    public static DataProfile against(DataProfile reference, List<Image> images, List<Mask> masks) {
        Objects.requireNonNull(reference, "reference");
        Computed c = compute(images, masks);
        IntensityHistogram h = IntensityHistogram.counted(images, c.scales, reference.histogram.edges());
        return new DataProfile(images.size(), c.values, c.areaUnit, h);
    }

    /** A profile assembled from per-image values already computed ({@link DriftWindow}). */
    static DataProfile ofParts(int images, EnumMap<DriftFeature, double[]> values, String areaUnit,
            IntensityHistogram histogram) {
        return new DataProfile(images, values, areaUnit, histogram);
    }

    @SuppressWarnings("ArrayRecordComponent") // an intermediate result, never compared
    private record Computed(EnumMap<DriftFeature, double[]> values, double[] scales, String areaUnit) {
    }

    private static Computed compute(List<Image> images, List<Mask> masks) {
        if (images == null || images.isEmpty()) {
            throw new IllegalArgumentException("a data profile needs at least one image");
        }
        int n = images.size();
        if (masks != null && masks.size() != n) {
            throw new IllegalArgumentException("masks must be one per image: " + masks.size() + " masks for " + n
                    + " images");
        }
        EnumMap<DriftFeature, double[]> values = new EnumMap<>(DriftFeature.class);
        for (DriftFeature f : DriftFeature.values()) {
            if (f != DriftFeature.LV_AREA || masks != null) {
                values.put(f, new double[n]);
            }
        }
        double[] scales = new double[n];
        boolean allSpaced = true;
        for (int i = 0; i < n; i++) {
            Image image = images.get(i);
            ImageStatistics.Values v = ImageStatistics.of(image, i);
            scales[i] = v.scale();
            values.get(DriftFeature.INTENSITY_SCALE)[i] = v.scale();
            values.get(DriftFeature.RELATIVE_MEAN)[i] = v.relativeMean();
            values.get(DriftFeature.RELATIVE_SPREAD)[i] = v.relativeSpread();
            values.get(DriftFeature.NOISE_LEVEL)[i] = v.noiseLevel();
            values.get(DriftFeature.HEIGHT)[i] = image.height();
            values.get(DriftFeature.WIDTH)[i] = image.width();
            Optional<PixelSpacing> spacing = image.spacing();
            values.get(DriftFeature.SPACING_ROW)[i] = spacing.map(PixelSpacing::rowMm).orElse(Double.NaN);
            values.get(DriftFeature.SPACING_COL)[i] = spacing.map(PixelSpacing::colMm).orElse(Double.NaN);
            allSpaced &= spacing.isPresent();
        }
        String unit = null;
        if (masks != null) {
            unit = allSpaced ? UNIT_MM2 : UNIT_PIXELS;
            double[] area = values.get(DriftFeature.LV_AREA);
            for (int i = 0; i < n; i++) {
                Mask m = masks.get(i);
                Image image = images.get(i);
                if (m == null) {
                    throw new IllegalArgumentException("mask " + i + " is null");
                }
                if (m.height() != image.height() || m.width() != image.width()) {
                    throw new IllegalArgumentException("mask " + i + " is " + m.height() + "x" + m.width()
                            + " but its image is " + image.height() + "x" + image.width());
                }
                long foreground = (long) m.height() * m.width() - m.count(0);
                area[i] = allSpaced ? foreground * image.spacing().orElseThrow().pixelAreaMm2() : foreground;
            }
        }
        return new Computed(values, scales, unit);
    }

    /** Number of images profiled. */
    public int imageCount() {
        return images;
    }

    /** Whether the profile has values of {@code feature} ({@link DriftFeature#LV_AREA} needs masks). */
    public boolean has(DriftFeature feature) {
        return values.containsKey(feature);
    }

    /** The per-image values of {@code feature} (a copy; NaN where an image has no pixel spacing). */
    public double[] values(DriftFeature feature) {
        double[] v = values.get(feature);
        if (v == null) {
            throw new IllegalArgumentException("profile has no " + feature.key() + " values (computed without masks)");
        }
        return v.clone();
    }

    /** Whether the profile was computed with masks. */
    public boolean hasMasks() {
        return areaUnit != null;
    }

    /** Unit of the LV areas, {@link #UNIT_MM2} or {@link #UNIT_PIXELS}; empty without masks. */
    public Optional<String> areaUnit() {
        return Optional.ofNullable(areaUnit);
    }

    /** The pooled relative-intensity histogram. */
    public IntensityHistogram histogram() {
        return histogram;
    }

    // ---- JSON ----

    /** The file's form: features by key, NaN (an image without pixel spacing) written as {@code null}. */
    @JsonPropertyOrder({"format", "version", "images", "lv_area_unit", "features", "intensity_histogram"})
    record ProfileJson(String format, int version, int images,
            @JsonProperty("lv_area_unit") Optional<String> lvAreaUnit,
            Map<String, List<Double>> features,
            @JsonProperty("intensity_histogram") HistogramJson intensityHistogram) {
    }

    record HistogramJson(@JsonProperty(isRequired = OptBoolean.FALSE) String space, List<Double> edges,
            List<Double> counts) {
    }

    private ProfileJson json() {
        Map<String, List<Double>> features = new LinkedHashMap<>();
        for (Map.Entry<DriftFeature, double[]> e : values.entrySet()) {
            List<Double> list = new ArrayList<>(images);
            for (double v : e.getValue()) {
                list.add(Double.isNaN(v) ? null : v);
            }
            features.put(e.getKey().key(), list);
        }
        List<Double> edges = Arrays.stream(histogram.edges()).boxed().toList();
        List<Double> counts = Arrays.stream(histogram.counts()).mapToDouble(c -> c).boxed().toList();
        return new ProfileJson(FORMAT, VERSION, images, Optional.ofNullable(areaUnit), features,
                new HistogramJson(HISTOGRAM_SPACE, edges, counts));
    }

    /** Pretty-printed JSON of the profile. */
    public String toJson() {
        return Json.write(json());
    }

    /** Reads a profile written by {@link #toJson()}; unknown extra keys are ignored. */
    public static DataProfile fromJson(String text) {
        JsonNode tree = Json.tree(text);
        if (!tree.isObject()) {
            throw new IllegalArgumentException("not a data profile: expected a json object, got "
                    + tree.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        JsonNode format = tree.get("format");
        if (format == null || !format.isString() || !FORMAT.equals(format.asString())) {
            throw new IllegalArgumentException("not a data profile: \"format\" is "
                    + (format == null ? "null" : Json.writeCompact(format)) + ", expected \"" + FORMAT + "\"");
        }
        ProfileJson map;
        try {
            map = Json.mapper().treeToValue(tree, ProfileJson.class);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(Json.describe(e), e);
        }
        int version = map.version();
        if (version != VERSION) {
            throw new IllegalArgumentException("unsupported data profile version " + version + " (this reader knows "
                    + VERSION + ")");
        }
        int images = map.images();
        if (images < 1) {
            throw new IllegalArgumentException("data profile \"images\" must be positive: " + images);
        }
        String unit = map.lvAreaUnit().orElse(null);
        if (unit != null && !unit.equals(UNIT_MM2) && !unit.equals(UNIT_PIXELS)) {
            throw new IllegalArgumentException("\"lv_area_unit\" must be \"" + UNIT_MM2 + "\" or \""
                    + UNIT_PIXELS + "\": " + unit);
        }
        Map<String, List<Double>> features = map.features() == null ? Map.of() : map.features();
        EnumMap<DriftFeature, double[]> values = new EnumMap<>(DriftFeature.class);
        for (DriftFeature f : DriftFeature.values()) {
            if (f == DriftFeature.LV_AREA && unit == null) {
                if (features.containsKey(f.key())) {
                    throw new IllegalArgumentException("feature \"lv_area\" needs \"lv_area_unit\"");
                }
                continue;
            }
            values.put(f, featureValues(features, f, images));
        }
        double[] rows = values.get(DriftFeature.SPACING_ROW);
        double[] cols = values.get(DriftFeature.SPACING_COL);
        for (int i = 0; i < images; i++) {
            if (Double.isNaN(rows[i]) != Double.isNaN(cols[i])) {
                throw new IllegalArgumentException("image " + i + " has only one of spacing_row and spacing_col");
            }
        }
        HistogramJson h = map.intensityHistogram();
        if (h == null) {
            throw new IllegalArgumentException("missing key \"intensity_histogram\"");
        }
        double[] edges = new double[h.edges().size()];
        for (int i = 0; i < edges.length; i++) {
            edges[i] = number(h.edges().get(i), "intensity_histogram.edges[" + i + "]");
        }
        long[] counts = new long[h.counts().size()];
        for (int i = 0; i < counts.length; i++) {
            double c = number(h.counts().get(i), "intensity_histogram.counts[" + i + "]");
            if (c != Math.rint(c) || c < 0) {
                throw new IllegalArgumentException("intensity_histogram.counts[" + i
                        + "] must be a non-negative whole number: " + c);
            }
            counts[i] = (long) c;
        }
        IntensityHistogram histogram;
        try {
            histogram = new IntensityHistogram(edges, counts);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("intensity_histogram: " + e.getMessage(), e);
        }
        return new DataProfile(images, values, unit, histogram);
    }

    private static double[] featureValues(Map<String, List<Double>> features, DriftFeature f, int images) {
        String key = f.key();
        List<Double> list = features.get(key);
        if (list == null) {
            throw new IllegalArgumentException("data profile has no values for feature \"" + key + "\"");
        }
        if (list.size() != images) {
            throw new IllegalArgumentException("feature \"" + key + "\" has " + list.size() + " values for "
                    + images + " images");
        }
        boolean spacing = f == DriftFeature.SPACING_ROW || f == DriftFeature.SPACING_COL;
        double[] out = new double[images];
        for (int i = 0; i < images; i++) {
            Double v = list.get(i);
            String where = key + "[" + i + "]";
            if (v == null && spacing) {
                out[i] = Double.NaN;
                continue;
            }
            double d = number(v, where);
            boolean positive = spacing || f == DriftFeature.INTENSITY_SCALE || f == DriftFeature.HEIGHT
                    || f == DriftFeature.WIDTH;
            if (positive ? !(d > 0) : !(d >= 0)) {
                throw new IllegalArgumentException(where + " must be " + (positive ? "positive" : "non-negative")
                        + ": " + d);
            }
            out[i] = d;
        }
        return out;
    }

    private static double number(Double v, String where) {
        if (v != null && Double.isFinite(v)) {
            return v;
        }
        throw new IllegalArgumentException(where + " must be a number, got " + (v == null ? "null" : v));
    }

    /** Writes {@link #toJson()} to {@code file} atomically. */
    public void write(Path file) throws IOException {
        AtomicFile.writeString(file, toJson());
    }

    /**
     * Reads a profile file; a file that is not UTF-8 JSON, not a data profile or inconsistent is a
     * {@link DataFormatException} naming the file and the problem.
     */
    public static DataProfile read(Path file) throws IOException {
        ReadLimits.defaults().checkFileSize(file, Files.size(file));
        String text;
        try {
            text = Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new DataFormatException(file, "not a data profile: not UTF-8 text", e);
        }
        try {
            return fromJson(text);
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            throw new DataFormatException(file, msg.startsWith("not a data profile") ? msg
                    : "not a valid data profile: " + msg, e);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DataProfile p) || images != p.images || !Objects.equals(areaUnit, p.areaUnit)
                || !histogram.equals(p.histogram) || !values.keySet().equals(p.values.keySet())) {
            return false;
        }
        for (Map.Entry<DriftFeature, double[]> e : values.entrySet()) {
            if (!Arrays.equals(e.getValue(), p.values.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(images, areaUnit, histogram);
        for (double[] v : values.values()) {
            h = 31 * h + Arrays.hashCode(v);
        }
        return h;
    }

    @Override
    public String toString() {
        return "DataProfile[" + images + " images" + (areaUnit == null ? "" : ", lv area in " + areaUnit) + ", "
                + histogram + "]";
    }
}

package io.medseg.mlops.drift;

/**
 * The per-image scalar features of a {@link DataProfile}, with the JSON key, a label for explanations and the
 * default tolerance by which the incoming values may lie beyond the reference range before they count as drifted
 * (see {@link DriftDetector}).
 *
 * <p>Intensity features other than {@link #INTENSITY_SCALE} are relative to the image's own 99th percentile, so a
 * global rescaling of the pixel values does not move them. They are computed over the signal region: the pixels
 * brighter than 10% of that percentile. Air and the zero-filled corners outside a circular reconstruction field
 * are left out, because how much of the field they fill depends on body size and field of view, not on the
 * intensity calibration the features watch.
 */
public enum DriftFeature {
    /**
     * The 99th percentile of the raw pixel values: the absolute intensity scale. Raw MRI units differ between
     * patients of one protocol (receiver gain, coil loading), so the default tolerance is wider: 25%.
     */
    INTENSITY_SCALE("intensity_scale", "intensity scale (99th percentile)", "", 0.25),
    /** Mean of the signal-region pixels over the 99th percentile. */
    RELATIVE_MEAN("relative_mean", "relative mean intensity", "", 0.10),
    /** Standard deviation (population) of the signal-region pixels over the 99th percentile. */
    RELATIVE_SPREAD("relative_spread", "relative intensity spread", "", 0.10),
    /**
     * Immerkær's Laplacian noise estimate over the 99th percentile. The estimate averages over pixels whose 3x3
     * neighbourhood is not constant, so zero-filled padding does not dilute it.
     */
    NOISE_LEVEL("noise_level", "relative noise level", "", 0.10),
    /** Image height in pixels. */
    HEIGHT("height", "image height", " px", 0.10),
    /** Image width in pixels. */
    WIDTH("width", "image width", " px", 0.10),
    /** Distance between rows in millimetres; absent for images without a pixel spacing. */
    SPACING_ROW("spacing_row", "pixel spacing (rows)", " mm", 0.10),
    /** Distance between columns in millimetres; absent for images without a pixel spacing. */
    SPACING_COL("spacing_col", "pixel spacing (columns)", " mm", 0.10),
    /**
     * Foreground (label &gt; 0) area of the model's predicted mask: in mm² when every image of the profile has a
     * pixel spacing, else in pixels. Present only when the profile was computed with masks.
     */
    LV_AREA("lv_area", "predicted lv area", "", 0.10);

    private final String key;
    private final String label;
    private final String unitSuffix;
    private final double defaultTolerance;

    DriftFeature(String key, String label, String unitSuffix, double defaultTolerance) {
        this.key = key;
        this.label = label;
        this.unitSuffix = unitSuffix;
        this.defaultTolerance = defaultTolerance;
    }

    /** The JSON key and result name, e.g. {@code "noise_level"}. */
    public String key() {
        return key;
    }

    /** A short human label, e.g. {@code "relative noise level"}. */
    public String label() {
        return label;
    }

    /** Unit appended to values in explanations (with a leading space), or empty. */
    String unitSuffix() {
        return unitSuffix;
    }

    /** The relative tolerance used unless the detector's builder sets another. */
    public double defaultTolerance() {
        return defaultTolerance;
    }

    /** The feature with JSON key {@code key}. */
    public static DriftFeature ofKey(String key) {
        for (DriftFeature f : values()) {
            if (f.key.equals(key)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown drift feature: " + key);
    }
}

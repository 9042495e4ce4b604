package io.medseg.mlops.drift;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.medseg.io.Json;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of {@link DriftDetector#compare}: one {@link FeatureDrift} per compared feature, notes on features
 * that could not be compared, and the overall verdict: {@link Verdict#DRIFTED} when any feature drifted, else
 * {@link Verdict#MODERATE} when any is moderate, else {@link Verdict#STABLE}.
 */
@JsonPropertyOrder({"format", "version", "verdict", "drifted", "reference_images", "incoming_images", "thresholds",
        "features", "notes"})
@JsonAutoDetect(getterVisibility = JsonAutoDetect.Visibility.NONE, fieldVisibility = JsonAutoDetect.Visibility.NONE)
public final class DriftReport {
    /** The {@code "format"} value of the JSON form ({@link #toJson()}). */
    public static final String FORMAT = "medseg-drift-report";

    private final int referenceImages;
    private final int incomingImages;
    private final List<FeatureDrift> features;
    private final List<String> notes;
    private final Map<String, Object> thresholds;

    DriftReport(int referenceImages, int incomingImages, List<FeatureDrift> features, List<String> notes,
            Map<String, Object> thresholds) {
        this.referenceImages = referenceImages;
        this.incomingImages = incomingImages;
        this.features = List.copyOf(features);
        this.notes = List.copyOf(notes);
        this.thresholds = Collections.unmodifiableMap(new LinkedHashMap<>(thresholds));
    }

    /** Worst verdict over all features. */
    @JsonProperty("verdict")
    public Verdict verdict() {
        Verdict v = Verdict.STABLE;
        for (FeatureDrift f : features) {
            v = v.worst(f.verdict());
        }
        return v;
    }

    /** Whether any feature drifted. */
    @JsonProperty("drifted")
    public boolean drifted() {
        return verdict() == Verdict.DRIFTED;
    }

    /** Per-feature results, in {@link DriftFeature} order with the histogram last. */
    @JsonProperty("features")
    public List<FeatureDrift> features() {
        return features;
    }

    /** The result for feature {@code name} ({@code "intensity_histogram"} for the PSI), if it was compared. */
    public Optional<FeatureDrift> feature(String name) {
        Objects.requireNonNull(name, "name");
        return features.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** The result for {@code feature}, if it was compared. */
    public Optional<FeatureDrift> feature(DriftFeature feature) {
        return feature(feature.key());
    }

    /** The drifted features' names. */
    public List<String> driftedFeatures() {
        return features.stream().filter(FeatureDrift::drifted).map(FeatureDrift::name).toList();
    }

    /** Why some features were not compared (e.g. no masks on one side). */
    @JsonProperty("notes")
    public List<String> notes() {
        return notes;
    }

    @JsonProperty("reference_images")
    public int referenceImages() {
        return referenceImages;
    }

    @JsonProperty("incoming_images")
    public int incomingImages() {
        return incomingImages;
    }

    /** Several lines for a terminal: the overall verdict, then one explanation per feature, then the notes. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append("data drift: ").append(verdict().word()).append(" (").append(incomingImages)
                .append(" incoming images vs ").append(referenceImages).append(" reference images)");
        for (FeatureDrift f : features) {
            sb.append('\n').append("  ").append(f.explanation());
        }
        for (String n : notes) {
            sb.append('\n').append("  note: ").append(n);
        }
        return sb.toString();
    }

    /** The {@code "format"} of the JSON form. */
    @JsonProperty("format")
    String format() {
        return FORMAT;
    }

    @JsonProperty("version")
    int version() {
        return 1;
    }

    /** The thresholds the features were held against. */
    @JsonProperty("thresholds")
    public Map<String, Object> thresholds() {
        return thresholds;
    }

    /** Pretty-printed JSON: format, verdict, sample sizes, thresholds, features and notes. */
    public String toJson() {
        return Json.write(this);
    }

    @Override
    public String toString() {
        return "DriftReport[" + verdict() + ", drifted=" + driftedFeatures() + "]";
    }
}

package io.medseg.mlops.drift;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The comparison of one feature: its name, the statistic used ({@link #KS}, {@link #PSI}, {@link #RANGE} or
 * {@link #PRESENCE}), the statistic's value, the threshold it is held against, the verdict and a one-line
 * explanation. What value and threshold mean depends on the statistic:
 *
 * <ul>
 *   <li>{@code ks}: value is the KS distance, {@link #pValue()} its p-value, threshold the significance level the
 *       p-value must fall below; {@link #details()} gives the medians, the reference range and the tolerance;</li>
 *   <li>{@code psi}: value is the PSI, threshold the drift threshold (the moderate one is in the details);</li>
 *   <li>{@code range}: value is the largest relative excess of an incoming value beyond the (constant) reference
 *       value, threshold the tolerance;</li>
 *   <li>{@code presence}: value is the share of incoming images with a pixel spacing, threshold the reference's
 *       share.</li>
 * </ul>
 *
 * @param name      feature key, e.g. {@code "noise_level"}
 * @param statistic statistic name
 * @param value     statistic value; may be infinite for a range excess beyond a zero value
 * @param threshold what the value (or, for KS, the p-value) is compared with
 * @param pValue    the KS p-value, NaN for other statistics
 * @param verdict   the feature's verdict
 * @param weak      whether a sample was too small for the statistic to be trusted
 * @param explanation one line for people
 * @param details   further numbers (medians, ranges, counts), JSON-ready
 */
@JsonPropertyOrder({"name", "statistic", "value", "threshold", "p_value", "verdict", "weak", "explanation",
        "details"})
public record FeatureDrift(String name, String statistic, @JsonIgnore double value, double threshold,
        @JsonIgnore double pValue, Verdict verdict, boolean weak, String explanation, Map<String, Object> details) {
    /** Two-sample Kolmogorov–Smirnov test with a range check. */
    public static final String KS = "ks";
    /** Population stability index. */
    public static final String PSI = "psi";
    /** Range check against a constant reference. */
    public static final String RANGE = "range";
    /** Share of images with a pixel spacing. */
    public static final String PRESENCE = "presence";

    public FeatureDrift {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(statistic, "statistic");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(explanation, "explanation");
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details == null ? Map.of() : details));
    }

    /** Whether this feature drifted. */
    public boolean drifted() {
        return verdict == Verdict.DRIFTED;
    }

    /** The value as JSON holds it: {@code null} when not finite (an excess beyond a zero reference). */
    @JsonProperty("value")
    Double valueJson() {
        return Double.isFinite(value) ? value : null;
    }

    /** The p-value, for KS only. */
    @JsonProperty("p_value")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    Double pValueJson() {
        return Double.isNaN(pValue) ? null : pValue;
    }
}

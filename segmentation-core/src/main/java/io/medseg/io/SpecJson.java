package io.medseg.io;

import io.medseg.model.Activation;
import io.medseg.model.InputFit;
import io.medseg.model.Normalization;
import io.medseg.model.UNetSpec;
import io.medseg.model.Upsampling;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@link UNetSpec} to and from JSON. Every field is written; enums by name; the normalisation as an object with a
 * {@code "type"} of {@code "percentile"} (with {@code "low"} and {@code "high"}), {@code "zscore"} or
 * {@code "none"}:
 *
 * <pre>{@code
 * {
 *   "inputHeight": 256, "inputWidth": 256, "inputChannels": 1, "numClasses": 2,
 *   "depth": 4, "baseFilters": 32, "kernelSize": 3, "upsampling": "TRANSPOSE_CONV",
 *   "batchNorm": true, "dropout": 0, "activation": "RELU",
 *   "normalization": {"type": "percentile", "low": 1, "high": 99},
 *   "inputFit": "EXACT"
 * }
 * }</pre>
 *
 * Reading is strict: a missing key, a value of the wrong type or an unknown enum name is an
 * {@link IllegalArgumentException} naming the key; the spec's own validation then checks the values.
 */
public final class SpecJson {
    static final String NORMALIZATION = "normalization";

    private SpecJson() {
    }

    /** The spec as an ordered map of JSON-ready values. */
    public static Map<String, Object> toMap(UNetSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inputHeight", spec.inputHeight());
        m.put("inputWidth", spec.inputWidth());
        m.put("inputChannels", spec.inputChannels());
        m.put("numClasses", spec.numClasses());
        m.put("depth", spec.depth());
        m.put("baseFilters", spec.baseFilters());
        m.put("kernelSize", spec.kernelSize());
        m.put("upsampling", spec.upsampling().name());
        m.put("batchNorm", spec.batchNorm());
        m.put("dropout", spec.dropout());
        m.put("activation", spec.activation().name());
        m.put(NORMALIZATION, normalizationToMap(spec.normalization()));
        m.put("inputFit", spec.inputFit().name());
        return m;
    }

    /** Reads a spec written by {@link #toMap}; extra keys are ignored so newer files stay readable. */
    public static UNetSpec fromMap(Map<String, ?> map) {
        if (map == null) {
            throw new IllegalArgumentException("spec map must not be null");
        }
        return new UNetSpec(
                Json.getInt(map, "inputHeight"),
                Json.getInt(map, "inputWidth"),
                Json.getInt(map, "inputChannels"),
                Json.getInt(map, "numClasses"),
                Json.getInt(map, "depth"),
                Json.getInt(map, "baseFilters"),
                Json.getInt(map, "kernelSize"),
                enumValue(map, "upsampling", Upsampling.class),
                Json.getBoolean(map, "batchNorm"),
                Json.getDouble(map, "dropout"),
                enumValue(map, "activation", Activation.class),
                normalizationFromMap(Json.getObject(map, NORMALIZATION)),
                enumValue(map, "inputFit", InputFit.class));
    }

    /** Pretty-printed JSON of {@link #toMap}. */
    public static String toJson(UNetSpec spec) {
        return Json.write(toMap(spec));
    }

    /** Parses JSON written by {@link #toJson}. */
    public static UNetSpec fromJson(String json) {
        return fromMap(Json.object(Json.parse(json)));
    }

    static Map<String, Object> normalizationToMap(Normalization normalization) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (normalization instanceof Normalization.Percentile p) {
            m.put("type", "percentile");
            m.put("low", p.low());
            m.put("high", p.high());
        } else if (normalization instanceof Normalization.ZScore) {
            m.put("type", "zscore");
        } else if (normalization instanceof Normalization.None) {
            m.put("type", "none");
        } else {
            // unreachable while Normalization is sealed to these three; kept so a new kind fails loudly
            throw new IllegalArgumentException("unsupported normalization: " + normalization);
        }
        return m;
    }

    static Normalization normalizationFromMap(Map<String, ?> m) {
        String type;
        try {
            type = Json.getString(m, "type");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(NORMALIZATION + ": " + e.getMessage(), e);
        }
        try {
            return switch (type.toLowerCase(Locale.ROOT)) {
                case "percentile" -> Normalization.percentile(Json.getDouble(m, "low"), Json.getDouble(m, "high"));
                case "zscore" -> Normalization.zScore();
                case "none" -> Normalization.none();
                default -> throw new IllegalArgumentException("key \"type\" must be one of [percentile, zscore, none]: "
                        + type);
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(NORMALIZATION + ": " + e.getMessage(), e);
        }
    }

    private static <E extends Enum<E>> E enumValue(Map<String, ?> map, String key, Class<E> type) {
        String name = Json.getString(map, key);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        throw new IllegalArgumentException("key \"" + key + "\" must be one of "
                + Arrays.toString(type.getEnumConstants()) + ": " + name);
    }
}

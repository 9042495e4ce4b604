package io.medseg.onnx;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.util.Locale;

/**
 * ONNX Runtime's graph optimisation levels: what the runtime rewrites in the graph when a session is created (constant
 * folding and redundant-node removal at {@link #BASIC}; operator fusions such as convolution with its activation at
 * {@link #EXTENDED}; layout changes for the CPU at {@link #ALL}).
 */
public enum OnnxOptimization {
    NONE(OptLevel.NO_OPT),
    BASIC(OptLevel.BASIC_OPT),
    EXTENDED(OptLevel.EXTENDED_OPT),
    ALL(OptLevel.ALL_OPT);

    /** The system property that sets the level of {@link OnnxRuntimeBackendProvider}'s backend. */
    public static final String PROPERTY = "medseg.onnx.optimization";

    private final OptLevel level;

    OnnxOptimization(OptLevel level) {
        this.level = level;
    }

    OptLevel level() {
        return level;
    }

    /** The lower-case name used in properties and reports. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The level named by {@code text} ({@code none}, {@code basic}, {@code extended} or {@code all}, any case).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static OnnxOptimization parse(String text) {
        String t = text == null ? "" : text.strip();
        for (OnnxOptimization o : values()) {
            if (o.label().equalsIgnoreCase(t)) {
                return o;
            }
        }
        throw new IllegalArgumentException("ONNX Runtime optimisation level must be none, basic, extended or all: "
                + io.medseg.io.TextFields.excerpt(t));
    }
}

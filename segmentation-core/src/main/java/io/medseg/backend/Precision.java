package io.medseg.backend;

import java.util.Locale;

/**
 * The number format a model computes in. Weights are always stored in 32-bit floats; {@link #BF16} runs the
 * convolutions and matrix products in bfloat16 (8-bit mantissa, the float32 exponent range), which CPUs with
 * bfloat16 instructions (x86 {@code avx512_bf16} or AMX) execute about twice as fast, at a small cost in accuracy.
 * A backend that cannot compute in bfloat16 on this machine says so and runs in {@link #FP32};
 * {@link SegmentationModel#precision()} tells what a model actually runs at, and that is what reports record.
 */
public enum Precision {
    /** 32-bit floats throughout: the reference. */
    FP32,
    /** bfloat16 arithmetic where the backend and the processor support it; everything else in 32-bit floats. */
    BF16;

    /** The lower-case name used on command lines and in reports: {@code fp32}, {@code bf16}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The precision named by {@code text} ({@code fp32} or {@code bf16}, any case).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Precision parse(String text) {
        String t = text == null ? "" : text.strip();
        for (Precision p : values()) {
            if (p.label().equalsIgnoreCase(t)) {
                return p;
            }
        }
        throw new IllegalArgumentException("precision must be fp32 or bf16: " + io.medseg.io.TextFields.excerpt(t));
    }
}

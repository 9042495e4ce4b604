package io.medseg.mlops.drift;

import java.util.Locale;

/** How far incoming data has moved from the reference, per feature and overall. */
public enum Verdict {
    /** No evidence of a change. */
    STABLE,
    /** A change worth a look, below the drift threshold (or a change the reference already covers). */
    MODERATE,
    /** Drifted: beyond the stated threshold. */
    DRIFTED;

    /** The more severe of the two (the constants are declared from the least to the most severe). */
    public Verdict worst(Verdict other) {
        return other.compareTo(this) > 0 ? other : this;
    }

    /** Lower-case name, as used in explanations. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package io.medseg.mlops.registry;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where a registered model version stands. Every version starts in {@link #STAGING}; at most one version of a model
 * is in {@link #PRODUCTION} at a time; {@link #ARCHIVED} versions are kept but not served. Files and logs spell
 * stages in lower case ({@link #id()}).
 */
public enum Stage {
    /** Registered, not yet (or no longer) served. */
    STAGING,
    /** The version to serve; needs a passing validation record for its package. */
    PRODUCTION,
    /** Retired, e.g. replaced by a newer production version. */
    ARCHIVED;

    /** The lower-case name used in registry files: {@code staging}, {@code production}, {@code archived}. */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The stage named {@code text}, ignoring case. */
    @JsonCreator
    public static Stage parse(String text) {
        if (text != null) {
            for (Stage s : values()) {
                if (s.name().equalsIgnoreCase(text.strip())) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("unknown stage \"" + text + "\": expected one of "
                + Arrays.stream(values()).map(Stage::id).toList());
    }
}

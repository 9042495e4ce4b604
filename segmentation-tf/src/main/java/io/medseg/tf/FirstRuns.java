package io.medseg.tf;

import io.medseg.backend.Precision;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs the first session call of each kind through {@link NativeLogging#quietly} where that call writes native log
 * lines: a bf16 session rewrites its graph on the first run of every distinct set of feeds, fetches and targets, and
 * the rewrite announces itself on standard error. Later calls of the same kind run as they are.
 */
final class FirstRuns {
    private final boolean active;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    FirstRuns(Precision precision) {
        this.active = precision == Precision.BF16;
    }

    /** Runs {@code call}, quietly when it is the first of {@code kind}. */
    <T> T run(String kind, Supplier<T> call) {
        if (!active || seen.contains(kind)) {
            return call.get();
        }
        synchronized (this) {
            if (seen.contains(kind)) {
                return call.get();
            }
            T result = NativeLogging.quietly(call);
            seen.add(kind);
            return result;
        }
    }
}

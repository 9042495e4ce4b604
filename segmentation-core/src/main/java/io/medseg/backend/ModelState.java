package io.medseg.backend;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot of a model's weights (and batch-norm statistics) by variable name, held in Java memory. Used to keep
 * the best epoch's weights while training goes on.
 */
public final class ModelState {
    private final Map<String, float[]> values;

    public ModelState(Map<String, float[]> values) {
        Map<String, float[]> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k, v.clone()));
        this.values = Collections.unmodifiableMap(copy);
    }

    /** Variable names in a stable order. */
    public Iterable<String> names() {
        return values.keySet();
    }

    /** A copy of one variable's values. */
    public float[] get(String name) {
        float[] v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no variable named " + name + " in this state");
        }
        return v.clone();
    }

    public int size() {
        return values.size();
    }

    public long parameterCount() {
        long n = 0;
        for (float[] v : values.values()) {
            n += v.length;
        }
        return n;
    }
}

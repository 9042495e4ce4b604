package io.medseg.mlops;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Differences between two JSON documents, by path: {@code config.epochs}, {@code data.files[3].sha256}. Used to
 * compare two models' provenance, two packages, a recorded recipe with a rebuilt one. Numbers compare by value
 * ({@code 1} equals {@code 1.0}); a {@code null} and an absent key are the same.
 */
public final class JsonDiff {
    private JsonDiff() {
    }

    /**
     * One difference; a side is {@code null} when the path is absent (or null) there. Values are strings,
     * {@code Long}, {@code Double} or (beyond a long) {@code BigInteger} numbers, booleans, or an empty map or list.
     */
    public record Change(String path, Object left, Object right) {
        @Override
        public String toString() {
            return path + ": " + show(left) + " -> " + show(right);
        }

        private static String show(Object v) {
            return v == null ? "(absent)" : v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
        }
    }

    /** Every leaf that differs, in the order of the left document (then paths only on the right). */
    public static List<Change> diff(JsonNode left, JsonNode right) {
        Map<String, Object> l = flatten(left);
        Map<String, Object> r = flatten(right);
        Set<String> paths = new LinkedHashSet<>(l.keySet());
        paths.addAll(r.keySet());
        List<Change> out = new ArrayList<>();
        for (String p : paths) {
            Object a = l.get(p);
            Object b = r.get(p);
            if (!sameValue(a, b)) {
                out.add(new Change(p, a, b));
            }
        }
        return out;
    }

    private static boolean sameValue(Object a, Object b) {
        if (a instanceof BigInteger || b instanceof BigInteger) {
            // only integers beyond long are BigIntegers, and their doubles may all be infinite
            return Objects.equals(a, b);
        }
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue()) == 0;
        }
        return Objects.equals(a, b);
    }

    /** Leaves by path; empty objects and arrays are leaves of their own. */
    public static Map<String, Object> flatten(JsonNode doc) {
        Map<String, Object> out = new LinkedHashMap<>();
        flatten("", doc, out);
        return out;
    }

    private static void flatten(String path, JsonNode v, Map<String, Object> out) {
        if (v != null && v.isObject() && !v.isEmpty()) {
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                flatten(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), out);
            }
        } else if (v != null && v.isArray() && !v.isEmpty()) {
            for (int i = 0; i < v.size(); i++) {
                flatten(path + "[" + i + "]", v.get(i), out);
            }
        } else {
            out.put(path.isEmpty() ? "$" : path, leaf(v));
        }
    }

    private static Object leaf(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        if (v.isObject()) {
            return Map.of();
        }
        if (v.isArray()) {
            return List.of();
        }
        if (v.isIntegralNumber()) {
            // beyond long, and beyond double too for 309 digits or more: Jackson's accessors would throw
            return v.canConvertToLong() ? (Object) v.longValue() : v.bigIntegerValue();
        }
        if (v.isNumber()) {
            return v.doubleValue(Double.NaN);
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        return v.asString();
    }
}

package io.medseg.mlops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Differences between two parsed JSON documents (maps, lists and scalars as {@link io.medseg.io.Json} yields them),
 * by path: {@code config.epochs}, {@code data.files[3].sha256}. Used to compare two models' provenance.
 */
public final class JsonDiff {
    private JsonDiff() {
    }

    /** One difference; a side is {@code null} when the path is absent there. */
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
    public static List<Change> diff(Object left, Object right) {
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
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue()) == 0;
        }
        return Objects.equals(a, b);
    }

    /** Leaves by path; empty maps and lists are leaves of their own. */
    public static Map<String, Object> flatten(Object doc) {
        Map<String, Object> out = new LinkedHashMap<>();
        flatten("", doc, out);
        return out;
    }

    private static void flatten(String path, Object v, Map<String, Object> out) {
        if (v instanceof Map<?, ?> m && !m.isEmpty()) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                flatten(path.isEmpty() ? String.valueOf(e.getKey()) : path + "." + e.getKey(), e.getValue(), out);
            }
        } else if (v instanceof List<?> list && !list.isEmpty()) {
            for (int i = 0; i < list.size(); i++) {
                flatten(path + "[" + i + "]", list.get(i), out);
            }
        } else {
            out.put(path.isEmpty() ? "$" : path, v instanceof Map<?, ?> ? Map.of() : v instanceof List<?> ? List.of() : v);
        }
    }
}

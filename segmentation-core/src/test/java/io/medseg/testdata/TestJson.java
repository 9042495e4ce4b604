package io.medseg.testdata;

import io.medseg.io.Json;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON read back into plain Java values for assertions: objects as {@code LinkedHashMap}s in file order, arrays as
 * {@code ArrayList}s, whole numbers as {@code Long}, others as {@code Double}. Parsed by the library's own mapper,
 * so the tests see what any reader of the file sees.
 */
public final class TestJson {
    private static final JsonMapper PLAIN = Json.mapper().rebuild()
            .enable(DeserializationFeature.USE_LONG_FOR_INTS).build();

    private TestJson() {
    }

    /** The JSON text as Java values. */
    public static Object parse(String json) {
        return PLAIN.readValue(json, Object.class);
    }

    /** The JSON object text as a map. */
    public static Map<String, Object> object(String json) {
        return object(parse(json));
    }

    /** {@code value} as a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Object value) {
        if (value instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new AssertionError("expected a json object, got " + value);
    }

    /** {@code value} as a JSON array. */
    @SuppressWarnings("unchecked")
    public static List<Object> array(Object value) {
        if (value instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw new AssertionError("expected a json array, got " + value);
    }

    /** The object under {@code key}. */
    public static Map<String, Object> getObject(Map<String, ?> map, String key) {
        return object(require(map, key));
    }

    /** The array under {@code key}. */
    public static List<Object> getArray(Map<String, ?> map, String key) {
        return array(require(map, key));
    }

    /** The number under {@code key}. */
    public static double getDouble(Map<String, ?> map, String key) {
        return ((Number) require(map, key)).doubleValue();
    }

    private static Object require(Map<String, ?> map, String key) {
        if (!map.containsKey(key)) {
            throw new AssertionError("missing key \"" + key + "\" (present: " + map.keySet() + ")");
        }
        return map.get(key);
    }
}

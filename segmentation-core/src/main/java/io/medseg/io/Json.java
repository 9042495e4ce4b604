package io.medseg.io;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON (RFC 8259) writer and parser with no dependencies, for specs, provenance and metrics files.
 *
 * <p>Writing accepts {@link Map} (keys written with {@link String#valueOf}, iteration order kept), {@link Collection},
 * arrays (primitive or object), {@link CharSequence}, {@link Number}, {@link Boolean}, enums (by name) and
 * {@code null}. Integral numbers are written without a fraction; doubles and floats with the shortest text that
 * reads back to the same value. NaN and infinities have no JSON form and are rejected.
 *
 * <p>Parsing yields {@link LinkedHashMap} (duplicate keys rejected), {@link ArrayList}, {@link String},
 * {@link Long} for integers that fit (else {@link Double}), {@link Double} for everything else numeric,
 * {@link Boolean} and {@code null}. Errors name the character offset and what was expected.
 */
public final class Json {
    private static final int MAX_DEPTH = 512;

    private Json() {
    }

    /** Pretty-printed JSON with a 2-space indent and a {@code ": "} after each key. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        new Writer(sb, true).value(value, 0, "$");
        return sb.toString();
    }

    /** JSON on one line, without insignificant whitespace. */
    public static String writeCompact(Object value) {
        StringBuilder sb = new StringBuilder();
        new Writer(sb, false).value(value, 0, "$");
        return sb.toString();
    }

    /** Parses one JSON value; anything but whitespace after it is an error. */
    public static Object parse(String json) {
        if (json == null) {
            throw new IllegalArgumentException("json text must not be null");
        }
        Parser p = new Parser(json);
        p.skipWhitespace();
        Object v = p.value(0);
        p.skipWhitespace();
        if (p.pos < json.length()) {
            throw p.error("end of input");
        }
        return v;
    }

    // ---- typed helpers for reading parsed documents ----

    /** {@code value} as a JSON object; throws naming its actual type otherwise. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Object value) {
        if (value instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new IllegalArgumentException("expected a json object, got " + describe(value));
    }

    /** {@code value} as a JSON array; throws naming its actual type otherwise. */
    @SuppressWarnings("unchecked")
    public static List<Object> array(Object value) {
        if (value instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw new IllegalArgumentException("expected a json array, got " + describe(value));
    }

    /** The object under {@code key}. */
    public static Map<String, Object> getObject(Map<String, ?> map, String key) {
        Object v = require(map, key);
        if (v instanceof Map<?, ?>) {
            return object(v);
        }
        throw wrongType(key, "an object", v);
    }

    /** The array under {@code key}. */
    public static List<Object> getArray(Map<String, ?> map, String key) {
        Object v = require(map, key);
        if (v instanceof List<?>) {
            return array(v);
        }
        throw wrongType(key, "an array", v);
    }

    /** The string under {@code key}. */
    public static String getString(Map<String, ?> map, String key) {
        Object v = require(map, key);
        if (v instanceof String s) {
            return s;
        }
        throw wrongType(key, "a string", v);
    }

    /** The integer under {@code key}; must be a whole number within int range. */
    public static int getInt(Map<String, ?> map, String key) {
        long v = getLong(map, key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("key \"" + key + "\" must fit in an int: " + v);
        }
        return (int) v;
    }

    /** The integer under {@code key}; must be a whole number within long range. */
    public static long getLong(Map<String, ?> map, String key) {
        Object v = require(map, key);
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 0x1p63) {
                return (long) d;
            }
        }
        throw wrongType(key, "an integer", v);
    }

    /** The number under {@code key} as a double (integers accepted). */
    public static double getDouble(Map<String, ?> map, String key) {
        Object v = require(map, key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw wrongType(key, "a number", v);
    }

    /** The boolean under {@code key}. */
    public static boolean getBoolean(Map<String, ?> map, String key) {
        Object v = require(map, key);
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, "a boolean", v);
    }

    private static Object require(Map<String, ?> map, String key) {
        if (map == null) {
            throw new IllegalArgumentException("json object must not be null (looking for key \"" + key + "\")");
        }
        if (!map.containsKey(key)) {
            throw new IllegalArgumentException("missing key \"" + key + "\" (present: " + map.keySet() + ")");
        }
        Object v = map.get(key);
        if (v == null) {
            throw new IllegalArgumentException("key \"" + key + "\" must not be null");
        }
        return v;
    }

    private static IllegalArgumentException wrongType(String key, String expected, Object actual) {
        return new IllegalArgumentException("key \"" + key + "\" must be " + expected + ", got "
                + describe(actual));
    }

    private static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        String type;
        if (v instanceof Map<?, ?>) {
            type = "object";
        } else if (v instanceof List<?>) {
            type = "array";
        } else if (v instanceof String) {
            type = "string";
        } else if (v instanceof Number) {
            type = "number";
        } else if (v instanceof Boolean) {
            type = "boolean";
        } else {
            type = v.getClass().getSimpleName();
        }
        String text = String.valueOf(v);
        if (text.length() > 40) {
            text = text.substring(0, 40) + "...";
        }
        return type + " " + (v instanceof String ? "\"" + text + "\"" : text);
    }

    // ---- writer ----

    private static final class Writer {
        private final StringBuilder sb;
        private final boolean pretty;

        Writer(StringBuilder sb, boolean pretty) {
            this.sb = sb;
            this.pretty = pretty;
        }

        void value(Object v, int depth, String path) {
            if (depth > MAX_DEPTH) {
                throw new IllegalArgumentException("json nesting deeper than " + MAX_DEPTH + " at " + path
                        + " (a cycle?)");
            }
            if (v == null) {
                sb.append("null");
            } else if (v instanceof CharSequence s) {
                string(s);
            } else if (v instanceof Boolean b) {
                sb.append(b.booleanValue());
            } else if (v instanceof Number n) {
                number(n, path);
            } else if (v instanceof Character c) {
                string(String.valueOf(c));
            } else if (v instanceof Enum<?> e) {
                string(e.name());
            } else if (v instanceof Map<?, ?> m) {
                map(m, depth, path);
            } else if (v instanceof Collection<?> c) {
                list(c, depth, path);
            } else if (v.getClass().isArray()) {
                int n = Array.getLength(v);
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(Array.get(v, i));
                }
                list(items, depth, path);
            } else {
                throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as json at "
                        + path + ": " + v);
            }
        }

        private void map(Map<?, ?> m, int depth, String path) {
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                newline(depth + 1);
                if (e.getKey() == null) {
                    throw new IllegalArgumentException("json object keys must not be null at " + path);
                }
                String key = String.valueOf(e.getKey());
                string(key);
                sb.append(pretty ? ": " : ":");
                value(e.getValue(), depth + 1, path + "." + key);
            }
            newline(depth);
            sb.append('}');
        }

        private void list(Collection<?> c, int depth, String path) {
            if (c.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            int i = 0;
            for (Object item : c) {
                if (i > 0) {
                    sb.append(',');
                }
                newline(depth + 1);
                value(item, depth + 1, path + "[" + i + "]");
                i++;
            }
            newline(depth);
            sb.append(']');
        }

        private void newline(int depth) {
            if (pretty) {
                sb.append('\n');
                for (int i = 0; i < depth; i++) {
                    sb.append("  ");
                }
            }
        }

        private void number(Number n, String path) {
            if (n instanceof Double || n instanceof Float) {
                double d = n.doubleValue();
                if (!Double.isFinite(d)) {
                    throw new IllegalArgumentException("json cannot represent " + d + " at " + path);
                }
                if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                    // whole values print as integers ("2", not "2.0"); -0.0 keeps its sign as "-0"
                    long l = (long) d;
                    sb.append(l == 0 && 1 / d < 0 ? "-0" : Long.toString(l));
                } else {
                    // Float.toString is the shortest text that reads back to the same float
                    sb.append(n instanceof Float f ? Float.toString(f) : Double.toString(d));
                }
            } else if (n instanceof BigDecimal bd) {
                sb.append(bd.toString());
            } else if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte
                    || n instanceof BigInteger) {
                sb.append(n);
            } else {
                double d = n.doubleValue();
                if (!Double.isFinite(d)) {
                    throw new IllegalArgumentException("json cannot represent " + d + " at " + path);
                }
                sb.append(n);
            }
        }

        private void string(CharSequence s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    case '\b' -> sb.append("\\b");
                    case '\f' -> sb.append("\\f");
                    default -> {
                        // control characters must be escaped; U+2028/9 too, so the text is also valid JavaScript
                        if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }
    }

    // ---- parser ----

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String expected) {
            String found;
            if (pos >= s.length()) {
                found = "end of input";
            } else {
                char c = s.charAt(pos);
                found = c < 0x20 ? String.format("character U+%04X", (int) c) : "'" + c + "'";
            }
            return new IllegalArgumentException("invalid json at offset " + pos + ": expected " + expected
                    + ", found " + found);
        }

        void skipWhitespace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    pos++;
                } else {
                    break;
                }
            }
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nesting no deeper than " + MAX_DEPTH);
            }
            if (pos >= s.length()) {
                throw error("a value");
            }
            char c = s.charAt(pos);
            return switch (c) {
                case '{' -> object(depth);
                case '[' -> array(depth);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw error("a value (object, array, string, number, true, false or null)");
                }
            };
        }

        private Object literal(String word, Object result) {
            if (s.startsWith(word, pos)) {
                pos += word.length();
                return result;
            }
            throw error("'" + word + "'");
        }

        private Map<String, Object> object(int depth) {
            Map<String, Object> map = new LinkedHashMap<>();
            pos++; // '{'
            skipWhitespace();
            if (pos < s.length() && s.charAt(pos) == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipWhitespace();
                if (pos >= s.length() || s.charAt(pos) != '"') {
                    throw error("a string key");
                }
                int keyAt = pos;
                String key = string();
                skipWhitespace();
                if (pos >= s.length() || s.charAt(pos) != ':') {
                    throw error("':' after key \"" + key + "\"");
                }
                pos++;
                skipWhitespace();
                Object v = value(depth + 1);
                if (map.containsKey(key)) {
                    throw new IllegalArgumentException("invalid json at offset " + keyAt + ": duplicate key \""
                            + key + "\"");
                }
                map.put(key, v);
                skipWhitespace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                } else if (pos < s.length() && s.charAt(pos) == '}') {
                    pos++;
                    return map;
                } else {
                    throw error("',' or '}'");
                }
            }
        }

        private List<Object> array(int depth) {
            List<Object> list = new ArrayList<>();
            pos++; // '['
            skipWhitespace();
            if (pos < s.length() && s.charAt(pos) == ']') {
                pos++;
                return list;
            }
            while (true) {
                skipWhitespace();
                list.add(value(depth + 1));
                skipWhitespace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                } else if (pos < s.length() && s.charAt(pos) == ']') {
                    pos++;
                    return list;
                } else {
                    throw error("',' or ']'");
                }
            }
        }

        private String string() {
            pos++; // opening quote
            StringBuilder sb = null;
            int runStart = pos;
            while (true) {
                if (pos >= s.length()) {
                    throw error("closing '\"' of the string");
                }
                char c = s.charAt(pos);
                if (c == '"') {
                    String out = sb == null ? s.substring(runStart, pos)
                            : sb.append(s, runStart, pos).toString();
                    pos++;
                    return out;
                }
                if (c < 0x20) {
                    throw error("an escaped control character");
                }
                if (c != '\\') {
                    pos++;
                    continue;
                }
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(s, runStart, pos);
                pos++;
                if (pos >= s.length()) {
                    throw error("an escape character");
                }
                char e = s.charAt(pos);
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        int code = 0;
                        for (int i = 1; i <= 4; i++) {
                            int digit = pos + i < s.length() ? Character.digit(s.charAt(pos + i), 16) : -1;
                            if (digit < 0) {
                                pos += i;
                                throw error("a hex digit of a \\u escape");
                            }
                            code = code * 16 + digit;
                        }
                        sb.append((char) code);
                        pos += 4;
                    }
                    default -> throw error("an escape character (one of \"\\/bfnrtu)");
                }
                pos++;
                runStart = pos;
            }
        }

        private Object number() {
            int start = pos;
            if (s.charAt(pos) == '-') {
                pos++;
            }
            if (pos >= s.length() || !isDigit(s.charAt(pos))) {
                throw error("a digit");
            }
            if (s.charAt(pos) == '0') {
                pos++;
                if (pos < s.length() && isDigit(s.charAt(pos))) {
                    throw error("'.', 'e' or the end of the number (no leading zeros)");
                }
            } else {
                digits();
            }
            boolean integral = true;
            if (pos < s.length() && s.charAt(pos) == '.') {
                integral = false;
                pos++;
                if (pos >= s.length() || !isDigit(s.charAt(pos))) {
                    throw error("a digit after '.'");
                }
                digits();
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                integral = false;
                pos++;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                if (pos >= s.length() || !isDigit(s.charAt(pos))) {
                    throw error("a digit in the exponent");
                }
                digits();
            }
            String text = s.substring(start, pos);
            if (integral && !text.equals("-0")) {
                try {
                    return Long.parseLong(text);
                } catch (NumberFormatException tooBig) {
                    // out of long range: fall through to double, as JavaScript would read it
                }
            }
            double d = Double.parseDouble(text);
            if (!Double.isFinite(d)) {
                pos = start;
                throw error("a number within double range");
            }
            return d;
        }

        private void digits() {
            while (pos < s.length() && isDigit(s.charAt(pos))) {
                pos++;
            }
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }
    }
}

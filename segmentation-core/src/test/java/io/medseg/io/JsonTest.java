package io.medseg.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void prettyPrintsWithTwoSpaceIndentAndKeepsKeyOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", 1);
        m.put("a", List.of(true, "x"));
        m.put("empty", Map.of());
        m.put("none", null);
        String expected = "{\n"
                + "  \"z\": 1,\n"
                + "  \"a\": [\n"
                + "    true,\n"
                + "    \"x\"\n"
                + "  ],\n"
                + "  \"empty\": {},\n"
                + "  \"none\": null\n"
                + "}";
        assertThat(Json.write(m)).isEqualTo(expected);
        assertThat(Json.writeCompact(m)).isEqualTo("{\"z\":1,\"a\":[true,\"x\"],\"empty\":{},\"none\":null}");
    }

    @Test
    void writesIntegersWithoutFractionAndDoublesExactly() {
        assertThat(Json.writeCompact(List.of(3, 3L, 3.0, -0.5, 0.1, 1e-7, 2.5f, Long.MAX_VALUE)))
                .isEqualTo("[3,3,3,-0.5,0.1,1.0E-7,2.5," + Long.MAX_VALUE + "]");
    }

    @Test
    void doublesRoundTripBitForBit() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < 2000; i++) {
            double d = Double.longBitsToDouble(rng.nextLong());
            if (!Double.isFinite(d)) {
                continue;
            }
            Object back = Json.parse(Json.writeCompact(d));
            assertThat(((Number) back).doubleValue()).as("value %s", d).isEqualTo(d);
        }
    }

    @Test
    void rejectsNanAndInfinityNamingThePath() {
        assertThatThrownBy(() -> Json.write(Map.of("loss", Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN").hasMessageContaining("loss");
        assertThatThrownBy(() -> Json.write(List.of(Double.POSITIVE_INFINITY)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Infinity");
        assertThatThrownBy(() -> Json.write(new float[] {Float.NaN}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void escapesStringsAndParsesThemBack() {
        String nasty = "quote\" backslash\\ newline\n tab\t nul\u0000 bell\u0007 unicode é 😀 slash/";
        String json = Json.writeCompact(nasty);
        assertThat(json).isEqualTo("\"quote\\\" backslash\\\\ newline\\n tab\\t nul\\u0000 bell\\u0007 unicode é 😀 slash/\"");
        assertThat(Json.parse(json)).isEqualTo(nasty);
        assertThat(Json.parse("\"\\u00e9\\/\\b\\f\\r\"")).isEqualTo("é/\b\f\r");
    }

    @Test
    void writesPrimitiveArraysAndEnums() {
        assertThat(Json.writeCompact(new int[] {1, 2})).isEqualTo("[1,2]");
        assertThat(Json.writeCompact(new double[] {0.25, 1})).isEqualTo("[0.25,1]");
        assertThat(Json.writeCompact(new boolean[0])).isEqualTo("[]");
        assertThat(Json.writeCompact(Thread.State.NEW)).isEqualTo("\"NEW\"");
    }

    @Test
    void parsesIntoJavaTypes() {
        Object v = Json.parse(" {\"a\": 1, \"b\": -2.5e2, \"c\": [true, false, null], \"d\": {\"e\": \"f\"},"
                + " \"big\": 12345678901234567890, \"neg0\": -0} ");
        Map<String, Object> m = Json.object(v);
        assertThat(m).isInstanceOf(LinkedHashMap.class);
        assertThat(m.keySet()).containsExactly("a", "b", "c", "d", "big", "neg0");
        assertThat(m.get("a")).isEqualTo(1L);
        assertThat(m.get("b")).isEqualTo(-250.0);
        assertThat(m.get("c")).isInstanceOf(ArrayList.class).isEqualTo(Arrays.asList(true, false, null));
        assertThat(m.get("d")).isEqualTo(Map.of("e", "f"));
        assertThat(m.get("big")).isEqualTo(1.2345678901234567e19);
        assertThat(m.get("neg0")).isEqualTo(-0.0);
    }

    @Test
    void writeThenParseIsIdentityForNestedDocuments() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "unet");
        m.put("sizes", List.of(1L, 2L, 3L));
        m.put("lr", 1e-3);
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("ok", true);
        inner.put("nothing", null);
        m.put("inner", inner);
        assertThat(Json.parse(Json.write(m))).isEqualTo(m);
        assertThat(Json.parse(Json.writeCompact(m))).isEqualTo(m);
    }

    @Test
    void parseErrorsNameOffsetAndExpectation() {
        assertThatThrownBy(() -> Json.parse("{\"a\" 1}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset 5").hasMessageContaining("':'");
        assertThatThrownBy(() -> Json.parse("[1, 2,]"))
                .hasMessageContaining("offset 6").hasMessageContaining("expected a value");
        assertThatThrownBy(() -> Json.parse("[1 2]")).hasMessageContaining("offset 3").hasMessageContaining("','");
        assertThatThrownBy(() -> Json.parse("{\"a\":1} x")).hasMessageContaining("offset 8")
                .hasMessageContaining("end of input");
        assertThatThrownBy(() -> Json.parse("\"abc")).hasMessageContaining("offset 4")
                .hasMessageContaining("closing");
        assertThatThrownBy(() -> Json.parse("01")).hasMessageContaining("offset 1");
        assertThatThrownBy(() -> Json.parse("NaN")).hasMessageContaining("offset 0");
        assertThatThrownBy(() -> Json.parse("tru")).hasMessageContaining("'true'");
        assertThatThrownBy(() -> Json.parse("1e999")).hasMessageContaining("double range");
        assertThatThrownBy(() -> Json.parse("{\"a\":1,\"a\":2}")).hasMessageContaining("duplicate key \"a\"");
        assertThatThrownBy(() -> Json.parse("\"a\nb\"")).hasMessageContaining("offset 2");
        assertThatThrownBy(() -> Json.parse("")).hasMessageContaining("offset 0");
    }

    @Test
    void typedGettersNameTheMissingOrMistypedKey() {
        Map<String, Object> m = Json.object(Json.parse("{\"n\": 3, \"x\": 2.5, \"s\": \"hi\", \"b\": true,"
                + " \"o\": {}, \"a\": [], \"whole\": 4.0}"));
        assertThat(Json.getInt(m, "n")).isEqualTo(3);
        assertThat(Json.getInt(m, "whole")).isEqualTo(4);
        assertThat(Json.getDouble(m, "n")).isEqualTo(3.0);
        assertThat(Json.getDouble(m, "x")).isEqualTo(2.5);
        assertThat(Json.getString(m, "s")).isEqualTo("hi");
        assertThat(Json.getBoolean(m, "b")).isTrue();
        assertThat(Json.getObject(m, "o")).isEmpty();
        assertThat(Json.getArray(m, "a")).isEmpty();
        assertThatThrownBy(() -> Json.getInt(m, "missing")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing key \"missing\"");
        assertThatThrownBy(() -> Json.getInt(m, "x")).hasMessageContaining("\"x\"").hasMessageContaining("integer");
        assertThatThrownBy(() -> Json.getString(m, "n")).hasMessageContaining("\"n\"")
                .hasMessageContaining("string");
        assertThatThrownBy(() -> Json.getBoolean(m, "s")).hasMessageContaining("\"s\"");
        assertThatThrownBy(() -> Json.object(List.of())).hasMessageContaining("expected a json object");
    }
}

package io.medseg.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.OptBoolean;
import io.medseg.data.DataFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class JsonTest {
    record Item(String name, int count, Optional<String> note, OptionalDouble score,
            @JsonProperty(isRequired = OptBoolean.FALSE) String maybe, List<Double> values) {
    }

    @Test
    void prettyPrintsWithTwoSpaceIndentAndKeepsKeyOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", 1);
        m.put("a", List.of(true, "x"));
        m.put("empty", Map.of());
        m.put("none", null);
        m.put("list", List.of());
        String expected = """
                {
                  "z": 1,
                  "a": [
                    true,
                    "x"
                  ],
                  "empty": {},
                  "none": null,
                  "list": []
                }\
                """;
        assertThat(Json.write(m)).isEqualTo(expected);
        assertThat(Json.writeCompact(m)).isEqualTo("{\"z\":1,\"a\":[true,\"x\"],\"empty\":{},\"none\":null,\"list\":[]}");
    }

    @Test
    void writesWholeDoublesWithoutFractionAndOthersInTheirShortestForm() {
        assertThat(Json.writeCompact(List.of(3, 3L, 3.0, -0.5, 0.1, 1e-7, 2.5f, 0.1f, -0.0, 1e15, Long.MAX_VALUE)))
                .isEqualTo("[3,3,3,-0.5,0.1,1.0E-7,2.5,0.1,-0,1.0E15," + Long.MAX_VALUE + "]");
        assertThat(Json.writeCompact(new double[] {0.25, 1, -3})).isEqualTo("[0.25,1,-3]");
        assertThat(Json.writeCompact(new float[] {0.1f, 2})).isEqualTo("[0.1,2]");
        assertThat(Json.writeCompact(new int[] {1, 2})).isEqualTo("[1,2]");
        assertThat(Json.writeCompact(new boolean[0])).isEqualTo("[]");
        assertThat(Json.writeCompact(Thread.State.NEW)).isEqualTo("\"NEW\"");
    }

    @Test
    void doublesRoundTripBitForBit() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < 2000; i++) {
            double d = Double.longBitsToDouble(rng.nextLong());
            if (!Double.isFinite(d)) {
                continue;
            }
            assertThat(Json.parse(Json.writeCompact(d), Double.class)).as("value %s", d).isEqualTo(d);
        }
    }

    @Test
    void refusesNanAndInfinity() {
        assertThatThrownBy(() -> Json.write(Map.of("loss", Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> Json.write(List.of(Double.POSITIVE_INFINITY)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Infinity");
        assertThatThrownBy(() -> Json.write(new float[] {Float.NaN})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.write(new double[] {1, Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void escapesControlCharactersInLowerCaseAndLineSeparatorsAndParsesThemBack() {
        String nasty = "quote\" backslash\\ newline\n tab\t nul\u0000 bell\u0007 unit\u001f ls\u2028 ps\u2029"
                + " unicode é 😀 slash/";
        String json = Json.writeCompact(nasty);
        assertThat(json).isEqualTo("\"quote\\\" backslash\\\\ newline\\n tab\\t nul\\u0000 bell\\u0007 unit\\u001f"
                + " ls\\u2028 ps\\u2029 unicode é 😀 slash/\"");
        assertThat(Json.parse(json, String.class)).isEqualTo(nasty);
        assertThat(Json.parse("\"\\u00e9\\/\\b\\f\\r\"", String.class)).isEqualTo("é/\b\f\r");
    }

    @Test
    void recordsBindWithRequiredKeysOptionalsLeftOutWhenEmptyAndNullsWritten() {
        Item item = new Item("a", 2, Optional.empty(), OptionalDouble.of(0.5), null, List.of(1.0, 0.25));
        String json = Json.writeCompact(item);
        assertThat(json).isEqualTo("{\"name\":\"a\",\"count\":2,\"score\":0.5,\"maybe\":null,\"values\":[1,0.25]}");
        assertThat(Json.parse(json, Item.class)).isEqualTo(item);
        assertThat(Json.parse("{\"name\":\"a\",\"count\":2,\"values\":[],\"extra\":1}", Item.class))
                .isEqualTo(new Item("a", 2, Optional.empty(), OptionalDouble.empty(), null, List.of()));
        assertThatThrownBy(() -> Json.parse("{\"name\":\"a\",\"values\":[]}", Item.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("missing key \"count\"");
        assertThatThrownBy(() -> Json.parse("{\"name\":\"a\",\"count\":null,\"values\":[]}", Item.class))
                .hasMessageContaining("key \"count\"");
        assertThatThrownBy(() -> Json.parse("{\"name\":\"a\",\"count\":\"two\",\"values\":[]}", Item.class))
                .hasMessageContaining("key \"count\"").hasMessageContaining("int");
        assertThatThrownBy(() -> Json.parse("{\"name\":\"a\",\"count\":1,\"values\":[1,\"x\"]}", Item.class))
                .hasMessageContaining("key \"values[1]\"");
    }

    @Test
    void syntaxErrorsNameLineAndColumn() {
        assertThatThrownBy(() -> Json.tree("{\n  \"a\" 1}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid json: ").hasMessageContaining("line 2, column");
        assertThatThrownBy(() -> Json.tree("[1, 2,]")).hasMessageContaining("invalid json");
        assertThatThrownBy(() -> Json.tree("{\"a\":1} x")).hasMessageContaining("invalid json");
        assertThatThrownBy(() -> Json.tree("\"abc")).hasMessageContaining("invalid json");
        assertThatThrownBy(() -> Json.tree("01")).hasMessageContaining("invalid json");
        assertThatThrownBy(() -> Json.tree("NaN")).hasMessageContaining("invalid json");
        assertThatThrownBy(() -> Json.tree("{\"a\":1,\"a\":2}")).hasMessageContaining("Duplicate")
                .hasMessageContaining("\"a\"");
        assertThatThrownBy(() -> Json.tree("\"a\nb\"")).hasMessageContaining("invalid json");
        assertThatThrownBy(() -> Json.tree("[".repeat(600) + "]".repeat(600))).hasMessageContaining("depth");
    }

    @Test
    void treesKeepKeyOrderAndNumberKinds() {
        JsonNode n = Json.tree(" {\"a\": 1, \"b\": -2.5e2, \"c\": [true, false, null], \"d\": {\"e\": \"f\"} } ");
        assertThat(n.propertyNames()).containsExactly("a", "b", "c", "d");
        assertThat(n.get("a").isIntegralNumber()).isTrue();
        assertThat(n.get("b").doubleValue()).isEqualTo(-250.0);
        assertThat(n.get("c").size()).isEqualTo(3);
        assertThat(Json.writeCompact(n)).isEqualTo("{\"a\":1,\"b\":-250,\"c\":[true,false,null],\"d\":{\"e\":\"f\"}}");
    }

    @Test
    void readingAFileNamesTheFileAndTheKey(@TempDir Path tmp) throws Exception {
        Path good = tmp.resolve("good.json");
        Json.writeFile(good, new Item("a", 1, Optional.of("n"), OptionalDouble.empty(), "m", List.of()));
        assertThat(Json.read(good, Item.class).note()).contains("n");
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"name\": \"a\", \"count\": true, \"values\": []}");
        assertThatThrownBy(() -> Json.read(bad, Item.class)).isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(bad + ": key \"count\"");
        Path notUtf8 = tmp.resolve("latin1.json");
        Files.write(notUtf8, "{\"name\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> Json.read(notUtf8, Item.class)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("not utf-8");
        byte[] nothing = new byte[0];
        Path empty = tmp.resolve("empty.json");
        Files.write(empty, nothing);
        assertThatThrownBy(() -> Json.read(empty, Item.class)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(empty.toString());
        assertThat(Arrays.asList(tmp.toFile().list())).doesNotContain(".good.json.tmp");
    }

    @Test
    void refusalsShowRawInputEscapedAndCutShort(@TempDir Path tmp) throws Exception {
        // a token of NULs (found by fuzzing model.json), and a key and a value 10,000 characters long
        Path nuls = Files.write(tmp.resolve("nuls.json"), new byte[] {'_', 0, 0, 0, 0, 0, 0, 0, 0});
        String longKey = "{\"name\": \"n\", \"count\": 1, \"values\": [], \"" + "\u0007k".repeat(5_000) + "\": 1}";
        Path key = Files.writeString(tmp.resolve("key.json"), longKey, StandardCharsets.UTF_8);

        for (Path f : List.of(nuls, key)) {
            assertThatThrownBy(() -> Json.read(f, Item.class)).isInstanceOf(DataFormatException.class)
                    .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(700)
                            .doesNotContainPattern("\\p{Cntrl}"));
        }
        assertThatThrownBy(() -> Json.read(nuls, Item.class)).hasMessageContaining("Unrecognized token '_\\x00\\x00");
    }
}

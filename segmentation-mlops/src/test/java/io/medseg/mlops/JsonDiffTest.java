package io.medseg.mlops;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.io.Json;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class JsonDiffTest {
    @Test
    void reportsChangedLeavesByPath() {
        var left = Json.tree("{\"a\": 1, \"b\": {\"c\": 0.5, \"d\": \"x\"}, \"e\": []}");
        var right = Json.tree("{\"a\": 1.0, \"b\": {\"c\": 0.25, \"d\": \"x\"}, \"f\": true}");

        assertThat(JsonDiff.diff(left, right)).extracting(JsonDiff.Change::path)
                .containsExactlyInAnyOrder("b.c", "e", "f");
    }

    @Test
    void integersBeyondLongAndDoubleAreComparedNotThrown() {
        // 400 digits: more than a long holds and more than a finite double; Jackson's number accessors throw on it
        String huge = "9".repeat(400);
        var left = Json.tree("{\"v\": " + huge + ", \"w\": 1}");
        var same = Json.tree("{\"v\": " + huge + ", \"w\": 1}");
        var other = Json.tree("{\"v\": 1" + huge + ", \"w\": 1}");

        assertThat(JsonDiff.diff(left, same)).isEmpty();
        assertThat(JsonDiff.flatten(left).get("v")).isEqualTo(new BigInteger(huge));
        assertThat(JsonDiff.diff(left, other)).extracting(JsonDiff.Change::path).containsExactly("v");
    }
}

package io.medseg.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.benchmarks.LoadPlan.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

class AccessLogCheckTest {
    @TempDir
    Path dir;

    private static String line(String id, int status, Integer version) {
        return "{\"time\":\"2026-01-01T00:00:00Z\",\"request_id\":\"" + id + "\",\"client\":\"127.0.0.1\","
                + "\"token_id\":\"load\",\"method\":\"POST\",\"endpoint\":\"/v1/segment\",\"status\":" + status
                + ",\"model\":\"cardiac-lv\",\"model_version\":" + version + ",\"input_sha256\":null,"
                + "\"time_ms\":1.0}\n";
    }

    private static LoadRecord good(String id, int version, double start, double end) {
        return new LoadRecord(id, LoadRecord.MEASURED, Kind.GOOD, 200, version, start, end, "");
    }

    private Path log(String text) throws IOException {
        Path f = dir.resolve("access.log");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void aLogWithEveryAnsweredRequestAndItsVersionPasses() throws IOException {
        Path f = log(line("a", 200, 1) + line("b", 413, null) + line("c", 200, 2) + line("other", 200, 1));
        List<LoadRecord> records = List.of(good("a", 1, 0, 10),
                new LoadRecord("b", LoadRecord.MEASURED, Kind.OVERSIZED, 413, 0, 1, 2, ""),
                good("c", 2, 5, 20),
                new LoadRecord("d", LoadRecord.MEASURED, Kind.GOOD, 0, 0, 30, 31, ""));
        ObjectNode r = AccessLogCheck.check(f, List.of(records), Set.of(1, 2));
        assertThat(r.path("passed").asBoolean()).as(r.toString()).isTrue();
        assertThat(r.path("lines").asInt()).isEqualTo(4);
        assertThat(r.path("responded").asInt()).isEqualTo(3);
        assertThat(r.path("versions_by_log").path("1").asInt()).isEqualTo(1);
        assertThat(r.path("versions_by_log").path("2").asInt()).isEqualTo(1);
    }

    @Test
    void aTornLastLineAndGluedLinesAreFound() throws IOException {
        String whole = line("a", 200, 1);
        Path f = log(whole + whole.strip() + whole + whole.substring(0, 40));
        ObjectNode r = AccessLogCheck.check(f, List.of(List.of(good("a", 1, 0, 1))), Set.of());
        assertThat(r.path("passed").asBoolean()).isFalse();
        assertThat(r.path("ends_with_newline").asBoolean()).isFalse();
        assertThat(r.path("invalid_lines").asInt()).isEqualTo(2);
    }

    @Test
    void aMissingRequestAMismatchAndAStaleVersionEachFail() throws IOException {
        Path f = log(line("a", 200, 1) + line("b", 200, 2) + line("c", 200, 1));
        ObjectNode missing = AccessLogCheck.check(f, List.of(List.of(good("a", 1, 0, 1), good("x", 1, 0, 1))),
                Set.of());
        assertThat(missing.path("missing_from_log").asInt()).isEqualTo(1);
        assertThat(missing.path("passed").asBoolean()).isFalse();

        ObjectNode mismatch = AccessLogCheck.check(f, List.of(List.of(good("a", 2, 0, 1))), Set.of());
        assertThat(mismatch.path("version_mismatches").asInt()).isEqualTo(1);
        assertThat(mismatch.path("passed").asBoolean()).isFalse();

        // c was sent at 15 ms, after b's answer from version 2 had arrived at 10 ms, yet version 1 answered it
        ObjectNode stale = AccessLogCheck.check(f, List.of(List.of(good("a", 1, 0, 5), good("b", 2, 1, 10),
                good("c", 1, 15, 20))), Set.of());
        assertThat(stale.path("stale_after_swap").asInt()).isEqualTo(1);
        assertThat(stale.path("passed").asBoolean()).isFalse();
        // in two runs, each with its own clock, c came before the swap of its own run
        ObjectNode twoRuns = AccessLogCheck.check(f, List.of(List.of(good("a", 1, 0, 5), good("b", 2, 1, 10)),
                List.of(good("c", 1, 15, 20))), Set.of());
        assertThat(twoRuns.path("stale_after_swap").asInt()).isZero();
        assertThat(twoRuns.path("passed").asBoolean()).as(twoRuns.toString()).isTrue();

        ObjectNode absent = AccessLogCheck.check(f, List.of(List.of(good("a", 1, 0, 5))), Set.of(1, 2));
        assertThat(absent.path("required_versions_absent").toString()).isEqualTo("[2]");
        assertThat(absent.path("passed").asBoolean()).isFalse();
    }

    @Test
    void recordsGoThroughTheirCsvUnchangedAndABadFileIsNamed() throws IOException {
        List<LoadRecord> records = List.of(good("m-1", 3, 1.5, 20.25),
                new LoadRecord("m-2", LoadRecord.WARMUP, Kind.NO_TOKEN, 0, 0, 2, 3, "no response: a, \"b\"\nc"));
        Path f = dir.resolve("records.csv");
        LoadRecord.write(f, records);
        List<LoadRecord> back = LoadRecord.read(f);
        assertThat(back).hasSize(2);
        assertThat(back.get(0)).isEqualTo(records.get(0));
        assertThat(back.get(1).error()).isEqualTo("no response: a b c");
        Files.writeString(f, "nope\n");
        assertThatThrownBy(() -> LoadRecord.read(f)).hasMessageContaining("records.csv").hasMessageContaining(
                "not a ServeLoad records file");
    }
}

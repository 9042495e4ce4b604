package io.medseg.mlops.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tamper campaign: every single-line edit, deletion, insertion and swap of a 200-event log is detected. */
class AuditLogTest {
    @TempDir
    Path tmp;
    private AuditLog log;
    private List<String> lines;
    private String head;

    @BeforeEach
    void twoHundredEvents() throws Exception {
        log = AuditLog.of(tmp);
        String[] actions = {"register", "validate", "promote", "archive", "serve.load", "access.denied"};
        for (int i = 0; i < 200; i++) {
            log.append(i % 3 == 0 ? "alice" : "token:bob", actions[i % actions.length],
                    new AuditLog.Subject("cardiac-lv", 1 + i / 10, "ab".repeat(32)), i % 7 == 0 ? "refused" : "ok",
                    Map.of("i", i));
        }
        lines = Files.readAllLines(log.file(), StandardCharsets.UTF_8);
        head = Files.readString(tmp.resolve(AuditLog.HEAD_NAME));
    }

    private AuditLog.Verdict verifyWith(List<String> changed) throws Exception {
        Files.writeString(log.file(), String.join("\n", changed) + (changed.isEmpty() ? "" : "\n"),
                StandardCharsets.UTF_8);
        Files.writeString(tmp.resolve(AuditLog.HEAD_NAME), head);
        return log.verify();
    }

    @Test
    void anIntactLogVerifies() throws Exception {
        AuditLog.Verdict v = log.verify();
        assertThat(v.intact()).as(v.reason()).isTrue();
        assertThat(v.entries()).isEqualTo(200);
        assertThat(log.entries().get(199).path("seq").asLong()).isEqualTo(200);
    }

    @Test
    void everySingleLineEditIsDetectedAtThatLine() throws Exception {
        for (int i = 0; i < lines.size(); i++) {
            List<String> c = new ArrayList<>(lines);
            c.set(i, c.get(i).replace("\"outcome\":\"ok\"", "\"outcome\":\"ko\"")
                    .replace("\"outcome\":\"refused\"", "\"outcome\":\"ok\""));
            AuditLog.Verdict v = verifyWith(c);
            assertThat(v.status()).as("edit of line %d", i + 1).isEqualTo(AuditLog.Status.TAMPERED);
            assertThat(v.firstBrokenLine()).isEqualTo(i + 1);
        }
    }

    @Test
    void everyDeletionIsDetected() throws Exception {
        for (int i = 0; i < lines.size(); i++) {
            List<String> c = new ArrayList<>(lines);
            c.remove(i);
            assertThat(verifyWith(c).status()).as("deletion of line %d", i + 1).isEqualTo(AuditLog.Status.TAMPERED);
        }
    }

    @Test
    void everyInsertionIsDetected() throws Exception {
        for (int i = 0; i <= lines.size(); i++) {
            for (String inserted : List.of(lines.get(i % lines.size()), lines.get((i + 17) % lines.size()))) {
                List<String> c = new ArrayList<>(lines);
                c.add(i, inserted);
                assertThat(verifyWith(c).status()).as("insertion before line %d", i + 1)
                        .isEqualTo(AuditLog.Status.TAMPERED);
            }
        }
    }

    @Test
    void everySwapOfTwoLinesIsDetected() throws Exception {
        int checked = 0;
        for (int i = 0; i < lines.size(); i++) {
            for (int j = i + 1; j < lines.size(); j++) {
                List<String> c = new ArrayList<>(lines);
                c.set(i, lines.get(j));
                c.set(j, lines.get(i));
                AuditLog.Verdict v = verifyWith(c);
                assertThat(v.status()).as("swap of %d and %d", i + 1, j + 1).isEqualTo(AuditLog.Status.TAMPERED);
                assertThat(v.firstBrokenLine()).isEqualTo(i + 1);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(200 * 199 / 2);
    }

    @Test
    void aCrashMidAppendIsTruncationNotTamperingAndTheNextAppendRepairsIt() throws Exception {
        byte[] all = Files.readAllBytes(log.file());
        String last = lines.get(199);
        // the crash: event 200 half on disk, the head (written after the log) still naming event 199
        Files.write(log.file(), java.util.Arrays.copyOf(all, all.length - last.length() / 2));
        Files.writeString(tmp.resolve(AuditLog.HEAD_NAME), "199 "
                + io.medseg.mlops.Hashing.sha256(lines.get(198).getBytes(StandardCharsets.UTF_8)) + "\n");
        AuditLog.Verdict v = log.verify();
        assertThat(v.status()).as(v.reason()).isEqualTo(AuditLog.Status.TRUNCATED);
        assertThat(v.firstBrokenLine()).isEqualTo(200);
        assertThat(v.reason()).contains("cut short");
        // the torn event was never complete: the next append cuts it off and takes its place
        assertThat(log.append("alice", "register", null, "ok", Map.of())).isEqualTo(200);
        assertThat(log.verify().intact()).as(log.verify().reason()).isTrue();
    }

    @Test
    void readingALogWithALineThatIsNotJsonNamesTheFileAndLine() throws Exception {
        List<String> c = new ArrayList<>(lines);
        c.set(4, "not an event");
        assertThat(verifyWith(c).firstBrokenLine()).isEqualTo(5);
        org.assertj.core.api.Assertions.assertThatThrownBy(log::entries)
                .isInstanceOf(io.medseg.data.DataFormatException.class)
                .hasMessageContaining(AuditLog.FILE_NAME).hasMessageContaining("line 5");
    }
}

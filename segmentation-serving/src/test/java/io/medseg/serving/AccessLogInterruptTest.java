package io.medseg.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/**
 * A thread that appends to the access log while interrupted (a request thread interrupted while it waited for the
 * network) neither loses its line nor closes the log for the requests after it.
 */
class AccessLogInterruptTest {
    @TempDir
    Path tmp;

    private static ObjectNode entry(String id) {
        ObjectNode n = HttpApi.JSON.createObjectNode();
        n.put("request_id", id);
        n.put("status", 503);
        return n;
    }

    @Test
    void anInterruptedAppendIsWrittenAndTheLogStaysOpen() throws IOException {
        Path file = tmp.resolve("access.log");
        AccessLog log = AccessLog.open(file);
        try {
            log.append(entry("before"));
            Thread.currentThread().interrupt();
            try {
                log.append(entry("interrupted"));
            } finally {
                assertThat(Thread.interrupted()).as("the interrupt is left for the caller").isTrue();
            }
            log.append(entry("after"));
        } finally {
            log.close();
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).contains("\"interrupted\"");
        assertThat(lines.get(2)).contains("\"after\"");
    }

    @Test
    void closingFromAnInterruptedThreadStillClosesCleanly() throws IOException {
        Path file = tmp.resolve("access.log");
        AccessLog log = AccessLog.open(file);
        log.append(entry("one"));
        Thread.currentThread().interrupt();
        try {
            log.close();
        } finally {
            Thread.interrupted();
        }
        assertThat(Files.readAllLines(file)).hasSize(1);
    }
}

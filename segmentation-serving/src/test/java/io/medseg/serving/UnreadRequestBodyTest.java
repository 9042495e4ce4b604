package io.medseg.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request refused before its body is read (401, 415, and 413 for a declared length over the limit) is answered
 * only once the body has arrived, so that a client still sending reads the answer rather than a reset connection,
 * and, unless the answer closes the connection, the connection serves the next request. Each request here sends
 * its body in two parts with a pause between them: a server that answered at once would answer in the pause.
 */
class UnreadRequestBodyTest {
    private static final int LIMIT = 64 * 1024;
    private static final int BODY = 100_000;
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");

    @TempDir
    static Path tmp;

    private static ModelServer server;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        ServingFixtures.registryWithProduction(tmp, 3, ServingFixtures.phantomImages(4, 96, 1));
        Path tokens = tmp.resolve("tokens");
        token = TokenFile.issue(tokens, "tester");
        ServerConfig config = ServerConfig.builder(tmp.resolve("registry"), ServingFixtures.NAME).port(0)
                .tokens(tokens).maxBodyBytes(LIMIT).build();
        server = ModelServer.start(config, ServingFixtures.backend());
        assertThat(server.awaitReady(60_000)).isTrue();
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aWrongContentTypeIsAnsweredAndTheConnectionServesTheNextRequest() throws IOException {
        Exchange x = sendInTwoParts("Content-Type: text/plain\r\nAuthorization: Bearer " + token + "\r\n", BODY,
                true);
        assertThat(x.early()).as("answered before the body had arrived").isEmpty();
        String answers = x.answers();
        assertThat(statuses(answers)).as(answers).containsExactly("415", "200");
        assertThat(answers).contains("{\"error\":");
    }

    @Test
    void aMissingTokenIsAnsweredAndTheConnectionServesTheNextRequest() throws IOException {
        Exchange x = sendInTwoParts("Content-Type: application/dicom\r\n", BODY, true);
        assertThat(x.early()).as("answered before the body had arrived").isEmpty();
        assertThat(statuses(x.answers())).as(x.answers()).containsExactly("401", "200");
    }

    @Test
    void aBodyOverTheLimitIsAnswered413BeforeTheConnectionCloses() throws IOException {
        Exchange x = sendInTwoParts("Content-Type: application/dicom\r\nAuthorization: Bearer " + token + "\r\n",
                LIMIT + 1, false);
        assertThat(x.early()).as("answered before the body had arrived").isEmpty();
        String answers = x.answers();
        assertThat(statuses(answers)).as(answers).containsExactly("413");
        assertThat(answers).contains("over the limit of " + LIMIT + " bytes");
    }

    /** What came back in the pause between the two parts of the body, and all that came back. */
    private record Exchange(String early, String answers) {
    }

    /**
     * POSTs a body of {@code length} bytes to /v1/segment in two parts, half a second apart; with {@code thenLive},
     * a GET of the live endpoint follows on the same connection. Returns what came back in the pause and all that
     * came back until the server closed the connection.
     */
    private static Exchange sendInTwoParts(String headers, int length, boolean thenLive) throws IOException {
        byte[] body = new byte[length];
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(("POST /v1/segment?mask=none HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "Content-Length: "
                    + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, length / 2);
            out.flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            // the pause: a server that answers without reading the body answers (and closes) in it
            s.setSoTimeout(500);
            try {
                int b = in.read();
                if (b >= 0) {
                    got.write(b);
                }
            } catch (SocketTimeoutException e) {
                // nothing yet: the server is waiting for the rest of the body
            }
            String early = got.toString(StandardCharsets.UTF_8);
            out.write(body, length / 2, length - length / 2);
            if (thenLive) {
                out.write("GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
            s.setSoTimeout(30_000);
            in.transferTo(got);
            return new Exchange(early, got.toString(StandardCharsets.UTF_8));
        }
    }

    private static List<String> statuses(String answers) {
        List<String> out = new ArrayList<>();
        Matcher m = STATUS.matcher(answers);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}

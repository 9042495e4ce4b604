package io.medseg.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.testdata.SunnybrookTestData;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The access log: one whole JSON line per request, whatever its answer, with every field; written before the
 * answer is sent; a torn last line cut off when the log is opened again.
 */
class AccessLogTest {
    private static final String NAME = ServingFixtures.NAME;
    private static final long MAX_BODY = 200_000;
    private static final List<String> FIELDS = List.of("time", "request_id", "client", "token_id", "method",
            "endpoint", "status", "model", "model_version", "input_sha256", "time_ms");

    @TempDir
    static Path tmp;

    private static ModelServer server;
    private static Path log;
    private static RawHttp anonymous;
    private static RawHttp alice;
    private static byte[] dicom;

    @BeforeAll
    static void start() throws Exception {
        ServingFixtures.registryWithProduction(tmp, 11, ServingFixtures.phantomImages(8, 128, 1));
        Path tokens = tmp.resolve("tokens");
        String token = TokenFile.issue(tokens, "alice");
        log = tmp.resolve("logs/access.log");
        server = ModelServer.start(ServerConfig.builder(tmp.resolve("registry"), NAME).port(0).tokens(tokens)
                .accessLog(log).maxBodyBytes(MAX_BODY).build(), ServingFixtures.backend());
        assertThat(server.awaitReady(60_000)).isTrue();
        anonymous = RawHttp.to(server);
        alice = anonymous.withToken(token);
        try (Stream<Path> files = Files.walk(SunnybrookTestData.dir().resolve("dicoms"))) {
            dicom = Files.readAllBytes(files.filter(p -> p.toString().endsWith(".dcm")).sorted().findFirst()
                    .orElseThrow());
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /**
     * Sends a request with {@code id} as its X-Request-Id and returns the log's line for it, read as soon as the
     * answer has arrived: the line must already be there.
     */
    private static JsonNode logged(RawHttp http, String id, String method, String path, String type, byte[] body,
            int status) throws IOException {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("X-Request-Id", id);
        if (type != null) {
            headers.put("Content-Type", type);
        }
        RawHttp.Response r = http.send(method, path, headers, body);
        List<String> lines = Files.readAllLines(log);
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.header("X-Request-Id")).isEqualTo(id);
        JsonNode line = only(lines, id);
        assertThat(line.propertyNames()).containsExactlyInAnyOrderElementsOf(FIELDS);
        assertThat(Instant.parse(line.get("time").asString())).isBeforeOrEqualTo(Instant.now());
        assertThat(line.get("client").asString()).isEqualTo("127.0.0.1");
        assertThat(line.get("method").asString()).isEqualTo(method);
        assertThat(line.get("status").asInt()).isEqualTo(status);
        assertThat(line.get("model").asString()).isEqualTo(NAME);
        assertThat(line.get("time_ms").isNumber()).isTrue();
        assertThat(line.get("time_ms").asDouble()).isNotNegative();
        return line;
    }

    private static JsonNode only(List<String> lines, String id) {
        List<JsonNode> found = new ArrayList<>();
        for (String l : lines) {
            JsonNode n = RawHttp.JSON.readTree(l);
            if (id.equals(n.get("request_id").asString())) {
                found.add(n);
            }
        }
        assertThat(found).as("lines for request %s", id).hasSize(1);
        return found.get(0);
    }

    @Test
    void aSegmentationIsLoggedWithTheClientTheModelAndTheBodysHash() throws IOException {
        JsonNode n = logged(alice, "seg-1", "POST", "/v1/segment", "application/dicom", dicom, 200);

        assertThat(n.get("token_id").asString()).isEqualTo("alice");
        assertThat(n.get("endpoint").asString()).isEqualTo("/v1/segment");
        assertThat(n.get("model_version").asInt()).isEqualTo(1);
        assertThat(n.get("input_sha256").asString()).isEqualTo(sha256Hex(dicom));
    }

    @Test
    void anInferenceIsLoggedWithItsRouteAndTheBodysHash() throws IOException {
        byte[] body = InferenceProtocolTest.inferRequest(List.of(InferenceProtocolTest.image(64, 64, 1)), null)
                .toString().getBytes(StandardCharsets.UTF_8);

        JsonNode n = logged(alice, "infer-1", "POST", "/v2/models/" + NAME + "/versions/1/infer",
                "application/json", body, 200);

        assertThat(n.get("endpoint").asString()).isEqualTo("/v2/models/{name}/versions/{version}/infer");
        assertThat(n.get("model_version").asInt()).isEqualTo(1);
        assertThat(n.get("input_sha256").asString()).isEqualTo(sha256Hex(body));
    }

    @Test
    void refusedRequestsAreLoggedToo() throws IOException {
        JsonNode unauthorised = logged(anonymous, "r-401", "GET", "/v2", null, null, 401);
        assertThat(unauthorised.get("token_id").isNull()).isTrue();
        assertThat(unauthorised.get("endpoint").asString()).isEqualTo("/v2");
        assertThat(unauthorised.get("model_version").isNull()).isTrue();
        assertThat(unauthorised.get("input_sha256").isNull()).isTrue();

        JsonNode unauthorisedPost = logged(anonymous, "r-401-post", "POST", "/v1/segment", "application/dicom",
                dicom, 401);
        assertThat(unauthorisedPost.get("input_sha256").isNull()).isTrue();

        JsonNode unknownPath = logged(alice, "r-404-path", "GET", "/v2/nowhere", null, null, 404);
        assertThat(unknownPath.get("endpoint").asString()).isEqualTo("/v2/nowhere");
        assertThat(unknownPath.get("token_id").asString()).isEqualTo("alice");

        JsonNode unknownModel = logged(alice, "r-404-model", "GET", "/v2/models/brain", null, null, 404);
        assertThat(unknownModel.get("endpoint").asString()).isEqualTo("/v2/models/{name}");

        JsonNode tooLarge = logged(alice, "r-413", "POST", "/v1/segment", "application/dicom",
                new byte[(int) MAX_BODY + 1], 413);
        assertThat(tooLarge.get("input_sha256").isNull()).isTrue();

        byte[] bad = "not a dicom".getBytes(StandardCharsets.US_ASCII);
        JsonNode badInput = logged(alice, "r-400", "POST", "/v1/segment", "application/dicom", bad, 400);
        assertThat(badInput.get("input_sha256").asString()).isEqualTo(sha256Hex(bad));
        assertThat(badInput.get("model_version").isNull()).isTrue();

        JsonNode wrongType = logged(alice, "r-415", "POST", "/v1/segment", "text/plain", bad, 415);
        assertThat(wrongType.get("endpoint").asString()).isEqualTo("/v1/segment");
    }

    @Test
    void aChunkedBodyOverTheLimitIsLoggedAs413() throws IOException {
        RawHttp.Response r = alice.chunked("POST", "/v1/segment", "application/dicom", new byte[(int) MAX_BODY * 2],
                50_000);

        r.assertError(413);
        JsonNode n = only(Files.readAllLines(log), r.header("X-Request-Id"));
        assertThat(n.get("status").asInt()).isEqualTo(413);
    }

    @Test
    void aRequestIdThatIsNotAcceptableIsReplacedAndTheLogAgreesWithTheHeader() throws IOException {
        for (String given : List.of("has space", "x".repeat(65), "semi;colon", "\u00e9t\u00e9")) {
            RawHttp.Response r = anonymous.send("GET", "/v2/health/live", Map.of("X-Request-Id", given), null);

            String id = r.header("X-Request-Id");
            assertThat(id).as(given).isNotEqualTo(given).matches("[0-9a-f-]{36}");
            assertThat(only(Files.readAllLines(log), id).get("endpoint").asString()).isEqualTo("/v2/health/live");
        }
        RawHttp.Response r = anonymous.send("GET", "/v2/health/live", Map.of("X-Request-Id", "a.B_9:z-" + "x".repeat(
                56)), null);
        assertThat(r.header("X-Request-Id")).isEqualTo("a.B_9:z-" + "x".repeat(56));
    }

    @Test
    void concurrentRequestsGiveOneWholeLineEach() throws Exception {
        int threads = 8;
        int each = 20;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        String id = "c-" + thread + "-" + i;
                        Map<String, String> h = Map.of("X-Request-Id", id, "Content-Type", "application/dicom");
                        switch (i % 4) {
                            case 0 -> alice.send("POST", "/v1/segment", h, dicom);
                            case 1 -> anonymous.send("GET", "/v2", h, null);
                            case 2 -> alice.send("GET", "/v2/models/" + NAME, h, null);
                            default -> anonymous.send("GET", "/v2/health/ready", h, null);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        byte[] bytes = Files.readAllBytes(log);
        assertThat(bytes[bytes.length - 1]).isEqualTo((byte) '\n');
        Set<String> seen = new HashSet<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            JsonNode n = RawHttp.JSON.readTree(line); // each line is one whole JSON object
            assertThat(n.propertyNames()).containsExactlyInAnyOrderElementsOf(FIELDS);
            String id = n.get("request_id").asString();
            if (id.startsWith("c-")) {
                assertThat(seen.add(id)).as("one line for %s", id).isTrue();
            }
        }
        assertThat(seen).hasSize(threads * each);
    }

    // ---- the file itself

    @Test
    void aTornLastLineIsCutOffAndEarlierLinesKept(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("access.log");
        String whole = "{\"request_id\":\"a\"}\n{\"request_id\":\"b\"}\n";
        Files.writeString(file, whole + "{\"request_id\":\"c\",\"sta");

        try (AccessLog opened = AccessLog.open(file)) {
            assertThat(Files.readString(file)).isEqualTo(whole);
            opened.append(entry("d"));
        }

        assertThat(Files.readAllLines(file)).containsExactly("{\"request_id\":\"a\"}", "{\"request_id\":\"b\"}",
                "{\"request_id\":\"d\"}");
    }

    @Test
    void aTornLineLongerThanTheReadBufferIsCutOffWhole(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("access.log");
        String whole = "{\"request_id\":\"a\"}\n";
        Files.writeString(file, whole + "{\"request_id\":\"" + "x".repeat(20_000));

        AccessLog.open(file).close();

        assertThat(Files.readString(file)).isEqualTo(whole);
    }

    @Test
    void aFileOfOnlyATornLineIsEmptiedAndAWholeFileLeftAlone(@TempDir Path dir) throws IOException {
        Path torn = Files.writeString(dir.resolve("torn.log"), "{\"request_id\":\"a\"");
        Path whole = Files.writeString(dir.resolve("whole.log"), "{\"request_id\":\"a\"}\n");

        AccessLog.open(torn).close();
        AccessLog.open(whole).close();

        assertThat(torn).isEmptyFile();
        assertThat(Files.readString(whole)).isEqualTo("{\"request_id\":\"a\"}\n");
    }

    @Test
    void aServerStartedOnATornLogAppendsAfterTheWholeLines(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        String whole = "{\"request_id\":\"earlier\"}\n";
        Files.writeString(file, whole + "{\"request_id\":\"torn");
        ServerConfig config = ServerConfig.builder(tmp.resolve("registry"), NAME).port(0).accessLog(file).build();

        try (ModelServer s = ModelServer.start(config, ServingFixtures.backend())) {
            RawHttp.to(s).send("GET", "/v2/health/live", Map.of("X-Request-Id", "after"), null);
        }

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("{\"request_id\":\"earlier\"}");
        assertThat(RawHttp.JSON.readTree(lines.get(1)).get("request_id").asString()).isEqualTo("after");
    }

    @Test
    void aClosedLogRefusesToAppend(@TempDir Path dir) throws IOException {
        AccessLog closed = AccessLog.open(dir.resolve("access.log"));
        closed.close();

        assertThatThrownBy(() -> closed.append(entry("late"))).isInstanceOf(IOException.class)
                .hasMessageContaining("closed");
    }

    /** The log line of a request is in the file while its answer is still being received. */
    @Test
    void theLineIsWrittenBeforeTheAnswerIsSent() throws IOException {
        try (Socket s = alice.open()) {
            s.getOutputStream().write(alice.head("GET", "/metrics", Map.of("X-Request-Id", "before-1")));
            s.getOutputStream().flush();
            // the first byte of the answer has arrived: the line must be in the file already
            java.io.InputStream in = new java.io.BufferedInputStream(s.getInputStream());
            in.mark(1);
            assertThat(in.read()).isNotNegative();
            assertThat(only(Files.readAllLines(log), "before-1").get("status").asInt()).isEqualTo(200);
            in.reset();
            assertThat(RawHttp.read(in).status()).isEqualTo(200);
        }
    }

    private static ObjectNode entry(String id) {
        ObjectNode n = HttpApi.JSON.createObjectNode();
        n.put("request_id", id);
        return n;
    }

    private static String sha256Hex(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}

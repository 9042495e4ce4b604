package io.medseg.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.DataFormatException;
import io.medseg.testdata.SunnybrookTestData;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A server with a tokens file: every endpoint but the two health ones and the viewer page needs
 * {@code Authorization: Bearer <token>} of a client in the file, read again when it changes; the access log names
 * the client, never the token. Without tokens the server may only listen on the loopback interface.
 */
class AccessControlTest {
    private static final String NAME = ServingFixtures.NAME;
    private static final String MODEL = "/v2/models/" + NAME;

    @TempDir
    static Path tmp;

    private static Path tokensFile;
    private static String alice;
    private static String bob;
    private static ModelServer server;
    private static RawHttp anonymous;
    private static byte[] dicom;
    private static String inferBody;

    /** A request the tests send with and without a token. */
    private static final class Call {
        private final String method;
        private final String path;
        private final String contentType;
        private final byte[] body;

        Call(String method, String path, String contentType, byte[] body) {
            this.method = method;
            this.path = path;
            this.contentType = contentType;
            this.body = body;
        }

        RawHttp.Response send(RawHttp http, Map<String, String> extra) {
            Map<String, String> headers = new java.util.LinkedHashMap<>(extra);
            if (contentType != null) {
                headers.put("Content-Type", contentType);
            }
            return http.send(method, path, headers, body);
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        ServingFixtures.registryWithProduction(tmp, 11, ServingFixtures.phantomImages(8, 128, 1));
        tokensFile = tmp.resolve("tokens");
        alice = TokenFile.issue(tokensFile, "alice");
        bob = TokenFile.issue(tokensFile, "bob");
        server = ModelServer.start(ServerConfig.builder(tmp.resolve("registry"), NAME).port(0).tokens(tokensFile)
                .build(), ServingFixtures.backend());
        assertThat(server.awaitReady(60_000)).isTrue();
        anonymous = RawHttp.to(server);
        try (Stream<Path> files = Files.walk(SunnybrookTestData.dir().resolve("dicoms"))) {
            dicom = Files.readAllBytes(files.filter(p -> p.toString().endsWith(".dcm")).sorted().findFirst()
                    .orElseThrow());
        }
        inferBody = InferenceProtocolTest.inferRequest(List.of(InferenceProtocolTest.image(64, 64, 1)), null)
                .toString();
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theModelLoadAndDenialsAreInTheRegistrysAuditTrailOncePerClientAndMinute() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(anonymous.send("GET", MODEL, Map.of(), null).status()).isEqualTo(401);
            assertThat(anonymous.send("GET", MODEL, Map.of("Authorization", "Bearer not-a-token"), null).status())
                    .isEqualTo(401);
        }
        io.medseg.mlops.audit.AuditLog log = io.medseg.mlops.audit.AuditLog.of(tmp.resolve("registry"));
        List<JsonNode> denials = List.of();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            denials = log.entries().stream().filter(e -> e.path("action").asString().equals("access-denied"))
                    .toList();
            if (denials.size() >= 2) {
                break;
            }
            Thread.sleep(20);
        }
        // one line per client and reason in the interval, however many requests (other tests deny too)
        assertThat(denials).extracting(e -> e.path("details").path("reason").asString())
                .containsOnlyOnce("no bearer token", "unknown bearer token");
        assertThat(denials.get(0).path("actor").asString()).isEqualTo("anonymous");
        assertThat(denials.get(0).path("subject").path("name").asString()).isEqualTo(NAME);
        assertThat(log.entries()).anySatisfy(e -> {
            assertThat(e.path("action").asString()).isEqualTo("serve-load");
            assertThat(e.path("outcome").asString()).isEqualTo("ok");
            assertThat(e.path("subject").path("manifest_sha256").asString()).hasSize(64);
        });
        assertThat(log.verify().intact()).isTrue();
    }

    private static List<Call> protectedCalls() {
        byte[] json = inferBody.getBytes(StandardCharsets.UTF_8);
        return List.of(
                new Call("GET", "/v2", null, null),
                new Call("GET", MODEL, null, null),
                new Call("GET", MODEL + "/versions/1", null, null),
                new Call("GET", MODEL + "/ready", null, null),
                new Call("GET", MODEL + "/versions/1/ready", null, null),
                new Call("POST", MODEL + "/infer", "application/json", json),
                new Call("POST", MODEL + "/versions/1/infer", "application/json", json),
                new Call("POST", "/v1/segment", "application/dicom", dicom),
                new Call("GET", "/v1/drift", null, null),
                new Call("GET", "/metrics", null, null));
    }

    @Test
    void everyEndpointButHealthAndTheViewerIs401WithoutAToken() {
        for (Call call : protectedCalls()) {
            RawHttp.Response r = call.send(anonymous, Map.of());

            assertThat(r.assertError(401)).as(call.toString()).contains("Authorization: Bearer");
            assertThat(r.header("WWW-Authenticate")).as(call.toString()).isEqualTo("Bearer realm=\"medseg\"");
        }
    }

    @Test
    void aWrongTokenOrAnotherSchemeIs401() {
        List<String> wrong = List.of("Bearer " + alice + "x", "Bearer " + alice.substring(1), "Bearer nonsense",
                "Basic " + alice, alice, "Bearer", "Bearer ", "Bearer " + HexFormat.of().formatHex(
                        TokenFile.sha256(alice)));
        for (Call call : protectedCalls()) {
            for (String authorization : wrong) {
                RawHttp.Response r = call.send(anonymous, Map.of("Authorization", authorization));

                r.assertError(401);
                assertThat(r.header("WWW-Authenticate")).as(call + " with " + authorization)
                        .isEqualTo("Bearer realm=\"medseg\"");
                assertThat(r.text()).doesNotContain(alice);
            }
        }
    }

    @Test
    void theRightTokenIsLetThroughEverywhere() {
        for (String token : List.of(alice, bob)) {
            for (Call call : protectedCalls()) {
                RawHttp.Response r = call.send(anonymous, Map.of("Authorization", "Bearer " + token));

                assertThat(r.status()).as(call + ": " + r.text()).isEqualTo(200);
                assertThat(r.header("WWW-Authenticate")).isNull();
            }
        }
        // the scheme's name is not case-sensitive
        assertThat(anonymous.send("GET", "/v2", Map.of("Authorization", "bearer " + alice), null).status())
                .isEqualTo(200);
    }

    /**
     * A client that sends a body without a token reads the 401, rather than a connection reset while it is still
     * sending: the server reads the body it refused before it answers (up to a bound).
     */
    @Test
    void aClientSendingADicomWithoutATokenReadsThe401() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        byte[] body = new byte[1_500_000]; // a large frame: more than the socket buffers hold
        System.arraycopy(dicom, 0, body, 0, dicom.length);
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.port() + "/v1/segment")).header("Content-Type", "application/dicom")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.body()).contains("Authorization: Bearer");
        }
    }

    @Test
    void healthAndTheViewerNeedNoToken() {
        assertThat(anonymous.get("/v2/health/live").status()).isEqualTo(200);
        assertThat(anonymous.get("/v2/health/ready").status()).isEqualTo(200);
        // the page holds no data; it asks for the token itself
        assertThat(anonymous.get("/").status()).isNotEqualTo(401);
    }

    @Test
    void anUnknownPathIs401WithoutATokenAnd404WithOne() {
        anonymous.get("/v2/secret").assertError(401);
        anonymous.withToken(alice).get("/v2/secret").assertError(404);
        anonymous.get("/v2/health/live/../../models/" + NAME).assertNoStackTrace();
        assertThat(anonymous.get("/v2/health/live/../../models/" + NAME).status()).isNotEqualTo(200);
        assertThat(anonymous.get("/v2/health/%6Cive/../../models/" + NAME).status()).isNotEqualTo(200);
    }

    @Test
    void tokensAddedAndRemovedWhileServingTakeEffect() throws IOException {
        String carol = TokenFile.issue(tokensFile, "carol");
        assertThat(anonymous.withToken(carol).get("/v2").status()).isEqualTo(200);

        List<String> kept = new ArrayList<>();
        for (String line : Files.readAllLines(tokensFile)) {
            if (!line.startsWith("carol ")) {
                kept.add(line);
            }
        }
        Files.write(tokensFile, kept);

        anonymous.withToken(carol).get("/v2").assertError(401);
        assertThat(anonymous.withToken(alice).get("/v2").status()).isEqualTo(200);
    }

    @Test
    void theAccessLogNamesTheClientAndNeverHoldsAToken() throws IOException {
        anonymous.withToken(bob).send("GET", "/v2", Map.of("X-Request-Id", "bob-1"), null);
        anonymous.send("GET", "/v2", Map.of("X-Request-Id", "nobody-1"), null);
        anonymous.send("GET", "/v2", Map.of("X-Request-Id", "wrong-1", "Authorization", "Bearer " + bob + "x"),
                null);

        String log = Files.readString(server.config().accessLog());
        assertThat(log).doesNotContain(alice).doesNotContain(bob);
        JsonNode bobs = line(log, "bob-1");
        assertThat(bobs.get("token_id").asString()).isEqualTo("bob");
        assertThat(bobs.get("status").asInt()).isEqualTo(200);
        for (String id : List.of("nobody-1", "wrong-1")) {
            JsonNode n = line(log, id);
            assertThat(n.get("token_id").isNull()).as(id).isTrue();
            assertThat(n.get("status").asInt()).as(id).isEqualTo(401);
        }
    }

    @Test
    void aMalformedTokensFileIsRefusedAtStartNamingTheLine() throws IOException {
        Path bad = Files.writeString(tmp.resolve("bad-tokens"), "alice " + "0".repeat(64) + "\nbob\n");
        ServerConfig config = ServerConfig.builder(tmp.resolve("registry"), NAME).port(0).tokens(bad)
                .accessLog(tmp.resolve("bad.log")).build();

        assertThatThrownBy(() -> ModelServer.start(config, ServingFixtures.backend()))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("line 2");
    }

    @Test
    void withoutTokensOnlyALoopbackHostIsAllowed() {
        Path registry = tmp.resolve("registry");
        for (String host : List.of("0.0.0.0", "192.0.2.10", "::", "10.1.2.3")) {
            assertThatThrownBy(() -> ServerConfig.builder(registry, NAME).host(host).build()).as(host)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(host)
                    .hasMessageContaining("tokens");
            assertThat(ServerConfig.builder(registry, NAME).host(host).tokens(tokensFile).build().requiresTokens())
                    .isTrue();
        }
        for (String host : List.of("127.0.0.1", "localhost", "::1", "127.0.0.2")) {
            assertThat(ServerConfig.builder(registry, NAME).host(host).build().host()).isEqualTo(host);
        }
    }

    private static JsonNode line(String log, String requestId) {
        List<JsonNode> found = log.lines().map(l -> RawHttp.JSON.readTree(l))
                .filter(n -> requestId.equals(n.get("request_id").asString())).toList();
        assertThat(found).as(requestId).hasSize(1);
        return found.get(0);
    }
}

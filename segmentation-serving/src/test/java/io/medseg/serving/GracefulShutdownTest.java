package io.medseg.serving;

import static io.medseg.serving.ServingFixtures.NAME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.io.Json;
import io.medseg.testdata.SunnybrookTestData;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code close()} with requests in flight: they are all answered, nothing new is taken, the access log is whole. */
class GracefulShutdownTest {
    private static final int IN_FLIGHT = 6;

    @TempDir
    Path tmp;

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            throw new AssertionError("connecting to " + port + ": " + e, e);
        }
    }

    @Test
    void closeAnswersEveryRequestAlreadyReceivedAndRefusesNewConnections() throws Exception {
        ServingFixtures.registryWithProduction(tmp, 11, ServingFixtures.phantomImages(8, 128, 1));
        ServerConfig config = ServerConfig.builder(tmp.resolve("registry"), NAME).port(0).maxBatch(1).build();
        List<byte[]> frames = new ArrayList<>();
        for (Path p : DicomFrames.files(SunnybrookTestData.dir().resolve("dicoms")).subList(0, IN_FLIGHT)) {
            frames.add(Files.readAllBytes(p));
        }
        GatedBackend backend = new GatedBackend(ServingFixtures.backend());
        ModelServer server = ModelServer.start(config, backend);
        CompletableFuture<Void> closing;
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        int port;
        try (CapturedLog log = CapturedLog.start()) {
            assertThat(server.awaitReady(60_000)).isTrue();
            port = server.port();
            ServerClient client = new ServerClient(port);
            assertThat(client.segment(frames.get(0), "mask=none", "before").statusCode()).isEqualTo(200);
            // one request at the network, held there, and five queued behind it
            backend.shut();
            for (int i = 0; i < IN_FLIGHT; i++) {
                byte[] f = frames.get(i);
                String id = "in-flight-" + i;
                inFlight.add(CompletableFuture.supplyAsync(() -> client.segment(f, "mask=none", id)));
                if (i == 0) {
                    assertThat(backend.awaitHeld(60_000)).isTrue();
                }
            }
            ServedModel model = server.lease().orElseThrow();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (model.queued() < IN_FLIGHT - 1 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(model.queued()).isEqualTo(IN_FLIGHT - 1);
            } finally {
                model.release();
            }

            closing = CompletableFuture.runAsync(() -> {
                try {
                    server.close();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            // while the received requests wait, the server stops taking connections
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (accepts(port) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(accepts(port)).as("a new connection while closing").isFalse();
            assertThat(closing).isNotDone();
            assertThat(inFlight).noneMatch(CompletableFuture::isDone);
            assertThat(log.matching("model cardiac v1 closed")).isEmpty();

            backend.open();
            closing.get(120, TimeUnit.SECONDS);
            for (int i = 0; i < IN_FLIGHT; i++) {
                HttpResponse<String> r = inFlight.get(i).get(5, TimeUnit.SECONDS);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                JsonNode n = Json.tree(r.body());
                assertThat(n.path("request_id").asString()).isEqualTo("in-flight-" + i);
                assertThat(n.path("model").path("version").asInt()).isEqualTo(1);
            }
            assertThat(log.matching("model cardiac v1 closed")).hasSize(1);
        } finally {
            backend.open();
            server.close();
        }
        assertThat(accepts(port)).as("a new connection after close").isFalse();
        ServerClient late = new ServerClient(port);
        assertThatThrownBy(() -> late.get("/v2/health/live")).hasCauseInstanceOf(ConnectException.class);
        server.close(); // again: nothing happens

        // every answered request is in the access log, whole lines only
        Map<String, JsonNode> logged = new HashMap<>();
        List<String> lines = Files.readAllLines(config.accessLog());
        for (String line : lines) {
            JsonNode n = Json.tree(line);
            logged.put(n.path("request_id").asString(), n);
        }
        assertThat(lines).hasSize(1 + IN_FLIGHT);
        assertThat(logged.get("before").path("status").asInt()).isEqualTo(200);
        for (int i = 0; i < IN_FLIGHT; i++) {
            JsonNode n = logged.get("in-flight-" + i);
            assertThat(n).as("in-flight-%d", i).isNotNull();
            assertThat(n.path("status").asInt()).isEqualTo(200);
            assertThat(n.path("endpoint").asString()).isEqualTo("/v1/segment");
            assertThat(n.path("model_version").asInt()).isEqualTo(1);
        }
        assertThat(Files.readString(config.accessLog())).endsWith("\n");
    }

    /**
     * A request thread interrupted while it logs (the server stopping, a wait given up) writes its line and leaves
     * the log open for the others, its interrupt still set.
     */
    @Test
    void anInterruptedThreadDoesNotCloseTheAccessLog() throws Exception {
        Path file = tmp.resolve("access.log");
        try (AccessLog log = AccessLog.open(file)) {
            Thread.currentThread().interrupt();
            try {
                log.append(HttpApi.JSON.createObjectNode().put("request_id", "interrupted"));
            } finally {
                assertThat(Thread.interrupted()).as("the interrupt is left set").isTrue();
            }
            log.append(HttpApi.JSON.createObjectNode().put("request_id", "after"));
        }
        assertThat(Files.readAllLines(file)).containsExactly("{\"request_id\":\"interrupted\"}",
                "{\"request_id\":\"after\"}");
    }
}

package io.medseg.serving;

import static io.medseg.serving.ServingFixtures.NAME;
import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.inference.Segmenter;
import io.medseg.io.Json;
import io.medseg.mlops.registry.ModelRegistry;
import io.medseg.testdata.SunnybrookTestData;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Requests that arrive together share network calls, each still getting the answer the offline {@link Segmenter}
 * gives for its image alone; a full queue answers 503 and leaves the batcher working.
 */
class BatchingTest {
    private static final String SEGMENT = "medseg_http_requests_total{endpoint=\"/v1/segment\",status=\"";

    @TempDir
    Path tmp;

    private static List<byte[]> frames;

    @BeforeAll
    static void data() throws Exception {
        frames = new ArrayList<>();
        for (Path p : DicomFrames.files(SunnybrookTestData.dir().resolve("dicoms")).subList(0, 16)) {
            frames.add(Files.readAllBytes(p));
        }
    }

    private ServerConfig.Builder config() {
        ServingFixtures.registryWithProduction(tmp, 11, ServingFixtures.phantomImages(8, 128, 1));
        return ServerConfig.builder(tmp.resolve("registry"), NAME).port(0);
    }

    /** What the offline segmenter says of each frame, alone, with the package the server serves. */
    private List<Mask> singleImageMasks() throws Exception {
        ModelRegistry registry = ModelRegistry.open(tmp.resolve("registry"));
        List<Mask> masks = new ArrayList<>();
        try (SegmentationModel model = ServingFixtures.backend().load(registry.get(NAME, 1))) {
            Segmenter segmenter = model.segmenter();
            for (byte[] f : frames) {
                masks.add(segmenter.predict(DicomFrames.image(f)));
            }
        }
        return masks;
    }

    /** The mask of a {@code ?mask=rle} answer. */
    static Mask mask(JsonNode answer) {
        JsonNode m = answer.path("mask");
        assertThat(m.path("encoding").asString()).isEqualTo("rle");
        int h = m.path("height").asInt();
        int w = m.path("width").asInt();
        byte[] labels = new byte[h * w];
        int at = 0;
        JsonNode values = m.path("values");
        JsonNode lengths = m.path("lengths");
        for (int i = 0; i < values.size(); i++) {
            for (int k = 0; k < lengths.get(i).asInt(); k++) {
                labels[at++] = (byte) values.get(i).asInt();
            }
        }
        assertThat(at).isEqualTo(h * w);
        return Mask.of(h, w, labels);
    }

    private static List<HttpResponse<String>> concurrently(ServerClient client, List<byte[]> bodies)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(bodies.size());
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (byte[] b : bodies) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return client.segment(b, "mask=rle", null);
                }));
            }
            go.countDown();
            List<HttpResponse<String>> out = new ArrayList<>();
            for (Future<HttpResponse<String>> f : futures) {
                out.add(f.get(120, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertSingleImageAnswers(List<HttpResponse<String>> answers, List<Mask> expected) {
        for (int i = 0; i < answers.size(); i++) {
            HttpResponse<String> r = answers.get(i);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode n = Json.tree(r.body());
            Mask m = mask(n);
            assertThat(m).as("frame %d", i).isEqualTo(expected.get(i));
            assertThat(n.path("lv_area_pixels").asLong())
                    .isEqualTo((long) m.height() * m.width() - expected.get(i).count(0));
        }
    }

    @Test
    void requestsQueuedTogetherRunInFullBatchesAndGetTheirSingleImageAnswers() throws Exception {
        GatedBackend backend = new GatedBackend(ServingFixtures.backend());
        ServerConfig config = config().maxBatch(8).maxWait(Duration.ofMillis(50)).build();
        List<Mask> expected = singleImageMasks();
        try (ModelServer server = ModelServer.start(config, backend)) {
            assertThat(server.awaitReady(60_000)).isTrue();
            ServerClient client = new ServerClient(server.port());
            // the first request's network call waits at the gate while the other fifteen queue up behind it
            backend.shut();
            CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(
                    () -> client.segment(frames.get(0), "mask=rle", null));
            assertThat(backend.awaitHeld(60_000)).isTrue();
            List<CompletableFuture<HttpResponse<String>>> rest = new ArrayList<>();
            for (byte[] f : frames.subList(1, 16)) {
                rest.add(CompletableFuture.supplyAsync(() -> client.segment(f, "mask=rle", null)));
            }
            ServedModel model = server.lease().orElseThrow();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (model.queued() < 15 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(model.queued()).isEqualTo(15);
            } finally {
                model.release();
            }
            assertThat(client.metrics()).containsEntry("medseg_queue_depth", 15.0);
            backend.open();
            List<HttpResponse<String>> answers = new ArrayList<>();
            answers.add(first.get(120, TimeUnit.SECONDS));
            for (CompletableFuture<HttpResponse<String>> f : rest) {
                answers.add(f.get(120, TimeUnit.SECONDS));
            }
            assertSingleImageAnswers(answers, expected);
            // one call of 1, then 8 and 7: the queued ones were taken as full batches
            Map<String, Double> metrics = client.metrics();
            assertThat(metrics).containsEntry("medseg_batch_size_count", 3.0)
                    .containsEntry("medseg_batch_size_sum", 16.0)
                    .containsEntry("medseg_batch_size_max", 8.0)
                    .containsEntry("medseg_batch_size_bucket{le=\"1.0\"}", 1.0)
                    .containsEntry("medseg_batch_size_bucket{le=\"7.0\"}", 2.0)
                    .containsEntry("medseg_batch_size_bucket{le=\"8.0\"}", 3.0)
                    .containsEntry("medseg_queue_depth", 0.0);
        }
    }

    @Test
    void requestsArrivingTogetherWaitForEachOtherUpToMaxWait() throws Exception {
        ServerConfig config = config().maxBatch(8).maxWait(Duration.ofMillis(100)).build();
        List<Mask> expected = singleImageMasks();
        try (ModelServer server = ModelServer.start(config, ServingFixtures.backend())) {
            assertThat(server.awaitReady(60_000)).isTrue();
            ServerClient client = new ServerClient(server.port());
            assertSingleImageAnswers(concurrently(client, frames), expected);
            Map<String, Double> metrics = client.metrics();
            assertThat(metrics).containsEntry("medseg_batch_size_sum", 16.0);
            // sixteen requests let loose at once do not go one by one
            assertThat(metrics.get("medseg_batch_size_count")).isLessThan(16.0);
            assertThat(metrics.get("medseg_batch_size_max")).isGreaterThan(1.0);
            assertThat(metrics).containsEntry(SEGMENT + "200\"}", 16.0);
        }
    }

    @Test
    void aFullQueueAnswers503AndTheBatcherCarriesOn() throws Exception {
        GatedBackend backend = new GatedBackend(ServingFixtures.backend());
        ServerConfig config = config().maxBatch(1).maxQueue(1).build();
        List<Mask> expected = singleImageMasks();
        try (ModelServer server = ModelServer.start(config, backend)) {
            assertThat(server.awaitReady(60_000)).isTrue();
            ServerClient client = new ServerClient(server.port());
            backend.shut();
            CompletableFuture<HttpResponse<String>> running = CompletableFuture.supplyAsync(
                    () -> client.segment(frames.get(0), "mask=rle", "running"));
            assertThat(backend.awaitHeld(60_000)).isTrue();
            CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(
                    () -> client.segment(frames.get(1), "mask=rle", "waiting"));
            ServedModel model = server.lease().orElseThrow();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (model.queued() < 1 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(model.queued()).isEqualTo(1);
            } finally {
                model.release();
            }
            HttpResponse<String> refused = client.segment(frames.get(2), "mask=rle", "refused");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(Json.tree(refused.body()).path("error").asString())
                    .isEqualTo("1 images are already waiting for the network; try again shortly");
            assertThat(running).isNotDone();
            backend.open();
            List<HttpResponse<String>> answers = new ArrayList<>();
            answers.add(running.get(120, TimeUnit.SECONDS));
            answers.add(waiting.get(120, TimeUnit.SECONDS));
            // the batcher is not stuck: later requests, one after another, are answered
            for (byte[] f : frames.subList(2, 6)) {
                answers.add(client.segment(f, "mask=rle", null));
            }
            List<Mask> want = new ArrayList<>(expected.subList(0, 2));
            want.addAll(expected.subList(2, 6));
            assertSingleImageAnswers(answers, want);
            Map<String, Double> metrics = client.metrics();
            assertThat(metrics).containsEntry(SEGMENT + "503\"}", 1.0).containsEntry(SEGMENT + "200\"}", 6.0)
                    .containsEntry("medseg_batch_size_count", 6.0).containsEntry("medseg_queue_depth", 0.0);
        }
        List<String> refusedLine = Files.readAllLines(config.accessLog()).stream()
                .filter(l -> l.contains("\"request_id\":\"refused\"")).toList();
        assertThat(refusedLine).hasSize(1);
        assertThat(Json.tree(refusedLine.get(0)).path("status").asInt()).isEqualTo(503);
    }
}

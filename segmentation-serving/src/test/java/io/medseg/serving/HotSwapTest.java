package io.medseg.serving;

import static io.medseg.serving.ServingFixtures.NAME;
import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.data.Image;
import io.medseg.io.Json;
import io.medseg.mlops.ModelPackage;
import io.medseg.mlops.PackageManifest;
import io.medseg.mlops.registry.ModelRegistry;
import io.medseg.mlops.registry.Stage;
import io.medseg.testdata.SunnybrookTestData;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * A version promoted while the server is busy is swapped in without a failed request; one that cannot be loaded is
 * refused and the old one keeps serving; a fixed version stays.
 */
class HotSwapTest {
    private static final Logger LOG = LoggerFactory.getLogger(HotSwapTest.class);
    private static final Duration WATCH = Duration.ofMillis(100);
    private static final int CLIENTS = 8;

    @TempDir
    Path tmp;

    private static List<Image> reference;
    private static List<byte[]> frames;

    @BeforeAll
    static void data() throws Exception {
        reference = ServingFixtures.phantomImages(8, 128, 1);
        frames = new ArrayList<>();
        for (Path p : DicomFrames.files(SunnybrookTestData.dir().resolve("dicoms")).subList(0, 8)) {
            frames.add(Files.readAllBytes(p));
        }
    }

    /** One answered request: who sent it, when it left and came back (nanoTime), and what it said. */
    private record Answer(String requestId, int client, long sent, long received, int status, int version,
            String body) {
    }

    private ServerConfig.Builder config() {
        return ServerConfig.builder(tmp.resolve("registry"), NAME).port(0).watchInterval(WATCH);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private static int version(HttpResponse<String> r) {
        return r.statusCode() == 200 ? Json.tree(r.body()).path("model").path("version").asInt() : -1;
    }

    @Test
    void aVersionPromotedUnderLoadIsSwappedInWithoutAFailedRequest() throws Exception {
        ModelRegistry registry = ServingFixtures.registryWithProduction(tmp, 11, reference);
        Path second = ServingFixtures.writePackage(tmp.resolve("pkg-12"), 12, reference);
        ServerConfig config = config().build();
        Queue<Answer> answers = new ConcurrentLinkedQueue<>();
        List<String> swapLog;
        try (CapturedLog log = CapturedLog.start();
                ModelServer server = ModelServer.start(config, ServingFixtures.backend())) {
            assertThat(server.awaitReady(60_000)).isTrue();
            // a request of our own holds version 1 through the swap
            ServedModel first = server.lease().orElseThrow();
            assertThat(first.version()).isEqualTo(1);
            ServerClient client = new ServerClient(server.port());
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> clients = new ArrayList<>();
            try {
                for (int c = 0; c < CLIENTS; c++) {
                    int id = c;
                    clients.add(pool.submit(() -> {
                        for (int i = 0; !stop.get(); i++) {
                            String requestId = "c" + id + "-" + i;
                            long sent = System.nanoTime();
                            HttpResponse<String> r = client.segment(frames.get((id + i) % frames.size()), "mask=none",
                                    requestId);
                            answers.add(new Answer(requestId, id, sent, System.nanoTime(), r.statusCode(),
                                    version(r), r.statusCode() == 200 ? "" : r.body()));
                        }
                        return null;
                    }));
                }
                await("answers from version 1", () -> answers.size() >= 4 * CLIENTS);
                assertThat(ServingFixtures.registerAndPromote(registry, second)).isEqualTo(2);
                await("answers from version 2", () -> answers.stream().filter(a -> a.version() == 2).count()
                        >= 4 * CLIENTS);
                // retired, but our lease keeps it open; once it is returned the old version closes
                assertThat(first.isClosed()).isFalse();
                assertThat(log.matching("model cardiac v1 closed")).isEmpty();
                first.release();
                await("version 1 to close", first::isClosed);
            } finally {
                stop.set(true);
                pool.shutdown();
                for (Future<?> f : clients) {
                    f.get(120, TimeUnit.SECONDS);
                }
            }
            assertThat(server.servedVersion()).contains(2);
            Map<String, Double> metrics = client.metrics();
            assertThat(metrics).containsEntry("medseg_model_swaps_total", 1.0)
                    .containsEntry("medseg_model_version{model=\"cardiac\"}", 2.0)
                    .containsEntry("medseg_ready", 1.0);
            assertThat(log.matching("model cardiac v1 closed")).hasSize(1);
            swapLog = log.matching("serving cardiac v2");
        }
        assertThat(swapLog).hasSize(1);
        assertThat(swapLog.get(0)).contains("v1 retires once the");

        List<Answer> all = new ArrayList<>(answers);
        LOG.info("{} requests from {} clients across the swap: {} answered by v1, {} by v2", all.size(), CLIENTS,
                all.stream().filter(a -> a.version() == 1).count(), all.stream().filter(a -> a.version() == 2).count());
        assertThat(all).allSatisfy(a -> assertThat(a.status()).as(a.requestId() + " " + a.body()).isEqualTo(200));
        assertThat(all).extracting(Answer::version).containsOnly(1, 2);
        // never back: once a client has an answer from version 2, no request sent later is answered by version 1
        long firstFromTwo = all.stream().filter(a -> a.version() == 2).mapToLong(Answer::received).min()
                .orElseThrow();
        assertThat(all).filteredOn(a -> a.version() == 1).allSatisfy(a -> assertThat(a.sent())
                .as(a.requestId()).isLessThan(firstFromTwo));
        for (int c = 0; c < CLIENTS; c++) {
            int id = c;
            List<Integer> versions = all.stream().filter(a -> a.client() == id)
                    .sorted(Comparator.comparingLong(Answer::sent)).map(Answer::version).toList();
            assertThat(versions).as("client %d", id).isSorted().contains(1, 2);
        }
        // the access log says which version answered each request, as the answer did
        Map<String, JsonNode> logged = new HashMap<>();
        for (String line : Files.readAllLines(config.accessLog())) {
            JsonNode n = Json.tree(line);
            if (n.path("endpoint").asString().equals("/v1/segment")) {
                assertThat(logged.put(n.path("request_id").asString(), n)).as("one line per request").isNull();
            }
        }
        assertThat(logged).hasSize(all.size());
        for (Answer a : all) {
            JsonNode n = logged.get(a.requestId());
            assertThat(n).as(a.requestId()).isNotNull();
            assertThat(n.path("status").asInt()).isEqualTo(200);
            assertThat(n.path("model_version").asInt()).as(a.requestId()).isEqualTo(a.version());
        }
    }

    @Test
    void aPromotedVersionThatCannotBeLoadedIsRefusedOnceAndTheOldOneKeepsServing() throws Exception {
        ModelRegistry registry = ServingFixtures.registryWithProduction(tmp, 11, reference);
        try (CapturedLog log = CapturedLog.start();
                ModelServer server = ModelServer.start(config().build(), ServingFixtures.backend())) {
            assertThat(server.awaitReady(60_000)).isTrue();
            ServerClient client = new ServerClient(server.port());
            assertThat(version(client.segment(frames.get(0), "mask=none", null))).isEqualTo(1);

            // a package whose MANIFEST holds but whose network does not load: refused when loading
            Path broken = ServingFixtures.writePackage(tmp.resolve("pkg-broken"), 12, reference);
            Files.write(broken.resolve("saved_model.pb"), new byte[] {1, 2, 3, 4});
            PackageManifest.write(broken);
            assertThat(ServingFixtures.registerAndPromote(registry, broken)).isEqualTo(2);
            await("the refusal of v2", () -> !log.matching("model cardiac v2: not loaded").isEmpty());
            // the watch keeps looking, ten times more, but says so once
            Thread.sleep(10 * WATCH.toMillis());
            assertThat(log.matching("model cardiac v2: not loaded")).hasSize(1)
                    .allSatisfy(l -> assertThat(l).contains("ERROR").contains("v1 still served"));
            assertServes(client, server, 1);

            // a package modified in the registry after its promotion: its MANIFEST no longer matches
            int old = 1;
            int swapped = 0;
            int tampered = 0;
            for (int attempt = 0; attempt < 3 && tampered == 0; attempt++) {
                Path pkg = ServingFixtures.writePackage(tmp.resolve("pkg-" + (20 + attempt)), 20 + attempt,
                        reference);
                int v = ServingFixtures.register(registry, pkg);
                registry.promote(NAME, v, Stage.PRODUCTION);
                Files.writeString(registry.get(NAME, v).resolve(ModelPackage.MODEL_CARD), "\nedited\n",
                        StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                await("v" + v + " refused or served", () -> !log.matching("model cardiac v" + v + ": not loaded")
                        .isEmpty() || server.servedVersion().orElseThrow() == v);
                if (server.servedVersion().orElseThrow() == v) {
                    old = v; // the watch read it in the moment between promotion and edit: try again
                    swapped++;
                } else {
                    tampered = v;
                }
            }
            assertThat(tampered).as("a tampered version refused").isPositive();
            Thread.sleep(10 * WATCH.toMillis());
            List<String> refusal = log.matching("model cardiac v" + tampered + ": not loaded");
            assertThat(refusal).hasSize(1);
            assertThat(refusal.get(0)).contains("v" + old + " still served").contains(ModelPackage.MODEL_CARD);
            assertServes(client, server, old);
            assertThat(client.metrics()).containsEntry("medseg_model_swaps_total", (double) swapped);
        }
    }

    private static void assertServes(ServerClient client, ModelServer server, int expected) {
        for (byte[] f : frames.subList(0, 3)) {
            HttpResponse<String> r = client.segment(f, "mask=none", null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(version(r)).isEqualTo(expected);
            assertThat(r.headers().firstValue("X-Model-Version")).contains(Integer.toString(expected));
        }
        assertThat(server.servedVersion()).contains(expected);
        assertThat(client.get("/v2/health/ready").statusCode()).isEqualTo(200);
        assertThat(client.metrics()).containsEntry("medseg_model_version{model=\"cardiac\"}", (double) expected);
    }

    @Test
    void aFixedVersionDoesNotFollowPromotions() throws Exception {
        ModelRegistry registry = ServingFixtures.registryWithProduction(tmp, 11, reference);
        Path second = ServingFixtures.writePackage(tmp.resolve("pkg-12"), 12, reference);
        ServerConfig fixedConfig = config().version(1).accessLog(tmp.resolve("fixed.log")).build();
        ServerConfig followingConfig = config().accessLog(tmp.resolve("following.log")).build();
        try (ModelServer fixed = ModelServer.start(fixedConfig, ServingFixtures.backend());
                ModelServer following = ModelServer.start(followingConfig, ServingFixtures.backend())) {
            assertThat(fixed.awaitReady(60_000)).isTrue();
            assertThat(following.awaitReady(60_000)).isTrue();
            ServerClient fixedClient = new ServerClient(fixed.port());
            assertServes(fixedClient, fixed, 1);
            assertThat(ServingFixtures.registerAndPromote(registry, second)).isEqualTo(2);
            // the server that follows production sees the promotion; the fixed one, watching nothing, stays
            await("the following server to swap", () -> following.servedVersion().orElseThrow() == 2);
            Thread.sleep(10 * WATCH.toMillis());
            assertServes(fixedClient, fixed, 1);
            assertThat(fixedClient.metrics()).containsEntry("medseg_model_swaps_total", 0.0);
            assertServes(new ServerClient(following.port()), following, 2);
        }
    }

    @Test
    void aFixedVersionNeedNotBeInProduction() throws Exception {
        ModelRegistry registry = ServingFixtures.registryWithProduction(tmp, 11, reference);
        int staged = ServingFixtures.register(registry, ServingFixtures.writePackage(tmp.resolve("pkg-12"), 12,
                reference));
        assertThat(registry.version(NAME, staged).stage()).isEqualTo(Stage.STAGING);
        try (ModelServer server = ModelServer.start(config().version(staged).build(), ServingFixtures.backend())) {
            assertThat(server.awaitReady(60_000)).isTrue();
            assertServes(new ServerClient(server.port()), server, staged);
        }
    }
}

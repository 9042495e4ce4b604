package io.medseg.serving;

import static io.medseg.serving.ServingFixtures.NAME;
import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.sunnybrook.SunnybrookDataset;
import io.medseg.mlops.drift.DataProfile;
import io.medseg.mlops.drift.DriftReport;
import io.medseg.mlops.drift.DriftWindow;
import io.medseg.mlops.drift.FeatureDrift;
import io.medseg.mlops.drift.Verdict;
import io.medseg.mlops.drift.WhatIf;
import io.medseg.testdata.SunnybrookTestData;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Live drift on the real Sunnybrook frames: the package's reference profile is made from the 56 labelled frames
 * as an exported training run's is (the frames and the model's predictions for them). Those frames, served again
 * in any order, keep every feature stable; copies with the intensities doubled, or with noise added, turn the
 * feature they change to drifted within one window.
 */
class LiveDriftTest {
    private static final Logger LOG = LoggerFactory.getLogger(LiveDriftTest.class);
    private static final String GAUGE = "medseg_drift_verdict{feature=\"";
    private static final int WINDOW = 40;
    private static final double NOISE = 0.05;
    /** The verdict gauge's values. */
    private static final int STABLE = 0;
    private static final int DRIFTED = 2;

    @TempDir
    Path tmp;

    private static List<Image> images;
    private static List<Mask> expertMasks;
    private static List<byte[]> files;

    @BeforeAll
    static void data() throws Exception {
        Path dir = SunnybrookTestData.dir();
        SegmentationDataset all = SunnybrookDataset.load(dir);
        images = new ArrayList<>();
        expertMasks = new ArrayList<>();
        files = new ArrayList<>();
        for (Sample s : all.samples()) {
            byte[] bytes = Files.readAllBytes(SunnybrookDataset.dicomFile(dir, s.id()));
            // what the server reads from the file is the training image itself
            assertThat(DicomFrames.image(bytes).toArray()).as(s.id()).containsExactly(s.image().toArray());
            images.add(s.image());
            expertMasks.add(s.mask());
            files.add(bytes);
        }
        assertThat(images).hasSize(56);
    }

    /** The frame {@code i} as a request body, with its pixels changed by {@code change} (null: as it is). */
    private static byte[] body(int i, UnaryOperator<Image> change) {
        return change == null ? files.get(i) : DicomFrames.withPixels(files.get(i), change.apply(images.get(i))
                .toArray());
    }

    private static Image doubled(Image im) {
        return WhatIf.scaled(List.of(im), 2).get(0);
    }

    private static IntFunction<Image> noisy(long seed) {
        return i -> WhatIf.noisy(List.of(images.get(i)), NOISE, seed + i).get(0);
    }

    private static List<Integer> shuffled(Random rng) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, rng);
        return order;
    }

    /** The verdict gauges of a metrics scrape, by feature. */
    private static Map<String, Integer> verdicts(Map<String, Double> metrics) {
        Map<String, Integer> out = new LinkedHashMap<>();
        metrics.forEach((k, v) -> {
            if (k.startsWith(GAUGE)) {
                out.put(k.substring(GAUGE.length(), k.length() - 2), v.intValue());
            }
        });
        return out;
    }

    /** Sends requests and looks at the gauges after each, counting the comparisons the server made. */
    private static final class Traffic {
        private final ServerClient client;
        private final ModelServer server;
        private DriftReport lastSeen;
        int requests;
        int checks;
        final List<String> unstable = new ArrayList<>();

        Traffic(ServerClient client, ModelServer server) {
            this.client = client;
            this.server = server;
        }

        /** Sends one frame; returns the verdict gauges after it. */
        Map<String, Integer> send(byte[] body) {
            HttpResponse<String> r = client.segment(body, "mask=none", null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            requests++;
            DriftReport report = server.drift().orElseThrow().last().orElse(null);
            if (report != null && report != lastSeen) {
                checks++;
                lastSeen = report;
            }
            Map<String, Integer> gauges = verdicts(client.metrics());
            if (checks == 0) {
                assertThat(gauges.values()).as("before the first comparison").allMatch(g -> g == LiveDrift.UNKNOWN);
            } else {
                assertThat(gauges).as("after a comparison").isNotEmpty();
            }
            return gauges;
        }

        /** Sends one frame that should not move anything; notes any feature that is not stable after it. */
        void sendShared(byte[] body) {
            Map<String, Integer> gauges = send(body);
            if (checks > 0) {
                gauges.forEach((f, g) -> {
                    if (g != STABLE) {
                        unstable.add("request " + requests + ": " + f + " = " + g + ": " + lastSeen.feature(f)
                                .map(FeatureDrift::explanation).orElse("?"));
                    }
                });
            }
        }
    }

    @Test
    void theSharedFramesStayStableAndChangedCopiesDriftWithinOneWindow() throws Exception {
        ServingFixtures.registryWithProduction(tmp, 21, images);
        ServerConfig config = ServerConfig.builder(tmp.resolve("registry"), NAME).port(0).driftWindow(WINDOW).build();
        Random rng = new Random(5);
        try (CapturedLog log = CapturedLog.start();
                ModelServer server = ModelServer.start(config, ServingFixtures.backend())) {
            assertThat(server.awaitReady(60_000)).isTrue();
            ServerClient client = new ServerClient(server.port());
            Traffic traffic = new Traffic(client, server);

            // the training frames, five passes in shuffled order: nothing moves
            for (int pass = 0; pass < 5; pass++) {
                for (int i : shuffled(rng)) {
                    traffic.sendShared(body(i, null));
                }
                JsonNode drift = client.drift();
                assertThat(drift.path("verdict").asString()).as(drift.toString()).isEqualTo("stable");
                assertThat(drift.path("drifted_features")).isEmpty();
                assertThat(drift.path("window").path("images").asInt()).isEqualTo(WINDOW);
                assertThat(drift.path("window").path("seen").asInt()).isEqualTo(56 * (pass + 1));
                assertThat(drift.path("features")).allSatisfy(f -> assertThat(f.path("verdict").asString())
                        .as(f.toString()).isEqualTo("stable"));
            }
            LOG.info("{} shared frames served in random order: {} comparisons, {} not stable", traffic.requests,
                    traffic.checks, traffic.unstable.size());
            assertThat(traffic.unstable).isEmpty();
            // a comparison every tenth of a window once five images are in: 1 + (280 - 5) / 4 of them
            assertThat(traffic.checks).isGreaterThanOrEqualTo(1 + (56 * 5 - 5) / (WINDOW / 10));
            assertThat(log.matching("WARN", "drift:")).isEmpty();

            // the same frames with every pixel doubled: the intensity scale drifts, within one window
            int flipped = sendUntilDrifted(traffic, "intensity_scale", i -> body(i, LiveDriftTest::doubled), rng);
            LOG.info("intensity x2: intensity_scale drifted after {} of the changed frames (window {})", flipped,
                    WINDOW);
            assertThat(flipped).isBetween(1, WINDOW);
            JsonNode scaled = client.drift();
            assertThat(scaled.path("verdict").asString()).isEqualTo("drifted");
            assertThat(scaled.path("drifted_features")).extracting(JsonNode::asString)
                    .containsExactly("intensity_scale");
            assertThat(log.matching("WARN", "drift: model cardiac v1: ", " drifted over the last "))
                    .hasSize(1).allSatisfy(l -> assertThat(l).contains("intensity_scale drifted"));

            // a window of the shared frames again: stable, and the end of the drift said once
            for (int i : shuffled(rng).subList(0, WINDOW)) {
                traffic.send(body(i, null));
            }
            assertThat(verdicts(client.metrics()).values()).allMatch(g -> g == 0);
            assertThat(log.matching("INFO", "intensity_scale no longer drifted over the last ")).hasSize(1);

            // noise of 5% of each frame's 99th percentile: the noise level drifts, within one window
            IntFunction<Image> noise = noisy(17);
            flipped = sendUntilDrifted(traffic, "noise_level",
                    i -> DicomFrames.withPixels(files.get(i), noise.apply(i).toArray()), rng);
            LOG.info("noise {} x p99: noise_level drifted after {} of the changed frames (window {})", NOISE, flipped,
                    WINDOW);
            assertThat(flipped).isBetween(1, WINDOW);
            JsonNode noisy = client.drift();
            assertThat(noisy.path("drifted_features")).extracting(JsonNode::asString).contains("noise_level");
            assertThat(log.matching("WARN", "noise_level drifted over the last ")).hasSize(1);
            assertThat(log.matching("WARN", "intensity_scale drifted over the last ")).hasSize(1);
        }
    }

    /**
     * Sends changed copies of the frames, in shuffled order, until {@code feature}'s gauge says drifted, and a
     * window more; returns how many were sent when it flipped (0: it did not). The gauge stays drifted after.
     */
    private static int sendUntilDrifted(Traffic traffic, String feature, IntFunction<byte[]> changed, Random rng) {
        int flippedAt = 0;
        List<Integer> order = shuffled(rng);
        for (int k = 1; k <= WINDOW + WINDOW / 2; k++) {
            Map<String, Integer> gauges = traffic.send(changed.apply(order.get((k - 1) % order.size())));
            boolean drifted = gauges.getOrDefault(feature, -1) == DRIFTED;
            if (flippedAt == 0 && drifted) {
                flippedAt = k;
            }
            if (flippedAt > 0) {
                assertThat(drifted).as("%s after %d changed frames", feature, k).isTrue();
            }
        }
        return flippedAt;
    }

    /**
     * The default window of 200 images, fed directly (no HTTP, expert masks as the predictions): eight shuffled
     * passes over the frames stay stable at every comparison, and doubled or noisy copies drift within a window.
     */
    @Test
    void theDefaultWindowBehavesAlikeOnTheSameFrames() {
        DataProfile reference = DataProfile.of(images, expertMasks);
        Map<String, AtomicInteger> gauges = LiveDrift.gaugeMap();
        LiveDrift drift = new LiveDrift(NAME, 1, reference, ServerConfig.DEFAULT_DRIFT_WINDOW,
                new SimpleMeterRegistry(), gauges);
        Random rng = new Random(9);
        int checks = 0;
        DriftReport seen = null;
        List<String> unstable = new ArrayList<>();
        for (int pass = 0; pass < 8; pass++) {
            for (int i : shuffled(rng)) {
                drift.add(drift.observe(images.get(i), expertMasks.get(i)));
                DriftReport r = drift.last().orElse(null);
                if (r != null && r != seen) {
                    checks++;
                    seen = r;
                    for (FeatureDrift f : r.features()) {
                        if (f.verdict() != Verdict.STABLE) {
                            unstable.add(r.incomingImages() + " images: " + f.explanation());
                        }
                        assertThat(gauges.get(f.name()).get()).as(f.name())
                                .isEqualTo(LiveDrift.gaugeValue(f.verdict()));
                    }
                }
            }
        }
        LOG.info("window {}: {} shared frames, {} comparisons, {} not stable", ServerConfig.DEFAULT_DRIFT_WINDOW,
                8 * 56, checks, unstable.size());
        assertThat(unstable).isEmpty();
        assertThat(checks).isGreaterThanOrEqualTo(8 * 56 / 20 - 1);
        for (String feature : List.of("intensity_scale", "noise_level")) {
            IntFunction<Image> change = feature.equals("intensity_scale") ? i -> doubled(images.get(i)) : noisy(3);
            int flippedAt = 0;
            List<Integer> order = shuffled(rng);
            for (int k = 1; k <= ServerConfig.DEFAULT_DRIFT_WINDOW && flippedAt == 0; k++) {
                int i = order.get((k - 1) % order.size());
                drift.add(drift.observe(change.apply(i), expertMasks.get(i)));
                if (gauges.get(feature).get() == DRIFTED) {
                    flippedAt = k;
                }
            }
            LOG.info("window {}: {} drifted after {} changed frames", ServerConfig.DEFAULT_DRIFT_WINDOW, feature,
                    flippedAt);
            assertThat(flippedAt).as(feature).isBetween(1, ServerConfig.DEFAULT_DRIFT_WINDOW);
            // back to the shared frames for the next feature
            for (int k = 0; k < ServerConfig.DEFAULT_DRIFT_WINDOW; k++) {
                int i = order.get(k % order.size());
                drift.add(drift.observe(images.get(i), expertMasks.get(i)));
            }
            assertThat(gauges.values()).allMatch(g -> g.get() == STABLE);
        }
    }

    /**
     * Requests that add to the window at once still see each drift reported once: comparisons are published in the
     * order they were made, so an older, not yet drifted window never follows a newer drifted one.
     */
    @Test
    void concurrentRequestsReportADriftOnce() throws Exception {
        DataProfile reference = DataProfile.of(images, expertMasks);
        Map<String, AtomicInteger> gauges = LiveDrift.gaugeMap();
        LiveDrift drift = new LiveDrift(NAME, 1, reference, 20, new SimpleMeterRegistry(), gauges);
        for (int i = 0; i < 20; i++) {
            drift.add(drift.observe(images.get(i), expertMasks.get(i)));
        }
        List<DriftWindow.Observation> doubledObservations = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            // tripled, not doubled: doubled frames sit near the range's tolerance (26% against 25%), so some windows
            // of 20 of them, drawn in a race, would not be drifted and the flip would rightly be reported again
            doubledObservations.add(drift.observe(WhatIf.scaled(List.of(images.get(i)), 3).get(0),
                    expertMasks.get(i)));
        }
        try (CapturedLog log = CapturedLog.start()) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> adders = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int start = t;
                adders.add(pool.submit(() -> {
                    go.await();
                    for (int k = 0; k < doubledObservations.size(); k++) {
                        drift.add(doubledObservations.get((start * 7 + k) % doubledObservations.size()));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : adders) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertThat(gauges.get("intensity_scale").get()).isEqualTo(DRIFTED);
            assertThat(log.matching("WARN", "intensity_scale drifted over the last ")).hasSize(1);
            assertThat(log.matching("no longer drifted")).isEmpty();
        }
    }

    @Test
    void underFullLoadOnlyASampleOfFramesIsProfiled() {
        DataProfile reference = DataProfile.of(images, expertMasks);
        LiveDrift drift = new LiveDrift(NAME, 1, reference, 100, new SimpleMeterRegistry(), LiveDrift.gaugeMap());
        for (int i = 0; i < 40; i++) {
            drift.offer(images.get(i), expertMasks.get(i), 0, 8); // queue short: every frame
        }
        assertThat(drift.window().seen()).isEqualTo(40);
        for (int i = 0; i < 40; i++) {
            drift.offer(images.get(i), expertMasks.get(i), 8, 8); // queue full: one in BUSY_SAMPLE
        }
        assertThat(drift.window().seen()).isEqualTo(40 + 40 / LiveDrift.BUSY_SAMPLE);
    }
}

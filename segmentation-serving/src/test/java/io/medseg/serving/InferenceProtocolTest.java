package io.medseg.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import io.medseg.inference.Prediction;
import io.medseg.inference.Segmenter;
import io.medseg.inference.TestTimeAugmentation;
import io.medseg.mlops.registry.ModelRegistry;
import io.medseg.mlops.registry.Stage;
import io.medseg.postprocess.PostProcessing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Open Inference Protocol's REST API (KServe "V2", {@code rest_predict_v2.yaml}) as the server speaks it:
 * health, server and model metadata, model readiness and inference, the field names and shapes of the protocol,
 * and the error object {@code {"error": "<message>"}} for every refusal.
 */
class InferenceProtocolTest {
    private static final String NAME = ServingFixtures.NAME;
    private static final String MODEL = "/v2/models/" + NAME;
    private static final PostProcessing POST = PostProcessing.largestComponentAndFillHoles();

    @TempDir
    static Path tmp;

    private static ModelRegistry registry;
    private static ModelServer server;
    private static RawHttp http;
    private static SegmentationModel offline;
    private static Segmenter segmenter;

    @BeforeAll
    static void start() throws Exception {
        registry = ServingFixtures.registryWithProduction(tmp, 11, ServingFixtures.phantomImages(8, 128, 1));
        server = ModelServer.start(ServerConfig.builder(tmp.resolve("registry"), NAME).port(0).postProcessing(POST)
                .build(), ServingFixtures.backend());
        assertThat(server.awaitReady(60_000)).isTrue();
        http = RawHttp.to(server);
        offline = ServingFixtures.backend().load(registry.get(NAME, 1), Precision.FP32);
        segmenter = new Segmenter(offline, POST, TestTimeAugmentation.NONE);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (offline != null) {
            offline.close();
        }
    }

    // ---- health

    @Test
    void liveIs200WithAnEmptyBody() {
        RawHttp.Response r = http.get("/v2/health/live");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void readyIs200WithAnEmptyBodyOnceAModelIsLoaded() {
        RawHttp.Response r = http.get("/v2/health/ready");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void readyIs400UntilAVersionIsPromotedThen200(@TempDir Path dir) throws Exception {
        ModelRegistry reg = ModelRegistry.open(dir.resolve("registry"));
        int version = ServingFixtures.register(reg, ServingFixtures.writePackage(dir.resolve("pkg"), 5,
                ServingFixtures.phantomImages(4, 96, 2)));
        ServerConfig config = ServerConfig.builder(dir.resolve("registry"), NAME).port(0)
                .watchInterval(java.time.Duration.ofMillis(50)).build();
        try (ModelServer s = ModelServer.start(config, ServingFixtures.backend())) {
            RawHttp h = RawHttp.to(s);
            assertThat(h.get("/v2/health/live").status()).isEqualTo(200);
            RawHttp.Response notReady = h.get("/v2/health/ready");
            assertThat(notReady.status()).isEqualTo(400);
            assertThat(notReady.body()).isEmpty();
            RawHttp.Response modelNotReady = h.get(MODEL + "/ready");
            assertThat(modelNotReady.status()).isEqualTo(400);
            assertThat(modelNotReady.body()).isEmpty();
            assertThat(h.get(MODEL).assertError(503)).contains(NAME);
            assertThat(h.postJson(MODEL + "/infer", inferRequest(List.of(image(64, 64, 1)), null).toString())
                    .assertError(503)).contains(NAME);

            reg.promote(NAME, version, Stage.PRODUCTION);

            RawHttp.Response ready = h.get("/v2/health/ready");
            for (long deadline = System.nanoTime() + 60_000_000_000L; ready.status() != 200
                    && System.nanoTime() < deadline; ready = h.get("/v2/health/ready")) {
                Thread.sleep(20);
            }
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.body()).isEmpty();
            assertThat(h.get(MODEL + "/ready").status()).isEqualTo(200);
            assertThat(h.get(MODEL).json().get("versions").get(0).asString()).isEqualTo(Integer.toString(version));
        }
    }

    // ---- metadata

    @Test
    void serverMetadataHasNameVersionAndExtensions() {
        RawHttp.Response r = http.get("/v2");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        JsonNode n = r.json();
        assertThat(n.propertyNames()).containsExactlyInAnyOrder("name", "version", "extensions");
        assertThat(n.get("name").asString()).isEqualTo("medseg");
        assertThat(n.get("version").isString()).isTrue();
        assertThat(n.get("version").asString()).isNotBlank();
        assertThat(n.get("extensions").isArray()).isTrue();
        assertThat(n.get("extensions").values()).allSatisfy(e -> assertThat(e.isString()).isTrue());
    }

    @Test
    void modelMetadataHasTheProtocolsFieldsDatatypesAndShapes() {
        RawHttp.Response r = http.get(MODEL);

        assertThat(r.status()).isEqualTo(200);
        JsonNode n = r.json();
        assertThat(n.propertyNames()).containsExactlyInAnyOrder("name", "versions", "platform", "inputs", "outputs");
        assertThat(n.get("name").asString()).isEqualTo(NAME);
        assertThat(n.get("versions").values()).extracting(JsonNode::asString).containsExactly("1");
        assertThat(n.get("versions").get(0).isString()).isTrue();
        assertThat(n.get("platform").asString()).isEqualTo("medseg_tensorflow");
        // a centre-crop model takes frames of any size: height and width are variable (-1), as is the batch
        assertTensors(n.get("inputs"), "image FP32 [-1, -1, -1, 1]");
        assertTensors(n.get("outputs"), "probabilities FP32 [-1, -1, -1, 2]", "mask UINT8 [-1, -1, -1]");
    }

    @Test
    void versionedModelMetadataIsTheSameAndAnUnknownVersionIs404() {
        RawHttp.Response versioned = http.get(MODEL + "/versions/1");

        assertThat(versioned.status()).isEqualTo(200);
        assertThat(versioned.json()).isEqualTo(http.get(MODEL).json());
        assertThat(http.get(MODEL + "/versions/2").assertError(404)).contains("version '2'").contains("1");
        assertThat(http.get(MODEL + "/versions/latest").assertError(404)).contains("latest");
    }

    @Test
    void unknownModelIs404() {
        assertThat(http.get("/v2/models/brain").assertError(404)).contains("brain").contains(NAME);
        assertThat(http.get("/v2/models/brain/versions/1").assertError(404)).contains("brain");
        assertThat(http.get("/v2/models/brain/ready").assertError(404)).contains("brain");
        assertThat(http.postJson("/v2/models/brain/infer", inferRequest(List.of(image(64, 64, 1)), null).toString())
                .assertError(404)).contains("brain");
    }

    @Test
    void exactFitModelMetadataNamesItsHeightAndWidth(@TempDir Path dir) throws Exception {
        ModelRegistry reg = ModelRegistry.open(dir.resolve("registry"));
        ServingFixtures.registerAndPromote(reg, ServingFixtures.writePackage(dir.resolve("pkg"), 3,
                ServingFixtures.phantomImages(4, 64, 2), ServingFixtures.exactSpec()));
        try (ModelServer s = ModelServer.start(ServerConfig.builder(dir.resolve("registry"), NAME).port(0).build(),
                ServingFixtures.backend())) {
            assertThat(s.awaitReady(60_000)).isTrue();
            RawHttp h = RawHttp.to(s);
            JsonNode n = h.get(MODEL).json();
            assertTensors(n.get("inputs"), "image FP32 [-1, 64, 64, 1]");
            assertTensors(n.get("outputs"), "probabilities FP32 [-1, 64, 64, 2]", "mask UINT8 [-1, 64, 64]");

            assertThat(h.postJson(MODEL + "/infer", inferRequest(List.of(image(64, 64, 1)), null).toString())
                    .status()).isEqualTo(200);
            assertThat(h.postJson(MODEL + "/infer", inferRequest(List.of(image(64, 72, 1)), null).toString())
                    .assertError(400)).contains("64x72").contains("64x64");
        }
    }

    // ---- model ready

    @Test
    void modelReadyIs200WithAnEmptyBodyAlsoOnTheVersionedPath() {
        for (String path : List.of(MODEL + "/ready", MODEL + "/versions/1/ready")) {
            RawHttp.Response r = http.get(path);
            assertThat(r.status()).as(path).isEqualTo(200);
            assertThat(r.body()).as(path).isEmpty();
        }
    }

    @Test
    void modelReadyOfAVersionNotServedIs400WithAnEmptyBody() {
        RawHttp.Response r = http.get(MODEL + "/versions/7/ready");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).isEmpty();
    }

    // ---- inference

    @Test
    void inferWithFlatDataGivesTheOfflineSegmentersMasksAndProbabilities() {
        List<Image> images = List.of(image(96, 80, 1), image(96, 80, 2), image(96, 80, 3));
        ObjectNode request = inferRequest(images, null);

        RawHttp.Response r = http.postJson(MODEL + "/infer", request.toString());

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        JsonNode n = r.json();
        assertThat(n.propertyNames()).containsExactlyInAnyOrder("model_name", "model_version", "outputs");
        assertThat(n.get("model_name").asString()).isEqualTo(NAME);
        assertThat(n.get("model_version").isString()).isTrue();
        assertThat(n.get("model_version").asString()).isEqualTo("1");
        assertThat(n.get("outputs").size()).isEqualTo(2);
        JsonNode probs = n.get("outputs").get(0);
        JsonNode mask = n.get("outputs").get(1);
        assertThat(probs.propertyNames()).containsExactlyInAnyOrder("name", "datatype", "shape", "data");
        assertThat(mask.propertyNames()).containsExactlyInAnyOrder("name", "datatype", "shape", "data");
        assertThat(describe(probs)).isEqualTo("probabilities FP32 [3, 96, 80, 2]");
        assertThat(describe(mask)).isEqualTo("mask UINT8 [3, 96, 80]");
        assertSameAsOffline(images, probs, mask);
    }

    @Test
    void inferWithNestedDataSelectingOneOutputEchoesTheId() {
        Image image = image(48, 56, 4); // smaller than the network's 64x64: padded, then cropped back
        ObjectNode request = HttpApi.JSON.createObjectNode();
        request.put("id", "request-42");
        ObjectNode in = request.putArray("inputs").addObject();
        in.put("name", "image");
        in.put("datatype", "FP32");
        in.putArray("shape").add(1).add(48).add(56);
        ArrayNode batch = in.putArray("data").addArray();
        for (int y = 0; y < 48; y++) {
            ArrayNode row = batch.addArray();
            for (int x = 0; x < 56; x++) {
                row.add(image.get(y, x));
            }
        }
        request.putArray("outputs").addObject().put("name", "mask");

        RawHttp.Response r = http.postJson(MODEL + "/infer", request.toString());

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode n = r.json();
        assertThat(n.propertyNames()).containsExactlyInAnyOrder("model_name", "model_version", "id", "outputs");
        assertThat(n.get("id").asString()).isEqualTo("request-42");
        assertThat(n.get("outputs").size()).isEqualTo(1);
        assertThat(describe(n.get("outputs").get(0))).isEqualTo("mask UINT8 [1, 48, 56]");
        assertThat(maskAt(n.get("outputs").get(0).get("data"), 0, 48, 56)).isEqualTo(segmenter.predict(image));
    }

    @Test
    void nestedFourDimensionalDataAndTheVersionedPathWork() {
        Image image = image(64, 64, 5);
        ObjectNode request = HttpApi.JSON.createObjectNode();
        ObjectNode in = request.putArray("inputs").addObject();
        in.put("name", "image");
        in.put("datatype", "FP32");
        in.putArray("shape").add(1).add(64).add(64).add(1);
        in.putObject("parameters").putArray("pixel_spacing").add(1.25).add(1.25);
        ArrayNode batch = in.putArray("data").addArray();
        for (int y = 0; y < 64; y++) {
            ArrayNode row = batch.addArray();
            for (int x = 0; x < 64; x++) {
                row.addArray().add(image.get(y, x));
            }
        }
        request.putArray("outputs").addObject().put("name", "probabilities");

        RawHttp.Response r = http.postJson(MODEL + "/versions/1/infer", request.toString());

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode out = r.json().get("outputs");
        assertThat(out.size()).isEqualTo(1);
        assertThat(describe(out.get(0))).isEqualTo("probabilities FP32 [1, 64, 64, 2]");
        float[] expected = segmenter.predictWithProbabilities(image).probabilities();
        assertProbabilities(out.get(0).get("data"), 0, expected);
        assertThat(http.postJson(MODEL + "/versions/2/infer", request.toString()).assertError(404))
                .contains("version '2'");
    }

    /**
     * Through a server that runs exactly four images per network call: one request of four, one of eight and four
     * concurrent requests of one are all batched, and every mask and probability is the offline segmenter's.
     */
    @Test
    void batchedImagesGiveTheSameAnswersAsOneAtATime(@TempDir Path dir) throws Exception {
        ServerConfig config = ServerConfig.builder(tmp.resolve("registry"), NAME).port(0).postProcessing(POST)
                .maxBatch(4).maxWait(java.time.Duration.ofSeconds(60)).accessLog(dir.resolve("access.log")).build();
        try (ModelServer s = ModelServer.start(config, ServingFixtures.backend())) {
            assertThat(s.awaitReady(60_000)).isTrue();
            RawHttp h = RawHttp.to(s);
            List<Image> four = List.of(image(80, 80, 10), image(80, 80, 11), image(80, 80, 12), image(80, 80, 13));
            JsonNode fourOut = h.postJson(MODEL + "/infer", inferRequest(four, null).toString()).json()
                    .get("outputs");
            assertSameAsOffline(four, fourOut.get(0), fourOut.get(1));

            List<Image> eight = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                eight.add(image(70, 90, 20 + i));
            }
            JsonNode eightOut = h.postJson(MODEL + "/infer", inferRequest(eight, null).toString()).json()
                    .get("outputs");
            assertSameAsOffline(eight, eightOut.get(0), eightOut.get(1));

            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<RawHttp.Response>> answers = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    String body = inferRequest(List.of(four.get(i)), null).toString();
                    answers.add(pool.submit(() -> h.postJson(MODEL + "/infer", body)));
                }
                for (int i = 0; i < 4; i++) {
                    JsonNode out = answers.get(i).get().json().get("outputs");
                    assertSameAsOffline(List.of(four.get(i)), out.get(0), out.get(1));
                }
            } finally {
                pool.shutdownNow();
            }
            // four network calls of four images each: nothing ran alone
            String metrics = h.get("/metrics").text();
            assertThat(metric(metrics, "medseg_batch_size_count")).isEqualTo(4.0);
            assertThat(metric(metrics, "medseg_batch_size_sum")).isEqualTo(16.0);
        }
    }

    // ---- refusals

    @Test
    void anInputOtherThanImageIs400() {
        String body = inferRequest(List.of(image(64, 64, 1)), null).toString().replace("\"image\"", "\"input0\"");

        assertThat(http.postJson(MODEL + "/infer", body).assertError(400)).contains("input0").contains("image");
    }

    @Test
    void aNonNumericDatatypeIs400() {
        for (String type : List.of("BYTES", "BOOL", "fp32", "FLOAT")) {
            String body = inferRequest(List.of(image(64, 64, 1)), null).toString()
                    .replace("\"FP32\"", "\"" + type + "\"");
            assertThat(http.postJson(MODEL + "/infer", body).assertError(400)).as(type).contains(type);
        }
    }

    @Test
    void aShapeTheModelCannotTakeIs400() {
        assertThat(infer("[64, 64]", "[0]").assertError(400)).contains("shape");
        assertThat(infer("[1, 0, 64, 1]", "[]").assertError(400)).contains("shape");
        assertThat(infer("[1, -64, 64, 1]", "[]").assertError(400)).contains("shape");
        assertThat(infer("[1, 2.5, 2, 1]", "[1, 2, 3, 4, 5]").assertError(400)).contains("shape");
        assertThat(infer("[1, \"2\", 2, 1]", "[1, 2, 3, 4]").assertError(400)).contains("shape");
        assertThat(infer("[1, 2, 2, 1, 1]", "[1, 2, 3, 4]").assertError(400)).contains("shape");
        assertThat(infer("\"1x2x2\"", "[1, 2, 3, 4]").assertError(400)).contains("shape");
        // three channels to a one-channel network
        assertThat(infer("[1, 2, 2, 3]", "[1,2,3,4,5,6,7,8,9,10,11,12]").assertError(400)).contains("3 channels")
                .contains("takes 1");
    }

    @Test
    void aShapeTooLargeForAnyBodyIs400WithoutAllocatingIt() {
        // 2^64 values overflow a long; 2^30 - 2^16 + 1 values would be a 4 GiB array
        assertThat(infer("[65536, 65536, 65536, 65536]", "[1]").assertError(400)).contains("shape");
        assertThat(infer("[1, 32767, 32767, 1]", "[1]").assertError(400)).contains("shape");
        assertThat(infer("[4096, 4096, 4096]", "[1]").assertError(400)).contains("shape");
    }

    @Test
    void refusedNamesAreQuotedInPartNotWhole() {
        String name = "x".repeat(100_000);
        String body = inferRequest(List.of(image(64, 64, 1)), null).toString().replace("\"image\"", "\"" + name + "\"");

        assertThat(http.postJson(MODEL + "/infer", body).assertError(400)).contains("xxxx").hasSizeLessThan(300);
        assertThat(infer("[1, 2, 2, 1]", "[1, 2, 3, \"" + name + "\"]").assertError(400)).contains("xxxx")
                .hasSizeLessThan(300);
    }

    @Test
    void aValueCountThatDoesNotMatchTheShapeIs400() {
        assertThat(infer("[1, 2, 2, 1]", "[1, 2, 3]").assertError(400)).contains("3 values").contains("needs 4");
        assertThat(infer("[1, 2, 2, 1]", "[1, 2, 3, 4, 5]").assertError(400)).contains("5 values")
                .contains("needs 4");
        assertThat(infer("[1, 2, 2]", "[[1, 2], [3]]").assertError(400)).contains("3 values");
    }

    @Test
    void valuesThatAreNotNumbersAre400() {
        assertThat(infer("[1, 2, 2, 1]", "[1, 2, \"3\", 4]").assertError(400)).contains("not a number");
        assertThat(infer("[1, 2, 2, 1]", "[1, 2, null, 4]").assertError(400)).contains("not a number");
        assertThat(infer("[1, 2, 2, 1]", "[1, 2, true, 4]").assertError(400)).contains("not a number");
        assertThat(infer("[1, 2, 2, 1]", "[1, 2, {}, 4]").assertError(400)).contains("not a number");
        assertThat(infer("[1, 2, 2, 1]", "\"1234\"").assertError(400)).contains("data");
        assertThat(infer("[1, 2, 2, 1]", "[1, 2, 1e999, 4]").assertError(400)).contains("value 2 is not finite");
        assertThat(infer("[1, 2, 2, 1]", "[1, 2, 3, -1e39]").assertError(400)).contains("value 3 is not finite");
        assertThat(infer("[1, 2, 2, 1]", "[1, 2, 3, 1" + "0".repeat(400) + "]").assertError(400))
                .contains("value 3 is not finite");
    }

    @Test
    void malformedInferenceRequestsAre400() {
        for (String body : List.of("{}", "{\"inputs\": []}", "{\"inputs\": {}}", "{\"inputs\": [1]}", "[]", "null",
                "7", "{\"inputs\": [{\"name\": \"image\"}]}",
                "{\"inputs\": [{\"name\": 5, \"datatype\": \"FP32\", \"shape\": [1,1,1], \"data\": [1]}]}",
                "{\"inputs\": [{\"name\": \"image\", \"datatype\": \"FP32\", \"shape\": [1,1,1], \"data\": [1]},"
                        + " {\"name\": \"image\", \"datatype\": \"FP32\", \"shape\": [1,1,1], \"data\": [1]}]}")) {
            http.postJson(MODEL + "/infer", body).assertError(400);
        }
    }

    @Test
    void deeplyNestedDataIs400() {
        String deep = "[".repeat(100_000) + "1" + "]".repeat(100_000);

        assertThat(infer("[1, 1, 1]", deep).assertError(400)).contains("JSON");
    }

    @Test
    void anUnknownOutputOrBadParametersAre400() {
        ObjectNode request = inferRequest(List.of(image(64, 64, 1)), null);
        request.putArray("outputs").addObject().put("name", "logits");
        assertThat(http.postJson(MODEL + "/infer", request.toString()).assertError(400)).contains("logits");

        for (String spacing : List.of("[1.0]", "[0, 1]", "[\"a\", \"b\"]", "5", "[-1, 1]")) {
            ObjectNode r = inferRequest(List.of(image(64, 64, 1)), null);
            ((ObjectNode) r.get("inputs").get(0)).set("parameters",
                    HttpApi.JSON.readTree("{\"pixel_spacing\": " + spacing + "}"));
            assertThat(http.postJson(MODEL + "/infer", r.toString()).assertError(400)).as(spacing)
                    .contains("pixel_spacing");
        }
    }

    @Test
    void theBinaryTensorExtensionIs400() {
        byte[] body = inferRequest(List.of(image(64, 64, 1)), null).toString().getBytes(
                java.nio.charset.StandardCharsets.UTF_8);

        RawHttp.Response r = http.send("POST", MODEL + "/infer", Map.of("Content-Type", "application/json",
                "Inference-Header-Content-Length", Integer.toString(body.length)), body);

        assertThat(r.assertError(400)).contains("binary");
    }

    @Test
    void aBodyThatIsNotJsonIs415AndBadJsonIs400() {
        assertThat(http.post(MODEL + "/infer", "text/plain", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .assertError(415)).contains("text/plain");
        assertThat(http.post(MODEL + "/infer", "application/dicom", new byte[200]).assertError(415))
                .contains("application/json");
        assertThat(http.postJson(MODEL + "/infer", "{\"inputs\": [").assertError(400)).contains("JSON");
        assertThat(http.postJson(MODEL + "/infer", "inputs=1").assertError(400)).contains("JSON");
        assertThat(http.postJson(MODEL + "/infer", "").assertError(400)).isNotBlank();
    }

    @Test
    void aJsonContentTypeWithACharsetIsAccepted() {
        byte[] body = inferRequest(List.of(image(64, 64, 1)), null).toString().getBytes(
                java.nio.charset.StandardCharsets.UTF_8);

        assertThat(http.post(MODEL + "/infer", "application/json; charset=utf-8", body).status()).isEqualTo(200);
    }

    // ---- helpers

    private static RawHttp.Response infer(String shape, String data) {
        return http.postJson(MODEL + "/infer", "{\"inputs\": [{\"name\": \"image\", \"datatype\": \"FP32\", "
                + "\"shape\": " + shape + ", \"data\": " + data + "}]}");
    }

    /** A phantom frame of {@code h x w}, values on a 1/256 grid so that their decimal form is exact. */
    static Image image(int h, int w, long seed) {
        Image big = ServingFixtures.phantomImages(1, Math.max(h, w), seed).get(0);
        float[] px = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                px[y * w + x] = Math.round(big.get(y, x) * 256) / 256f;
            }
        }
        return Image.wrap(h, w, 1, px, new PixelSpacing(1.5, 1.5));
    }

    /** An inference request of the model's one input, shape {@code [N, H, W, 1]}, its data flat. */
    static ObjectNode inferRequest(List<Image> images, String id) {
        ObjectNode request = HttpApi.JSON.createObjectNode();
        if (id != null) {
            request.put("id", id);
        }
        ObjectNode in = request.putArray("inputs").addObject();
        in.put("name", "image");
        in.put("datatype", "FP32");
        in.putArray("shape").add(images.size()).add(images.get(0).height()).add(images.get(0).width()).add(1);
        ArrayNode data = in.putArray("data");
        for (Image image : images) {
            for (float v : image.toArray()) {
                data.add(v);
            }
        }
        return request;
    }

    private static void assertSameAsOffline(List<Image> images, JsonNode probs, JsonNode mask) {
        assertThat(probs.get("name").asString()).isEqualTo("probabilities");
        assertThat(mask.get("name").asString()).isEqualTo("mask");
        int h = images.get(0).height();
        int w = images.get(0).width();
        assertThat(probs.get("data").size()).isEqualTo(images.size() * h * w * 2);
        assertThat(mask.get("data").size()).isEqualTo(images.size() * h * w);
        for (int i = 0; i < images.size(); i++) {
            Prediction expected = segmenter.predictWithProbabilities(images.get(i));
            Mask served = maskAt(mask.get("data"), i, h, w);
            assertThat(served).as("mask of image %d", i).isEqualTo(expected.mask());
            assertProbabilities(probs.get("data"), i, expected.probabilities());
        }
    }

    private static void assertProbabilities(JsonNode data, int image, float[] expected) {
        int offset = image * expected.length;
        for (int j = 0; j < expected.length; j++) {
            assertThat(data.get(offset + j).floatValue()).as("image %d probability %d", image, j)
                    .isCloseTo(expected[j], within(1e-6f));
        }
    }

    private static Mask maskAt(JsonNode data, int image, int h, int w) {
        byte[] labels = new byte[h * w];
        for (int j = 0; j < labels.length; j++) {
            JsonNode v = data.get(image * labels.length + j);
            assertThat(v.isIntegralNumber()).isTrue();
            labels[j] = (byte) v.asInt();
        }
        return Mask.wrap(h, w, labels);
    }

    private static void assertTensors(JsonNode list, String... expected) {
        assertThat(list.isArray()).isTrue();
        for (JsonNode t : list) {
            assertThat(t.propertyNames()).containsExactlyInAnyOrder("name", "datatype", "shape");
        }
        assertThat(list.values()).extracting(InferenceProtocolTest::describe).containsExactly(expected);
    }

    /** "name DATATYPE [d0, d1, ...]", checking the types of the fields on the way. */
    private static String describe(JsonNode tensor) {
        assertThat(tensor.get("name").isString()).isTrue();
        assertThat(tensor.get("datatype").isString()).isTrue();
        List<String> dims = new ArrayList<>();
        for (JsonNode d : tensor.get("shape")) {
            assertThat(d.isIntegralNumber()).isTrue();
            dims.add(Long.toString(d.asLong()));
        }
        return tensor.get("name").asString() + " " + tensor.get("datatype").asString() + " [" + String.join(", ", dims)
                + "]";
    }

    static double metric(String prometheus, String name) {
        return prometheus.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not in /metrics"));
    }
}

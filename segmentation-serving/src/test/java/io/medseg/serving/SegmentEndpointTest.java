package io.medseg.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.DataFormatException;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import io.medseg.data.ReadLimits;
import io.medseg.data.dicom.DicomReader;
import io.medseg.data.dicom.DicomTestWriter;
import io.medseg.inference.Segmenter;
import io.medseg.inference.TestTimeAugmentation;
import io.medseg.metrics.Contours;
import io.medseg.mlops.ModelPackage;
import io.medseg.mlops.registry.ModelRegistry;
import io.medseg.postprocess.PostProcessing;
import io.medseg.testdata.SunnybrookTestData;
import io.medseg.viz.MaskPng;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/segment} on real Sunnybrook frames: the JSON answer and the mask PNG against the offline
 * {@link Segmenter} with the server's post-processing, and every kind of bad input answered with one clear 4xx,
 * never a 500 or a stack trace.
 */
class SegmentEndpointTest {
    private static final String NAME = ServingFixtures.NAME;
    private static final PostProcessing POST = PostProcessing.largestComponentAndFillHoles();
    private static final long MAX_BODY = 200_000;
    private static final String DICOM = "application/dicom";

    @TempDir
    static Path tmp;

    private static Path registryDir;
    private static ModelServer server;
    private static RawHttp http;
    private static SegmentationModel offline;
    private static Segmenter segmenter;
    private static List<Path> frames;

    @BeforeAll
    static void start() throws Exception {
        try (Stream<Path> files = Files.walk(SunnybrookTestData.dir().resolve("dicoms"))) {
            List<Path> all = files.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
            // one frame of each patient
            frames = List.of(all.get(0), all.get(all.size() / 2), all.get(all.size() - 1));
        }
        ModelRegistry registry = ServingFixtures.registryWithProduction(tmp, 11,
                ServingFixtures.phantomImages(8, 128, 1));
        registryDir = registry.root();
        server = ModelServer.start(ServerConfig.builder(registryDir, NAME).port(0).postProcessing(POST)
                .maxBodyBytes(MAX_BODY).build(), ServingFixtures.backend());
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

    // ---- answers

    @Test
    void theJsonAnswerDescribesTheSegmentersMaskInPixelsAndMillimetres() throws IOException {
        String manifest = ModelPackage.open(ModelRegistry.open(registryDir).get(NAME, 1)).manifestSha256();
        int foregroundFrames = 0;
        for (Path frame : frames) {
            Image image = DicomReader.read(frame).toImage();
            PixelSpacing spacing = image.spacing().orElseThrow();
            Mask expected = segmenter.predict(image);

            RawHttp.Response r = http.post("/v1/segment", DICOM, Files.readAllBytes(frame));

            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.header("Content-Type")).startsWith("application/json");
            JsonNode n = r.json();
            assertThat(n.propertyNames()).containsExactlyInAnyOrder("request_id", "model", "image",
                    "lv_area_pixels", "lv_area_mm2", "contours", "mask", "time_ms");
            assertThat(n.get("request_id").asString()).isEqualTo(r.header("X-Request-Id")).isNotBlank();
            assertThat(r.header("X-Model-Version")).isEqualTo("1");
            JsonNode model = n.get("model");
            assertThat(model.propertyNames()).containsExactlyInAnyOrder("name", "version", "manifest_sha256",
                    "precision", "backend");
            assertThat(model.get("name").asString()).isEqualTo(NAME);
            assertThat(model.get("version").asInt()).isEqualTo(1);
            assertThat(model.get("manifest_sha256").asString()).isEqualTo(manifest);
            assertThat(model.get("precision").asString()).isEqualTo("fp32");
            assertThat(model.get("backend").asString()).isEqualTo("tensorflow");
            JsonNode img = n.get("image");
            assertThat(img.get("height").asInt()).isEqualTo(image.height());
            assertThat(img.get("width").asInt()).isEqualTo(image.width());
            assertThat(img.get("pixel_spacing_mm").get(0).asDouble()).isEqualTo(spacing.rowMm());
            assertThat(img.get("pixel_spacing_mm").get(1).asDouble()).isEqualTo(spacing.colMm());
            assertThat(n.get("time_ms").asDouble()).isPositive();

            JsonNode mask = n.get("mask");
            assertThat(mask.get("encoding").asString()).isEqualTo("png");
            assertThat(mask.get("height").asInt()).isEqualTo(image.height());
            assertThat(mask.get("width").asInt()).isEqualTo(image.width());
            assertThat(decodePng(Base64.getDecoder().decode(mask.get("data").asString()))).isEqualTo(expected);

            long pixels = (long) expected.height() * expected.width() - expected.count(0);
            assertThat(n.get("lv_area_pixels").asLong()).isEqualTo(pixels);
            assertThat(n.get("lv_area_mm2").asDouble()).isCloseTo(pixels * spacing.rowMm() * spacing.colMm(),
                    within(1e-9));
            assertContours(n.get("contours"), expected, spacing);
            if (pixels > 0) {
                foregroundFrames++;
            }
        }
        assertThat(foregroundFrames).as("frames with a foreground, so the contours were checked").isPositive();
    }

    @Test
    void runLengthsDecodeToTheSegmentersMask() throws IOException {
        Path frame = frames.get(1);
        Mask expected = segmenter.predict(DicomReader.read(frame).toImage());

        RawHttp.Response r = http.post("/v1/segment?mask=rle", DICOM, Files.readAllBytes(frame));

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode mask = r.json().get("mask");
        assertThat(mask.get("encoding").asString()).isEqualTo("rle");
        assertThat(mask.get("order").asString()).isEqualTo("row-major");
        assertThat(mask.has("data")).isFalse();
        int h = mask.get("height").asInt();
        int w = mask.get("width").asInt();
        JsonNode values = mask.get("values");
        JsonNode lengths = mask.get("lengths");
        assertThat(values.size()).isEqualTo(lengths.size());
        byte[] labels = new byte[h * w];
        int at = 0;
        for (int i = 0; i < values.size(); i++) {
            assertThat(lengths.get(i).asInt()).isPositive();
            if (i > 0) {
                assertThat(values.get(i).asInt()).as("runs are maximal").isNotEqualTo(values.get(i - 1).asInt());
            }
            Arrays.fill(labels, at, at + lengths.get(i).asInt(), (byte) values.get(i).asInt());
            at += lengths.get(i).asInt();
        }
        assertThat(at).isEqualTo(h * w);
        assertThat(Mask.wrap(h, w, labels)).isEqualTo(expected);
    }

    @Test
    void maskNoneLeavesTheMaskOutAndImagePngAddsTheFrame() throws IOException {
        byte[] body = Files.readAllBytes(frames.get(0));

        JsonNode none = http.post("/v1/segment?mask=none", DICOM, body).json();
        assertThat(none.get("mask").propertyNames()).containsExactlyInAnyOrder("encoding", "height", "width");
        assertThat(none.get("mask").get("encoding").asString()).isEqualTo("none");

        JsonNode withImage = http.post("/v1/segment?image=png&mask=PNG", DICOM, body).json();
        assertThat(withImage.has("image_png")).isTrue();
        BufferedImage grey = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(
                withImage.get("image_png").asString())));
        assertThat(grey.getHeight()).isEqualTo(withImage.get("image").get("height").asInt());
        assertThat(grey.getWidth()).isEqualTo(withImage.get("image").get("width").asInt());
        assertThat(withImage.get("mask").get("encoding").asString()).isEqualTo("png");

        assertThat(http.post("/v1/segment?mask=jpeg", DICOM, body).assertError(400)).contains("jpeg");
    }

    @Test
    void acceptImagePngAnswersWithTheMaskPngItself() throws IOException {
        Path frame = frames.get(2);
        Mask expected = segmenter.predict(DicomReader.read(frame).toImage());
        String manifest = ModelPackage.open(ModelRegistry.open(registryDir).get(NAME, 1)).manifestSha256();

        RawHttp.Response r = http.send("POST", "/v1/segment", Map.of("Content-Type", "application/octet-stream",
                "Accept", "image/png"), Files.readAllBytes(frame));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("image/png");
        assertThat(r.header("X-Model-Name")).isEqualTo(NAME);
        assertThat(r.header("X-Model-Version")).isEqualTo("1");
        assertThat(r.header("X-Model-Manifest-Sha256")).isEqualTo(manifest);
        assertThat(r.header("X-Precision")).isEqualTo("fp32");
        assertThat(decodePng(r.body())).isEqualTo(expected);

        RawHttp.Response json = http.send("POST", "/v1/segment", Map.of("Content-Type", DICOM,
                "Accept", "image/png, application/json"), Files.readAllBytes(frame));
        assertThat(json.header("Content-Type")).startsWith("application/json");
    }

    // ---- bad input

    @Test
    void aTruncatedDicomIs400WithTheReadersReason() throws IOException {
        byte[] whole = Files.readAllBytes(frames.get(0));
        for (int n : new int[] {1, 100, 128, 131, 132, 136, 140, 200, 500, 1_000, 2_000, whole.length / 2,
                whole.length - 1}) {
            byte[] cut = Arrays.copyOf(whole, n);
            String reason = readerReason(cut);

            String message = http.post("/v1/segment", DICOM, cut).assertError(400);

            assertThat(message).as("first %d bytes", n).isEqualTo(reason);
        }
    }

    @Test
    void aCompressedTransferSyntaxIs400NamingIt() {
        for (String uid : List.of("1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.5")) {
            byte[] dicom = frame(DicomTestWriter.claiming(uid), 16, 16).toBytes();

            String message = http.post("/v1/segment", DICOM, dicom).assertError(400);

            assertThat(message).contains("unsupported transfer syntax '" + uid + "'").isEqualTo(readerReason(dicom));
        }
    }

    @Test
    void anEmptyBodyIs400() {
        assertThat(http.post("/v1/segment", DICOM, new byte[0]).assertError(400)).contains("empty");
    }

    @Test
    void aBodyThatIsNotDicomIs415() throws IOException {
        byte[] body = Files.readAllBytes(frames.get(0));
        for (String type : List.of("text/plain", "image/png", "application/json", "multipart/form-data")) {
            assertThat(http.post("/v1/segment", type, body).assertError(415)).as(type).contains(type)
                    .contains("application/dicom");
        }
        assertThat(http.post("/v1/segment", null, body).assertError(415)).contains("no content type");
    }

    @Test
    void aDeclaredLengthOverTheLimitIs413BeforeTheBodyIsSent() throws IOException {
        try (Socket s = http.open()) {
            s.getOutputStream().write(http.head("POST", "/v1/segment", Map.of("Content-Type", DICOM,
                    "Content-Length", Long.toString(MAX_BODY + 1))));
            s.getOutputStream().flush();

            RawHttp.Response r = RawHttp.read(s.getInputStream());

            assertThat(r.assertError(413)).contains(Long.toString(MAX_BODY + 1)).contains(Long.toString(MAX_BODY));
        }
    }

    @Test
    void aBodyOverTheLimitIs413WithContentLengthAndChunked() {
        byte[] big = new byte[(int) MAX_BODY + 50_000];

        assertThat(http.post("/v1/segment", DICOM, big).assertError(413)).contains(Long.toString(MAX_BODY));
        assertThat(http.chunked("POST", "/v1/segment", DICOM, big, 16_384).assertError(413))
                .contains(Long.toString(MAX_BODY));
        // a chunked body within the limit is read whole
        assertThat(http.chunked("POST", "/v1/segment", DICOM, readAll(frames.get(0)), 10_000).status())
                .isEqualTo(200);
    }

    @Test
    void hostileBodiesAreNeverA500() throws IOException {
        byte[] whole = Files.readAllBytes(frames.get(0));
        Random random = new Random(42);
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] b = whole.clone();
            // a few bytes changed in the header, where the reader's decisions are made
            for (int k = 0; k < 1 + random.nextInt(4); k++) {
                b[132 + random.nextInt(1_000)] = (byte) random.nextInt(256);
            }
            bodies.add(b);
        }
        byte[] noise = new byte[5_000];
        random.nextBytes(noise);
        bodies.add(noise);
        byte[] magicOnly = new byte[132];
        System.arraycopy("DICM".getBytes(StandardCharsets.US_ASCII), 0, magicOnly, 128, 4);
        bodies.add(magicOnly);
        for (byte[] body : bodies) {
            RawHttp.Response r = http.post("/v1/segment", DICOM, body);
            assertThat(r.status()).as(r.text()).isIn(200, 400);
            r.assertNoStackTrace();
            if (r.status() == 400) {
                r.assertError(400);
            }
        }
    }

    /** A model that takes 64x64 frames exactly refuses a 256x256 one, naming both sizes, and takes a 64x64 one. */
    @Test
    void aFrameOfAnotherSizeForAnExactFitModelIs400NamingTheSizes(@TempDir Path dir) throws Exception {
        ModelRegistry reg = ModelRegistry.open(dir.resolve("registry"));
        ServingFixtures.registerAndPromote(reg, ServingFixtures.writePackage(dir.resolve("pkg"), 3,
                ServingFixtures.phantomImages(4, 64, 2), ServingFixtures.exactSpec()));
        try (ModelServer s = ModelServer.start(ServerConfig.builder(dir.resolve("registry"), NAME).port(0).build(),
                ServingFixtures.backend())) {
            assertThat(s.awaitReady(60_000)).isTrue();
            RawHttp h = RawHttp.to(s);

            String message = h.post("/v1/segment", DICOM, readAll(frames.get(0))).assertError(400);

            assertThat(message).contains("256x256").contains("64x64").contains("exact");
            RawHttp.Response fits = h.post("/v1/segment", DICOM, frame(DicomTestWriter.explicitVr(), 64, 64)
                    .toBytes());
            assertThat(fits.status()).as(fits.text()).isEqualTo(200);
            assertThat(fits.json().get("image").get("height").asInt()).isEqualTo(64);
        }
    }

    /**
     * A client that sends half its body and stalls is answered 408 (or cut off) after the idle timeout; the server
     * answers other clients meanwhile and afterwards.
     */
    @Test
    void aClientThatStallsInTheBodyIsCutOffAfterTheIdleTimeout(@TempDir Path dir) throws Exception {
        ServerConfig config = ServerConfig.builder(registryDir, NAME).port(0).postProcessing(POST)
                .idleTimeout(Duration.ofSeconds(1)).accessLog(dir.resolve("access.log")).build();
        try (ModelServer s = ModelServer.start(config, ServingFixtures.backend())) {
            assertThat(s.awaitReady(60_000)).isTrue();
            RawHttp h = RawHttp.to(s);
            byte[] body = readAll(frames.get(0));
            assertThat(h.post("/v1/segment", DICOM, body).status()).isEqualTo(200);

            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket slow = h.open();
                    stalled.add(slow);
                    OutputStream out = slow.getOutputStream();
                    out.write(h.head("POST", "/v1/segment", Map.of("Content-Type", DICOM, "Content-Length",
                            Integer.toString(body.length))));
                    out.write(body, 0, body.length / 2);
                    out.flush();
                }
                // the stalled requests hold no one up
                assertThat(h.get("/v2/health/live").status()).isEqualTo(200);
                assertThat(h.post("/v1/segment", DICOM, body).status()).isEqualTo(200);

                for (Socket slow : stalled) {
                    InputStream in = slow.getInputStream();
                    RawHttp.Response answer;
                    try {
                        answer = RawHttp.read(new java.io.BufferedInputStream(in));
                    } catch (SocketException | java.io.EOFException e) {
                        continue; // cut off without an answer
                    } catch (IOException e) {
                        assertThat(e).hasMessageContaining("closed the connection");
                        continue;
                    }
                    assertThat(answer.assertError(408)).contains("did not arrive");
                }
            } finally {
                for (Socket slow : stalled) {
                    slow.close();
                }
            }
            assertThat(h.post("/v1/segment", DICOM, body).status()).isEqualTo(200);
        }
    }

    // ---- helpers

    /** The reason the DICOM reader gives for refusing {@code bytes} as the server reads them. */
    private static String readerReason(byte[] bytes) {
        try {
            DicomReader.read(bytes, "request body", ReadLimits.defaults());
        } catch (DataFormatException e) {
            return e.getMessage();
        }
        throw new AssertionError("the reader took these bytes");
    }

    /** A 16-bit frame of {@code rows x cols} with a pixel spacing, written by {@code w}. */
    private static DicomTestWriter frame(DicomTestWriter w, int rows, int cols) {
        int[] px = new int[rows * cols];
        for (int i = 0; i < px.length; i++) {
            px[i] = (i * 37) % 1000;
        }
        return w.text(0x0010_0020, "LO", "P1")
                .text(0x0020_0013, "IS", "1")
                .us(0x0028_0002, 1)
                .text(0x0028_0004, "CS", "MONOCHROME2")
                .us(0x0028_0010, rows)
                .us(0x0028_0011, cols)
                .text(0x0028_0030, "DS", "1.25\\1.25")
                .us(0x0028_0100, 16)
                .us(0x0028_0101, 12)
                .us(0x0028_0102, 11)
                .us(0x0028_0103, 0)
                .element(0x7FE0_0010, "OW", DicomTestWriter.words(px));
    }

    private static Mask decodePng(byte[] png) throws IOException {
        Path file = Files.createTempFile(tmp, "mask", ".png");
        Files.write(file, png);
        return MaskPng.read(file);
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertContours(JsonNode contours, Mask expected, PixelSpacing spacing) {
        List<List<Contours.Point>> polygons = new ArrayList<>();
        List<Integer> classes = new ArrayList<>();
        for (int k = 1; k <= expected.maxLabel(); k++) {
            for (List<Contours.Point> p : Contours.marchingSquares(expected, k)) {
                polygons.add(p);
                classes.add(k);
            }
        }
        assertThat(contours.size()).isEqualTo(polygons.size());
        for (int i = 0; i < polygons.size(); i++) {
            JsonNode c = contours.get(i);
            assertThat(c.propertyNames()).containsExactlyInAnyOrder("class", "pixels", "mm");
            assertThat(c.get("class").asInt()).isEqualTo(classes.get(i));
            List<Contours.Point> polygon = polygons.get(i);
            assertThat(c.get("pixels").size()).isEqualTo(polygon.size());
            assertThat(c.get("mm").size()).isEqualTo(polygon.size());
            for (int j = 0; j < polygon.size(); j++) {
                JsonNode px = c.get("pixels").get(j);
                JsonNode mm = c.get("mm").get(j);
                assertThat(px.get(0).asDouble()).isEqualTo(polygon.get(j).x());
                assertThat(px.get(1).asDouble()).isEqualTo(polygon.get(j).y());
                assertThat(mm.get(0).asDouble()).isCloseTo(polygon.get(j).x() * spacing.colMm(), within(1e-9));
                assertThat(mm.get(1).asDouble()).isCloseTo(polygon.get(j).y() * spacing.rowMm(), within(1e-9));
            }
        }
    }
}

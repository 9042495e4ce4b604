package io.medseg.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.backend.Backend;
import io.medseg.backend.Backends;
import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.dicom.DicomReader;
import io.medseg.inference.Segmenter;
import io.medseg.inference.TestTimeAugmentation;
import io.medseg.mlops.ModelPackage;
import io.medseg.mlops.PackageManifest;
import io.medseg.mlops.registry.ModelRegistry;
import io.medseg.onnx.OnnxExport;
import io.medseg.postprocess.PostProcessing;
import io.medseg.testdata.SunnybrookTestData;
import io.medseg.viz.MaskPng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code segment serve --backend onnx}: the server runs a package's {@code model.onnx} through ONNX Runtime. */
class OnnxServingTest {
    @TempDir
    Path tmp;

    @Test
    void theServerAnswersWithTheOnnxSegmentersMasksAndSaysWhichBackend() throws Exception {
        Backend onnx = Backends.load("onnx");
        Path pkg = ServingFixtures.writePackage(tmp.resolve("pkg"), 11, ServingFixtures.phantomImages(8, 128, 1));
        OnnxExport.intoModelFolder(ServingFixtures.backend(), pkg);
        PackageManifest.write(pkg);
        ModelRegistry registry = ModelRegistry.open(tmp.resolve("registry"));
        ServingFixtures.registerAndPromote(registry, pkg);
        List<Path> frames;
        try (Stream<Path> files = Files.walk(SunnybrookTestData.dir().resolve("dicoms"))) {
            frames = files.filter(p -> p.toString().endsWith(".dcm")).sorted().limit(4).toList();
        }
        PostProcessing post = PostProcessing.largestComponentAndFillHoles();
        ServerConfig config = ServerConfig.builder(registry.root(), ServingFixtures.NAME).port(0)
                .postProcessing(post).build();
        try (ModelServer server = ModelServer.start(config, onnx);
                SegmentationModel offline = ModelPackage.load(onnx, registry.get(ServingFixtures.NAME, 1),
                        Precision.FP32)) {
            assertThat(server.awaitReady(60_000)).isTrue();
            Segmenter segmenter = new Segmenter(offline, post, TestTimeAugmentation.NONE);
            RawHttp http = RawHttp.to(server);
            for (Path frame : frames) {
                Image image = DicomReader.read(frame).toImage();
                RawHttp.Response r = http.post("/v1/segment", "application/dicom", Files.readAllBytes(frame));
                assertThat(r.status()).as(r.text()).isEqualTo(200);
                JsonNode n = r.json();
                assertThat(n.path("model").path("backend").asString()).isEqualTo("onnx");
                Path png = Files.createTempFile(tmp, "mask", ".png");
                Files.write(png, Base64.getDecoder().decode(n.path("mask").path("data").asString()));
                Mask expected = segmenter.predict(image);
                assertThat(MaskPng.read(png)).isEqualTo(expected);
            }
            RawHttp.Response meta = http.get("/v2/models/" + ServingFixtures.NAME);
            assertThat(meta.status()).isEqualTo(200);
            assertThat(meta.json().path("platform").asString()).contains("onnx");
        }
    }
}

package io.medseg.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.data.Image;
import io.medseg.io.Json;
import io.medseg.testdata.SunnybrookTestData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class ModelServerSmokeTest {
    @TempDir
    Path tmp;

    @Test
    void servesARealFrameEndToEnd() throws Exception {
        List<Image> reference = ServingFixtures.phantomImages(8, 128, 1);
        ServingFixtures.registryWithProduction(tmp, 11, reference);
        ServerConfig config = ServerConfig.builder(tmp.resolve("registry"), ServingFixtures.NAME).port(0).build();
        Path dicom;
        try (Stream<Path> files = Files.walk(SunnybrookTestData.dir().resolve("dicoms"))) {
            dicom = files.filter(p -> p.toString().endsWith(".dcm")).sorted().findFirst().orElseThrow();
        }
        try (ModelServer server = ModelServer.start(config, ServingFixtures.backend())) {
            assertThat(server.awaitReady(60_000)).isTrue();
            // segment serve waits without a limit: a timeout too large for nanoseconds must still wait, not fail
            assertThat(server.awaitReady(Long.MAX_VALUE)).isTrue();
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/segment"))
                    .header("Content-Type", "application/dicom")
                    .POST(HttpRequest.BodyPublishers.ofFile(dicom)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode n = Json.tree(r.body());
            assertThat(n.path("model").path("version").asInt()).isEqualTo(1);
            assertThat(n.path("mask").path("encoding").asString()).isEqualTo("png");
            HttpResponse<String> m = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(m.body()).contains("medseg_http_requests_total").contains("medseg_model_version");
        }
        assertThat(Files.readAllLines(config.accessLog())).hasSize(2);
    }
}

package io.medseg.serving;

import io.medseg.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** A client of one running {@link ModelServer}, for the tests: requests, and the metrics read back. */
final class ServerClient {
    private final HttpClient http;
    private final String base;

    ServerClient(int port) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        this.base = "http://127.0.0.1:" + port;
    }

    /** {@code POST /v1/segment?query} with a DICOM body and, when not null, an {@code X-Request-Id}. */
    HttpResponse<String> segment(byte[] dicom, String query, String requestId) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/segment" + (query.isEmpty() ? ""
                : "?" + query))).header("Content-Type", "application/dicom")
                .timeout(Duration.ofMinutes(2)).POST(HttpRequest.BodyPublishers.ofByteArray(dicom));
        if (requestId != null) {
            b.header(HttpApi.REQUEST_ID_HEADER, requestId);
        }
        return send(b.build());
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).GET().build());
    }

    /** {@code GET /v1/drift} as JSON, checked to be 200. */
    JsonNode drift() {
        HttpResponse<String> r = get("/v1/drift");
        if (r.statusCode() != 200) {
            throw new AssertionError("GET /v1/drift: " + r.statusCode() + " " + r.body());
        }
        return Json.tree(r.body());
    }

    /**
     * The Prometheus samples of {@code GET /metrics}, keyed by name and labels as written (e.g.
     * {@code medseg_drift_verdict{feature="noise_level"}}).
     */
    Map<String, Double> metrics() {
        HttpResponse<String> r = get("/metrics");
        if (r.statusCode() != 200) {
            throw new AssertionError("GET /metrics: " + r.statusCode() + " " + r.body());
        }
        return parseMetrics(r.body());
    }

    static Map<String, Double> parseMetrics(String text) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : text.lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return out;
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + request.uri(), e);
        }
    }
}

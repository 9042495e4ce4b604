package io.medseg.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * HTTP/1.1 over a plain socket, one connection per request ({@code Connection: close}), so the tests control
 * every byte sent (declared lengths, chunked bodies, bodies cut short) and no pooled connection outlives a
 * server's idle timeout.
 */
final class RawHttp {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int READ_TIMEOUT_MS = 120_000;

    private final int port;
    private final String token;

    private RawHttp(int port, String token) {
        this.port = port;
        this.token = token;
    }

    static RawHttp to(ModelServer server) {
        return new RawHttp(server.port(), null);
    }

    /** The same server, every request with {@code Authorization: Bearer <token>}. */
    RawHttp withToken(String bearer) {
        return new RawHttp(port, bearer);
    }

    int port() {
        return port;
    }

    /** An answer: the status, the headers (names in lower case) and the body. */
    static final class Response {
        private final int status;
        private final Map<String, List<String>> headers;
        private final byte[] body;

        Response(int status, Map<String, List<String>> headers, byte[] body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        int status() {
            return status;
        }

        byte[] body() {
            return body;
        }

        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            return JSON.readTree(body);
        }

        /**
         * Checks this is the protocol's error object with {@code status}: JSON {@code {"error": "<message>"}} and
         * nothing else, without a stack trace; returns the message.
         */
        String assertError(int expected) {
            assertThat(status).as("status of %s", text()).isEqualTo(expected);
            assertThat(header("Content-Type")).startsWith("application/json");
            assertNoStackTrace();
            JsonNode n = json();
            assertThat(n.isObject()).as(text()).isTrue();
            assertThat(n.propertyNames()).as(text()).containsExactly("error");
            assertThat(n.get("error").isString()).as(text()).isTrue();
            assertThat(n.get("error").asString()).isNotBlank();
            return n.get("error").asString();
        }

        void assertNoStackTrace() {
            assertThat(text()).doesNotContain("\tat ").doesNotContain("Exception");
        }
    }

    Response get(String path) {
        return send("GET", path, Map.of(), null);
    }

    Response post(String path, String contentType, byte[] body) {
        return send("POST", path, contentType == null ? Map.of() : Map.of("Content-Type", contentType), body);
    }

    Response postJson(String path, String json) {
        return post(path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** A request with {@code Content-Length} (when there is a body) and the given extra headers. */
    Response send(String method, String path, Map<String, String> headers, byte[] body) {
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            Map<String, String> all = new LinkedHashMap<>(headers);
            if (body != null) {
                all.putIfAbsent("Content-Length", Integer.toString(body.length));
            }
            out.write(head(method, path, all));
            try {
                if (body != null) {
                    out.write(body);
                }
                out.flush();
            } catch (IOException e) {
                // the server may answer (and close) before the whole body is sent: read its answer
            }
            return read(new BufferedInputStream(s.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        }
    }

    /** A request whose body is sent chunked, {@code chunk} bytes at a time, ending with the last chunk. */
    Response chunked(String method, String path, String contentType, byte[] body, int chunk) {
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write(head(method, path, Map.of("Content-Type", contentType, "Transfer-Encoding", "chunked")));
            try {
                for (int i = 0; i < body.length; i += chunk) {
                    int n = Math.min(chunk, body.length - i);
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body, i, n);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                // the server may answer (and close) before the whole body is sent: read its answer
            }
            return read(new BufferedInputStream(s.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        }
    }

    /** A connected socket, for requests the test writes itself. */
    Socket open() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(READ_TIMEOUT_MS);
        return s;
    }

    /** The request line and headers, with {@code Host}, {@code Connection: close} and the token when set. */
    byte[] head(String method, String path, Map<String, String> headers) {
        StringBuilder b = new StringBuilder();
        b.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        b.append("Host: 127.0.0.1:").append(port).append("\r\n");
        b.append("Connection: close\r\n");
        if (token != null && !headers.containsKey("Authorization")) {
            b.append("Authorization: Bearer ").append(token).append("\r\n");
        }
        headers.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
        b.append("\r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads one response: status line, headers, then the body by length, chunks or to the end of the stream. */
    static Response read(InputStream in) throws IOException {
        String status = line(in);
        if (status == null) {
            throw new IOException("the server closed the connection without an answer");
        }
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP status line: " + status);
        }
        int code = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String h; (h = line(in)) != null && !h.isEmpty();) {
            int colon = h.indexOf(':');
            headers.computeIfAbsent(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(h.substring(colon + 1).strip());
        }
        byte[] body;
        List<String> te = headers.get("transfer-encoding");
        List<String> cl = headers.get("content-length");
        if (te != null && te.get(0).equalsIgnoreCase("chunked")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (;;) {
                String size = line(in);
                int semi = size.indexOf(';');
                int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
                if (n == 0) {
                    while (true) {
                        String trailer = line(in);
                        if (trailer == null || trailer.isEmpty()) {
                            break;
                        }
                    }
                    break;
                }
                out.write(in.readNBytes(n));
                line(in);
            }
            body = out.toByteArray();
        } else if (cl != null) {
            int n = Integer.parseInt(cl.get(0));
            body = in.readNBytes(n);
            if (body.length != n) {
                throw new IOException("the body ended after " + body.length + " of " + n + " bytes");
            }
        } else {
            body = in.readAllBytes();
        }
        return new Response(code, headers, body);
    }

    /** One CRLF-terminated line, without its end; null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }
}

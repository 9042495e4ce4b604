package io.medseg.serving;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.medseg.mlops.Hashing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The HTTP side of {@link ModelServer}: routes, bearer tokens, body limits, errors in the protocol's shape, the
 * access log line of every request (written before the response is sent) and the request metrics.
 */
final class HttpApi {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    static final JsonMapper JSON = JsonMapper.builder().build();

    static final String LIVE = "/v2/health/live";
    static final String READY = "/v2/health/ready";
    private static final String START = "medseg.start";
    private static final String ENDPOINT = "medseg.endpoint";
    private static final String TOKEN_ID = "medseg.token";
    private static final String INPUT_SHA = "medseg.input";
    private static final String MODEL_VERSION = "medseg.version";
    private static final String REQUEST_ID = "medseg.request";
    private static final String BODY_READ = "medseg.body";
    /**
     * The most bytes of a body that a request refused before reading it (401, 404, 415, 413 for a declared length
     * over {@link ServerConfig#maxBodyBytes()}...) may send: they are read and dropped before the answer, so that a
     * client still sending reads the answer instead of a reset connection. A longer body is left unread and the
     * connection closed.
     */
    static final long MAX_UNREAD_BODY_BYTES = 4L << 20;
    static final String REQUEST_ID_HEADER = "X-Request-Id";
    private static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private final ServerConfig config;
    private final AccessLog accessLog;
    private final TokenFile tokens;
    private final ServingAudit audit;
    private final PrometheusMeterRegistry meters;
    private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final SegmentEndpoint segment;
    private final InferenceProtocol v2;
    private final Javalin app;

    HttpApi(ModelServer server, ServerConfig config, AccessLog accessLog, TokenFile tokens,
            PrometheusMeterRegistry meters, ServingAudit audit) {
        this.config = config;
        this.audit = audit;
        this.accessLog = accessLog;
        this.tokens = tokens;
        this.meters = meters;
        this.segment = new SegmentEndpoint(server, this);
        this.v2 = new InferenceProtocol(server, this);
        this.app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.startup.showOldJavalinVersionWarning = false;
            c.http.maxRequestSize = config.maxBodyBytes();
            c.jetty.host = config.host();
            c.jetty.port = config.port();
            c.jetty.modifyServer(s -> {
                // stop() lets the requests already received finish, then closes
                s.insertHandler(new GracefulHandler());
                s.setStopTimeout(Math.max(1000, config.requestTimeout().toMillis()));
            });
            c.jetty.modifyHttpConfiguration(h -> {
                h.setSendServerVersion(false);
                h.setSendDateHeader(true);
                // a client that stops sending in the middle of a body is cut off after the idle timeout
                h.setIdleTimeout(config.idleTimeout().toMillis());
            });
            c.routes.before(this::before);
            c.routes.after(this::after);
            c.routes.get(LIVE, route(LIVE, ctx -> ctx.status(200)));
            c.routes.get(READY, route(READY, ctx -> ctx.status(server.ready() ? 200 : 400)));
            c.routes.get("/v2", route("/v2", v2::serverMetadata));
            c.routes.get("/v2/models/{name}", route("/v2/models/{name}", v2::modelMetadata));
            c.routes.get("/v2/models/{name}/versions/{version}",
                    route("/v2/models/{name}/versions/{version}", v2::modelMetadata));
            c.routes.get("/v2/models/{name}/ready", route("/v2/models/{name}/ready", v2::modelReady));
            c.routes.get("/v2/models/{name}/versions/{version}/ready",
                    route("/v2/models/{name}/versions/{version}/ready", v2::modelReady));
            c.routes.post("/v2/models/{name}/infer", route("/v2/models/{name}/infer", v2::infer));
            c.routes.post("/v2/models/{name}/versions/{version}/infer",
                    route("/v2/models/{name}/versions/{version}/infer", v2::infer));
            c.routes.post("/v1/segment", route("/v1/segment", segment::handle));
            c.routes.get("/v1/drift", route("/v1/drift", segment::drift));
            c.routes.get("/metrics", route("/metrics", this::metrics));
            c.routes.get("/", route("/", this::viewer));
            c.routes.exception(HttpProblem.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
            c.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(),
                    e.getMessage() == null || e.getMessage().isEmpty() ? "HTTP " + e.getStatus() : e.getMessage()));
            c.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("{} {}: {}", ctx.method(), ctx.path(), e.toString(), e);
                error(ctx, 500, "internal error: " + e.getClass().getSimpleName());
            });
        });
    }

    void start() throws IOException {
        try {
            app.start();
        } catch (RuntimeException e) {
            throw new IOException("could not listen on " + config.host() + ":" + config.port() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
        LOG.info("listening on http://{}:{}{}", config.host(), port(),
                tokens == null ? " (loopback only: no tokens file)" : " (bearer tokens from " + tokens.file() + ")");
    }

    int port() {
        for (var c : app.jettyServer().server().getConnectors()) {
            if (c instanceof NetworkConnector n) {
                return n.getLocalPort();
            }
        }
        return ((ServerConnector) app.jettyServer().server().getConnectors()[0]).getLocalPort();
    }

    void stop() {
        app.stop();
    }

    /** Wraps a route's handler so the access log and metrics name the route, not the raw path. */
    private static Handler route(String template, Handler handler) {
        return ctx -> {
            ctx.attribute(ENDPOINT, template);
            handler.handle(ctx);
        };
    }

    private void before(Context ctx) {
        ctx.attribute(START, System.nanoTime());
        String given = ctx.header(REQUEST_ID_HEADER);
        String id = given != null && CLIENT_REQUEST_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
        ctx.attribute(REQUEST_ID, id);
        ctx.header(REQUEST_ID_HEADER, id);
        String path = ctx.path();
        if (tokens == null || path.equals(LIVE) || path.equals(READY) || path.equals("/")) {
            return;
        }
        String auth = ctx.header("Authorization");
        String token = null;
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = auth.substring(7).strip();
        }
        Optional<String> who = tokens.authenticate(token);
        if (who.isEmpty()) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"medseg\"");
            LOG.warn("401 {} {} from {}: {}", ctx.method(), path, ctx.ip(),
                    token == null ? "no bearer token" : "unknown bearer token");
            audit.denied(ctx.req().getRemoteAddr(), ctx.method().name(), path, token == null ? "no bearer token"
                    : "unknown bearer token", config.model());
            throw new HttpProblem(401, token == null ? "this server requires 'Authorization: Bearer <token>'"
                    : "the bearer token is not valid");
        }
        ctx.attribute(TOKEN_ID, who.get());
    }

    /** Runs before the response is written: the access log line first, so a sent answer is always logged. */
    private void after(Context ctx) {
        Long start = ctx.attribute(START);
        double millis = start == null ? 0 : (System.nanoTime() - start) / 1e6;
        dropUnreadBody(ctx);
        String template = ctx.attribute(ENDPOINT);
        String endpoint = template != null ? template : "unmatched";
        int status = ctx.statusCode();
        ObjectNode line = JSON.createObjectNode();
        line.put("time", Instant.now().toString());
        line.put("request_id", (String) ctx.attribute(REQUEST_ID));
        line.put("client", ctx.req().getRemoteAddr());
        line.put("token_id", (String) ctx.attribute(TOKEN_ID));
        line.put("method", ctx.method().name());
        line.put("endpoint", template != null ? template : ctx.path());
        line.put("status", status);
        line.put("model", config.model());
        Integer version = ctx.attribute(MODEL_VERSION);
        if (version != null) {
            line.put("model_version", version);
        } else {
            line.putNull("model_version");
        }
        line.put("input_sha256", (String) ctx.attribute(INPUT_SHA));
        line.put("time_ms", Math.round(millis * 1000) / 1000.0);
        try {
            accessLog.append(line);
        } catch (IOException | RuntimeException e) {
            LOG.error("access log {}: {}; answering 500 rather than serve an unlogged request", accessLog.file(),
                    e.toString());
            ctx.status(500);
            ctx.contentType("application/json");
            ctx.result(errorBody("the access log could not be written"));
            status = 500;
        }
        String statusTag = Integer.toString(status);
        counters.computeIfAbsent(endpoint + " " + statusTag, k -> Counter.builder("medseg.http.requests")
                .description("requests answered, by endpoint and status").tag("endpoint", endpoint)
                .tag("status", statusTag).register(meters)).increment();
        timers.computeIfAbsent(endpoint, k -> Timer.builder("medseg.http.request.duration")
                .description("time from the request's arrival to its answer").tag("endpoint", endpoint)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(meters))
                .record(Duration.ofNanos(start == null ? 0 : System.nanoTime() - start));
    }

    /** Reads and drops the body of a request answered without reading it, when it is short enough. */
    private void dropUnreadBody(Context ctx) {
        if (ctx.attribute(BODY_READ) != null) {
            return;
        }
        long declared = ctx.req().getContentLengthLong();
        boolean chunked = declared < 0 && ctx.header("Transfer-Encoding") != null;
        // not bounded by maxBodyBytes: a body refused for being over a smaller limit is dropped too
        long limit = MAX_UNREAD_BODY_BYTES;
        if (declared == 0 || (declared < 0 && !chunked) || declared > limit) {
            return;
        }
        try {
            InputStream in = ctx.req().getInputStream();
            byte[] buffer = new byte[16_384];
            for (long left = limit; left > 0;) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    return;
                }
                left -= n;
            }
            ctx.header("Connection", "close"); // a chunked body longer than the limit: the rest stays unread
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            // the client stopped sending or went away: nothing to answer it with a body for
            LOG.debug("{} {}: the unread body could not be dropped: {}", ctx.method(), ctx.path(), e.toString());
        }
    }

    private void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8");
        ctx.result(meters.scrape());
    }

    private void viewer(Context ctx) throws IOException {
        try (InputStream in = HttpApi.class.getResourceAsStream("viewer.html")) {
            if (in == null) {
                throw new IllegalStateException("viewer.html is missing from the serving jar");
            }
            ctx.contentType("text/html; charset=utf-8");
            ctx.header("Cache-Control", "no-cache");
            ctx.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
                    + "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'");
            ctx.result(in.readAllBytes());
        }
    }

    // ---- shared by the endpoints

    /** Records what the access log says of this request's input and model. */
    static void noteInput(Context ctx, byte[] body) {
        ctx.attribute(INPUT_SHA, Hashing.sha256(body));
    }

    static void noteModel(Context ctx, ServedModel model) {
        ctx.attribute(MODEL_VERSION, model.version());
        ctx.header("X-Model-Version", Integer.toString(model.version()));
    }

    static String requestId(Context ctx) {
        return ctx.attribute(REQUEST_ID);
    }

    /**
     * The request body, at most {@link ServerConfig#maxBodyBytes()}: a declared or actual length over it is 413,
     * a client that stops sending is 408.
     */
    byte[] body(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > config.maxBodyBytes()) {
            // left unread: dropUnreadBody reads and drops it when it is short enough, and the answer gets through
            ctx.header("Connection", "close");
            throw new HttpProblem(413, "request body of " + declared + " bytes is over the limit of "
                    + config.maxBodyBytes() + " bytes");
        }
        ctx.attribute(BODY_READ, true);
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, config.maxBodyBytes() + 1));
            if (bytes.length > config.maxBodyBytes()) {
                ctx.header("Connection", "close");
                throw new HttpProblem(413, "request body is over the limit of " + config.maxBodyBytes() + " bytes");
            }
            return bytes;
        } catch (IOException | UncheckedIOException e) {
            ctx.header("Connection", "close");
            throw new HttpProblem(408, "the request body did not arrive in full: " + rootMessage(e));
        }
    }

    /** The media type of the request without parameters, lower case; empty when absent. */
    static String mediaType(Context ctx) {
        String type = ctx.contentType();
        if (type == null) {
            return "";
        }
        int semi = type.indexOf(';');
        return (semi < 0 ? type : type.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    long requestTimeoutMillis() {
        return config.requestTimeout().toMillis();
    }

    static void json(Context ctx, int status, byte[] body) {
        ctx.status(status);
        ctx.contentType("application/json");
        ctx.result(body);
    }

    static void error(Context ctx, int status, String message) {
        json(ctx, status, errorBody(message));
    }

    static byte[] errorBody(String message) {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", message);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}

package io.medseg.serving;

import io.medseg.backend.Backend;
import io.medseg.mlops.registry.ModelRegistry;
import io.medseg.mlops.registry.ModelVersion;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inference service: an HTTP server ({@link HttpApi}) in front of the registry version being served. It
 * starts listening at once, live but not ready; it is ready when a model is loaded. Unless a fixed version was
 * asked for, it looks at the registry every {@link ServerConfig#watchInterval()} and, when another version is in
 * production, loads it (its MANIFEST verified first), sends new requests to it and retires the old one, which
 * closes when the requests it accepted are answered. {@link #close()} stops taking connections, finishes the
 * requests in flight, then closes the model and the access log.
 */
public final class ModelServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelServer.class);

    private final ServerConfig config;
    private final Backend backend;
    private final ModelRegistry registry;
    private final AccessLog accessLog;
    private final ServingAudit audit;
    private final PrometheusMeterRegistry meters;
    private final Map<String, AtomicInteger> driftGauges = LiveDrift.gaugeMap();
    private final AtomicInteger versionGauge = new AtomicInteger(0);
    private final Counter swaps;
    private final DistributionSummary batchSizes;
    private final ScheduledExecutorService watcher;
    private final HttpApi http;
    private volatile ServedModel current;
    private volatile LiveDrift drift;
    /** The version whose load failed last, so a broken package is reported once, not every interval. */
    private volatile String failedLoad;
    private volatile boolean closed;

    private ModelServer(ServerConfig config, Backend backend, ModelRegistry registry, AccessLog accessLog,
            TokenFile tokens) {
        this.config = config;
        this.backend = backend;
        this.registry = registry;
        this.accessLog = accessLog;
        this.audit = new ServingAudit(registry.auditLog());
        this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(meters);
        new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(meters);
        new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(meters);
        this.swaps = Counter.builder("medseg.model.swaps").description("versions swapped in after a promotion")
                .register(meters);
        this.batchSizes = DistributionSummary.builder("medseg.batch.size")
                .description("images per network call").serviceLevelObjectives(histogramBuckets(config.maxBatch()))
                .register(meters);
        Gauge.builder("medseg.model.version", versionGauge, AtomicInteger::get)
                .description("the registry version being served (0: none loaded)").tag("model", config.model())
                .register(meters);
        Gauge.builder("medseg.queue.depth", this, ModelServer::queued)
                .description("images waiting for the network").register(meters);
        Gauge.builder("medseg.ready", this, s -> s.current != null ? 1 : 0)
                .description("1 when a model is loaded and requests are served").register(meters);
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "medseg-registry-watch");
            t.setDaemon(true);
            return t;
        });
        this.http = new HttpApi(this, config, accessLog, tokens, meters, audit);
    }

    /**
     * Starts a server for {@code config} with {@code backend}: listening at once, ready once the model is loaded
     * (in the background; {@link #awaitReady} waits for it).
     *
     * @throws IOException if the registry, the tokens file or the access log cannot be opened, or the port is taken
     * @throws io.medseg.data.DataFormatException naming a malformed tokens file
     */
    public static ModelServer start(ServerConfig config, Backend backend) throws IOException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(backend, "backend");
        ModelRegistry registry = ModelRegistry.open(config.registry());
        TokenFile tokens = config.tokens() == null ? null : TokenFile.open(config.tokens());
        AccessLog log = AccessLog.open(config.accessLog());
        ModelServer server;
        try {
            server = new ModelServer(config, backend, registry, log, tokens);
            server.http.start();
        } catch (RuntimeException | IOException e) {
            log.close();
            throw e;
        }
        // the first look loads the model; later ones (unless a version is pinned) follow promotions
        long every = config.watchInterval().toMillis();
        Future<?> unused = config.version().isEmpty()
                ? server.watcher.scheduleWithFixedDelay(server::refresh, 0, every, TimeUnit.MILLISECONDS)
                : server.watcher.submit(server::refresh);
        return server;
    }

    /** The port listened on. */
    public int port() {
        return http.port();
    }

    public ServerConfig config() {
        return config;
    }

    /** Whether a model is loaded. */
    public boolean ready() {
        return current != null;
    }

    /** The version served now, or empty before the first load. */
    public Optional<Integer> servedVersion() {
        ServedModel m = current;
        return m == null ? Optional.empty() : Optional.of(m.version());
    }

    /**
     * Waits until a model is loaded.
     *
     * @return whether one was loaded within {@code timeoutMillis}
     */
    public boolean awaitReady(long timeoutMillis) throws InterruptedException {
        long start = System.nanoTime();
        long limit = TimeUnit.MILLISECONDS.toNanos(timeoutMillis); // saturates: a huge timeout waits for ever
        while (current == null) {
            if (System.nanoTime() - start > limit || closed) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** The model to serve a request with, leased; empty when none is loaded. Release it when done. */
    Optional<ServedModel> lease() {
        for (int attempt = 0; attempt < 100; attempt++) {
            ServedModel m = current;
            if (m == null) {
                return Optional.empty();
            }
            if (m.acquire()) {
                return Optional.of(m);
            }
            Thread.onSpinWait(); // retired between the read and the lease: the newer one is already current
        }
        return Optional.empty();
    }

    /** The live drift check of the version served now, when its package has a reference profile. */
    Optional<LiveDrift> drift() {
        return Optional.ofNullable(drift);
    }

    void recordBatch(int size) {
        batchSizes.record(size);
    }

    private double queued() {
        ServedModel m = current;
        return m == null ? 0 : m.queued();
    }

    /** Loads the version the configuration names when it is not the one served. Runs on the watch thread. */
    private void refresh() {
        if (closed) {
            return;
        }
        try {
            ModelVersion wanted;
            if (config.version().isPresent()) {
                wanted = registry.version(config.model(), config.version().getAsInt());
            } else {
                Optional<ModelVersion> production = registry.production(config.model());
                if (production.isEmpty()) {
                    if (current == null && failedLoad == null) {
                        failedLoad = "none";
                        LOG.warn("registry {}: model {} has no production version yet; not ready until one is "
                                + "promoted", config.registry(), config.model());
                    }
                    return;
                }
                wanted = production.get();
            }
            ServedModel now = current;
            if (now != null && now.version() == wanted.version()) {
                return;
            }
            Path dir = registry.get(config.model(), wanted.version());
            String key = wanted.version() + " " + dir;
            if (key.equals(failedLoad)) {
                return;
            }
            long t0 = System.nanoTime();
            ServedModel loaded;
            try {
                loaded = ServedModel.load(backend, dir, config.model(), wanted.version(), config,
                        this::recordBatch);
            } catch (IOException | RuntimeException e) {
                failedLoad = key;
                LOG.error("model {} v{}: not loaded, {} still served: {}", config.model(), wanted.version(),
                        now == null ? "nothing" : "v" + now.version(), e.getMessage());
                audit.modelLoad(config.model(), wanted.version(), wanted.manifestSha256(), "failed",
                        Map.of("reason", String.valueOf(e.getMessage()), "backend", backend.name()));
                return;
            }
            failedLoad = null;
            swapTo(loaded, (System.nanoTime() - t0) / 1e6);
            audit.modelLoad(config.model(), wanted.version(), wanted.manifestSha256(), "ok",
                    Map.of("backend", backend.name(), "port", http.port(), "replaces",
                            now == null ? "none" : "v" + now.version()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("registry {}: could not be read ({}); will look again", config.registry(), e.toString());
        }
    }

    private synchronized void swapTo(ServedModel loaded, double millis) {
        if (closed) {
            loaded.close();
            return;
        }
        ServedModel old = current;
        drift = loaded.reference()
                .map(ref -> new LiveDrift(loaded.name(), loaded.version(), ref, config.driftWindow(), meters,
                        driftGauges))
                .orElse(null);
        if (drift == null) {
            LOG.warn("model {} v{}: its package has no data profile, so live drift is off", loaded.name(),
                    loaded.version());
        }
        current = loaded;
        versionGauge.set(loaded.version());
        if (old != null) {
            swaps.increment();
            LOG.info("serving {} (loaded in {} ms); v{} retires once the {} requests it holds are answered", loaded,
                    Math.round(millis), old.version(), old.inFlight());
            old.retire();
        } else {
            LOG.info("serving {} (loaded in {} ms), ready", loaded, Math.round(millis));
        }
    }

    private static double[] histogramBuckets(int maxBatch) {
        double[] b = new double[maxBatch];
        for (int i = 0; i < maxBatch; i++) {
            b[i] = i + 1;
        }
        return b;
    }

    /**
     * Stops taking connections, answers the requests already received, then closes the model and the access
     * log. Safe to call more than once.
     */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        watcher.shutdownNow();
        try {
            http.stop();
        } finally {
            ServedModel m = current;
            if (m != null) {
                m.close();
            }
            meters.close();
            audit.close();
            accessLog.close();
        }
    }
}

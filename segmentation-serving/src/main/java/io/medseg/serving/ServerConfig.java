package io.medseg.serving;

import io.medseg.backend.Precision;
import io.medseg.mlops.registry.Stage;
import io.medseg.postprocess.PostProcessing;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What {@link ModelServer} serves and how: built with {@link #builder(Path, String)}, checked by
 * {@link Builder#build()}. Immutable.
 *
 * @param registry the registry folder
 * @param model the model's name in the registry
 * @param version a fixed version to serve; empty: the version in {@link Stage#PRODUCTION}, followed as it changes
 * @param host the address to listen on
 * @param port the port (0: any free port; {@link ModelServer#port()} says which)
 * @param precision the precision to compute at, where the machine can
 * @param postProcessing the mask clean-up applied to every prediction
 * @param maxBatch the most images run through the network together
 * @param maxWait how long the first request of a batch waits for others to join it
 * @param maxQueue the most images waiting for the network; beyond it requests get 503
 * @param maxBodyBytes the largest request body accepted; larger ones get 413
 * @param tokens the tokens file (null: no tokens, and then only a loopback host is allowed)
 * @param accessLog the access log file
 * @param driftWindow how many recent images the live drift check compares with the reference profile
 * @param watchInterval how often the registry is looked at for a newly promoted version
 * @param idleTimeout how long a connection may stay silent, in the middle of a request or between requests
 * @param requestTimeout the longest a request may wait for the network before it gets 503
 */
public record ServerConfig(Path registry, String model, OptionalInt version, String host, int port,
        Precision precision, PostProcessing postProcessing, int maxBatch, Duration maxWait, int maxQueue,
        long maxBodyBytes, Path tokens, Path accessLog, int driftWindow, Duration watchInterval,
        Duration idleTimeout, Duration requestTimeout) {

    /** The default address: the loopback interface. */
    public static final String LOOPBACK = "127.0.0.1";
    /** The default port. */
    public static final int DEFAULT_PORT = 8080;
    /** The default largest batch, the offline {@code Segmenter}'s. */
    public static final int DEFAULT_MAX_BATCH = 8;
    /** The default wait for a batch to fill. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(5);
    /** The default body limit: 32 MiB, well above a single uncompressed frame. */
    public static final long DEFAULT_MAX_BODY_BYTES = 32L << 20;
    /** The default drift window. */
    public static final int DEFAULT_DRIFT_WINDOW = 200;
    /** The access log's file name beside the registry's models by default. */
    public static final String ACCESS_LOG = "access.log";

    public ServerConfig {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(postProcessing, "postProcessing");
        Objects.requireNonNull(maxWait, "maxWait");
        Objects.requireNonNull(accessLog, "accessLog");
        Objects.requireNonNull(watchInterval, "watchInterval");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        requireAtLeast("port", port, 0);
        if (port > 65535) {
            throw new IllegalArgumentException("port must be at most 65535, got " + port);
        }
        requireAtLeast("max batch", maxBatch, 1);
        requireAtLeast("max queue", maxQueue, 1);
        requireAtLeast("drift window", driftWindow, 2);
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("max body bytes must be at least 1, got " + maxBodyBytes);
        }
        requirePositive("max wait", maxWait, true);
        requirePositive("watch interval", watchInterval, false);
        requirePositive("idle timeout", idleTimeout, false);
        requirePositive("request timeout", requestTimeout, false);
        version.ifPresent(v -> requireAtLeast("version", v, 1));
        if (tokens == null && !isLoopback(host)) {
            throw new IllegalArgumentException("host " + host + " is not a loopback address: without tokens the "
                    + "server listens on the loopback interface only (give a tokens file to listen on " + host + ")");
        }
    }

    /** A builder for serving {@code model} from the registry in {@code registry}, with the defaults. */
    public static Builder builder(Path registry, String model) {
        return new Builder(registry, model);
    }

    /** Whether tokens are required. */
    public boolean requiresTokens() {
        return tokens != null;
    }

    private static void requireAtLeast(String what, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(what + " must be at least " + min + ", got " + value);
        }
    }

    private static void requirePositive(String what, Duration d, boolean zeroAllowed) {
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new IllegalArgumentException(what + " must be " + (zeroAllowed ? "zero or more" : "positive")
                    + ", got " + d);
        }
    }

    /** Whether {@code host} names only loopback addresses (a name that does not resolve is not loopback). */
    static boolean isLoopback(String host) {
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Builds a {@link ServerConfig}; every setter's value is checked by {@link #build()}. */
    public static final class Builder {
        private final Path registry;
        private final String model;
        private OptionalInt version = OptionalInt.empty();
        private String host = LOOPBACK;
        private int port = DEFAULT_PORT;
        private Precision precision = Precision.FP32;
        private PostProcessing postProcessing = PostProcessing.none();
        private int maxBatch = DEFAULT_MAX_BATCH;
        private Duration maxWait = DEFAULT_MAX_WAIT;
        private int maxQueue = 256;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private Path tokens;
        private Path accessLog;
        private int driftWindow = DEFAULT_DRIFT_WINDOW;
        private Duration watchInterval = Duration.ofSeconds(1);
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Duration requestTimeout = Duration.ofSeconds(60);

        private Builder(Path registry, String model) {
            this.registry = Objects.requireNonNull(registry, "registry");
            this.model = Objects.requireNonNull(model, "model");
        }

        /** Serves this version, whatever its stage; without it, the production version is served and followed. */
        public Builder version(int fixedVersion) {
            this.version = OptionalInt.of(fixedVersion);
            return this;
        }

        public Builder host(String newHost) {
            this.host = newHost;
            return this;
        }

        public Builder port(int newPort) {
            this.port = newPort;
            return this;
        }

        public Builder precision(Precision newPrecision) {
            this.precision = newPrecision;
            return this;
        }

        public Builder postProcessing(PostProcessing newPostProcessing) {
            this.postProcessing = newPostProcessing;
            return this;
        }

        public Builder maxBatch(int newMaxBatch) {
            this.maxBatch = newMaxBatch;
            return this;
        }

        public Builder maxWait(Duration newMaxWait) {
            this.maxWait = newMaxWait;
            return this;
        }

        public Builder maxQueue(int newMaxQueue) {
            this.maxQueue = newMaxQueue;
            return this;
        }

        public Builder maxBodyBytes(long newMaxBodyBytes) {
            this.maxBodyBytes = newMaxBodyBytes;
            return this;
        }

        /** Requires a bearer token from this file ({@code NAME <sha256>} lines) on all but the health endpoints. */
        public Builder tokens(Path newTokens) {
            this.tokens = newTokens;
            return this;
        }

        /** The access log; by default {@value ServerConfig#ACCESS_LOG} in the registry folder. */
        public Builder accessLog(Path newAccessLog) {
            this.accessLog = newAccessLog;
            return this;
        }

        public Builder driftWindow(int newDriftWindow) {
            this.driftWindow = newDriftWindow;
            return this;
        }

        public Builder watchInterval(Duration newWatchInterval) {
            this.watchInterval = newWatchInterval;
            return this;
        }

        public Builder idleTimeout(Duration newIdleTimeout) {
            this.idleTimeout = newIdleTimeout;
            return this;
        }

        public Builder requestTimeout(Duration newRequestTimeout) {
            this.requestTimeout = newRequestTimeout;
            return this;
        }

        /**
         * The configuration.
         *
         * @throws IllegalArgumentException naming the first value out of range, or a non-loopback host without
         *     tokens
         */
        public ServerConfig build() {
            Path log = accessLog != null ? accessLog : registry.resolve(ACCESS_LOG);
            return new ServerConfig(registry, model, version, host, port, precision, postProcessing, maxBatch,
                    maxWait, maxQueue, maxBodyBytes, tokens, log, driftWindow, watchInterval, idleTimeout,
                    requestTimeout);
        }
    }
}

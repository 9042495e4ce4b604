package io.medseg.examples.cli;

import io.medseg.examples.CardiacRecipe;
import io.medseg.mlops.registry.ModelRegistry;
import io.medseg.mlops.registry.Stage;
import io.medseg.postprocess.PostProcessing;
import io.medseg.serving.ModelServer;
import io.medseg.serving.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code segment serve}: serves a registry model over HTTP (the Open Inference Protocol and {@code /v1/segment})
 * until stopped with SIGINT or SIGTERM, which finishes the requests in flight first.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Serve a registry model over HTTP: the Open Inference Protocol (/v2/...), POST /v1/segment "
                + "with a DICOM body, GET /v1/drift, /metrics (Prometheus) and a viewer page at /.",
                "Follows the production version: a newly promoted one is loaded and swapped in without failing a "
                        + "request. Stop it with Ctrl-C or SIGTERM; requests in flight are answered first."})
public final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Mixin
    BackendOption backendOption;

    @Mixin
    RegistryOption registry = new RegistryOption();

    @Mixin
    PrecisionOption precision = new PrecisionOption();

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "The registered model to serve.")
    String model;

    @Option(names = "--stage", paramLabel = "STAGE",
            description = "Serve and follow the version in this stage: production (default).")
    String stage;

    @Option(names = "--version", paramLabel = "N", description = "Serve this version, whatever its stage, and "
            + "do not follow promotions.")
    Integer version;

    @Option(names = "--host", paramLabel = "ADDR", description = "Address to listen on (default: 127.0.0.1; "
            + "another needs --tokens).")
    String host = ServerConfig.LOOPBACK;

    @Option(names = "--port", paramLabel = "PORT", description = "Port (default: 8080; 0: any free port).")
    int port = ServerConfig.DEFAULT_PORT;

    @Option(names = "--tokens", paramLabel = "FILE", description = "Require 'Authorization: Bearer <token>' on "
            + "all but the health endpoints, checked against this file (segment token writes it).")
    Path tokens;

    @Option(names = "--access-log", paramLabel = "FILE", description = "The access log, one JSON line per request "
            + "(default: access.log in the registry folder).")
    Path accessLog;

    @Option(names = "--max-batch", paramLabel = "N", description = "Most images per network call (default: 8).")
    int maxBatch = ServerConfig.DEFAULT_MAX_BATCH;

    @Option(names = "--max-wait-ms", paramLabel = "MS", description = "How long a request waits for others to "
            + "join its batch (default: 5).")
    long maxWaitMs = ServerConfig.DEFAULT_MAX_WAIT.toMillis();

    @Option(names = "--max-body-mb", paramLabel = "MB", description = "Largest request body in MiB; larger ones "
            + "get 413 (default: 32).")
    int maxBodyMb = (int) (ServerConfig.DEFAULT_MAX_BODY_BYTES >> 20);

    @Option(names = "--drift-window", paramLabel = "N", description = "Recent images the live drift check "
            + "compares with the package's reference profile (default: 200).")
    int driftWindow = ServerConfig.DEFAULT_DRIFT_WINDOW;

    @Option(names = "--post-process", paramLabel = "MODE", converter = InferenceOptions.PostProcessConverter.class,
            description = "Mask clean-up: none, or lcc (largest connected component, holes filled) "
                    + "(default: the recipe's).")
    PostProcessing post;

    @Override
    public Integer call() throws Exception {
        if (stage != null) {
            Stage s;
            try {
                s = Stage.parse(stage);
            } catch (IllegalArgumentException e) {
                throw new UsageException("stage must be production: " + stage);
            }
            if (s != Stage.PRODUCTION) {
                throw new UsageException("only the production stage is served and followed; give --version N to "
                        + "serve a " + s.id() + " version");
            }
            if (version != null) {
                throw new UsageException("give --stage or --version, not both");
            }
        }
        Path dir = registry.registry != null ? registry.registry : ModelRegistry.defaultLocation();
        ServerConfig.Builder b = ServerConfig.builder(dir, model)
                .host(host)
                .port(port)
                .precision(precision.precision)
                .postProcessing(post != null ? post : CardiacRecipe.defaults().postProcessing())
                .maxBatch(maxBatch)
                .maxWait(Duration.ofMillis(maxWaitMs))
                .maxBodyBytes((long) maxBodyMb << 20)
                .driftWindow(driftWindow)
                .tokens(tokens)
                .accessLog(accessLog);
        if (version != null) {
            b.version(version);
        }
        ServerConfig config;
        try {
            config = b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        ModelServer server = ModelServer.start(config, backendOption.backend());
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                root.err().println(Errors.PREFIX + "while stopping: " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }, "medseg-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        root.err().println("segment serve: listening on http://" + host + ":" + server.port() + " (access log "
                + config.accessLog() + ")");
        if (server.awaitReady(Long.MAX_VALUE / 4)) {
            root.out().println("ready: " + model + " v" + server.servedVersion().orElseThrow() + " on http://" + host
                    + ":" + server.port());
            root.out().flush();
        }
        stopped.await();
        return 0;
    }
}

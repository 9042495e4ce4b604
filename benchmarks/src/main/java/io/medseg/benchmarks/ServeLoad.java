package io.medseg.benchmarks;

import io.medseg.io.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Load generator for {@code segment serve}: {@code --clients} concurrent clients (one {@link HttpClient} each,
 * HTTP/1.1 with keep-alive) send {@code --requests} requests in all to {@code POST /v1/segment}, the real DICOM
 * frames of a folder (read into memory once), with a bearer token; {@code --bad-fraction} of them are bad, spread
 * evenly and chosen from {@code --seed} ({@link LoadPlan}): a truncated frame (400), the wrong content type (415), a
 * body over the server's limit (413) and no token (401). A warm-up of good requests goes first and is not counted.
 * Every request carries its own {@code X-Request-Id}; what each got is kept ({@link LoadRecord}, {@code --records})
 * to be joined with the server's access log.
 *
 * <p>The summary (JSON, on standard output and in {@code --out}): counts by kind and status, failures (a good
 * request not answered 200 with its request id and a model version, a bad one not answered its 4xx as
 * {@code {"error": ...}}, or no response), the good requests' throughput over their window and latency
 * percentiles, the versions seen, the server's resident memory (VmRSS of {@code --server-pid}) after the warm-up
 * and at the end, and, with {@code --baseline}, the throughput as a ratio of the offline {@link ServeBaseline}.
 *
 * <p>{@code --midway-exec CMD} runs a shell command once half of the measured requests have been sent (a promotion
 * for the swap test, {@code kill -9} for the crash test); with {@code --expect-crash} requests that got no response
 * after it are cut off by the crash, not failures, and each client stops at its first one.
 *
 * <p>{@code --check-access-log FILE --records FILE...} instead cross-checks an access log with records files
 * ({@link AccessLogCheck}). Exit code 0 when everything holds, 3 when something does not, 2 for a bad argument,
 * 1 for any other error. {@code scripts/serve-acceptance.sh} runs it all.
 */
@Command(name = "ServeLoad", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Load generator for segment serve: N clients x R requests of real DICOM frames to POST "
                + "/v1/segment, 1 %% of them bad, with latency, throughput, versions and server RSS; or, with "
                + "--check-access-log, a cross-check of the access log with the recorded requests.")
public final class ServeLoad implements Callable<Integer> {
    static final int EXIT_FAIL = 3;
    private static final int FAILURE_EXAMPLES = 20;
    private static final long RSS_POLL_MILLIS = 1000;

    @Option(names = "--url", paramLabel = "URL", description = "The server (default: ${DEFAULT-VALUE}).")
    String url = "http://127.0.0.1:8080";

    @Option(names = "--token-file", paramLabel = "FILE", description = "A file holding the bearer token "
            + "(segment token's output).")
    Path tokenFile;

    @Option(names = "--token", paramLabel = "TOKEN", description = "The bearer token itself.")
    String token;

    @Option(names = "--dicoms", paramLabel = "DIR", description = "Folder of DICOM files, read recursively "
            + "(default: ${DEFAULT-VALUE}).")
    Path dicoms = Path.of("../shared/data/sunnybrook/dicoms");

    @Option(names = "--clients", paramLabel = "N", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
    int clients = 16;

    @Option(names = "--requests", paramLabel = "R", description = "Measured requests in all (default: "
            + "${DEFAULT-VALUE}).")
    int requests = 20_000;

    @Option(names = "--warmup", paramLabel = "W", description = "Good requests before the measured ones, not "
            + "counted (default: ${DEFAULT-VALUE}).")
    int warmup = 500;

    @Option(names = "--bad-fraction", paramLabel = "F", description = "Fraction of the measured requests that are "
            + "bad (default: ${DEFAULT-VALUE}).")
    double badFraction = 0.01;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the request order (default: "
            + "${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--mask", paramLabel = "ENC", description = "The mask encoding asked for: rle, png or none "
            + "(default: ${DEFAULT-VALUE}).")
    String mask = "rle";

    @Option(names = "--max-body-mb", paramLabel = "MB", description = "The server's --max-body-mb; oversized "
            + "requests send one byte more (default: ${DEFAULT-VALUE}).")
    int maxBodyMb = 32;

    @Option(names = "--request-timeout-s", paramLabel = "S", description = "A request with no response within "
            + "this is a failure (default: ${DEFAULT-VALUE}).")
    int requestTimeoutS = 120;

    @Option(names = "--id-prefix", paramLabel = "P", description = "Prefix of the X-Request-Ids, so that runs "
            + "against one access log stay apart (default: ${DEFAULT-VALUE}).")
    String idPrefix = "load";

    @Option(names = "--server-pid", paramLabel = "PID", description = "The server's process id: its VmRSS is "
            + "read after the warm-up, every second and at the end.")
    Long serverPid;

    @Option(names = "--rss-tolerance-percent", paramLabel = "P", description = "How far above its level after "
            + "the warm-up the server's RSS may end (default: ${DEFAULT-VALUE}).")
    double rssTolerancePercent = 10;

    @Option(names = "--baseline", paramLabel = "FILE", description = "ServeBaseline's JSON summary: the "
            + "throughput is compared with it.")
    Path baseline;

    @Option(names = "--min-baseline-ratio", paramLabel = "X", description = "With --baseline, the good requests' "
            + "throughput must be at least this times the baseline's images/s (default: ${DEFAULT-VALUE}).")
    double minBaselineRatio = 0.9;

    @Option(names = "--midway-exec", paramLabel = "CMD", description = "A shell command run once half of the "
            + "measured requests have been sent (e.g. a promotion); its failure fails the run.")
    String midwayExec;

    @Option(names = "--expect-crash", description = "The midway command kills the server: requests without a "
            + "response after it are cut off, not failures; each client stops at its first.")
    boolean expectCrash;

    @Option(names = "--records", paramLabel = "FILE", description = "Load: write every request (CSV) here. "
            + "With --check-access-log: the records files to check (repeatable).")
    List<Path> records = new ArrayList<>();

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the JSON summary here.")
    Path out;

    @Option(names = "--check-access-log", paramLabel = "FILE", description = "Check this access log against "
            + "--records instead of sending load.")
    Path checkAccessLog;

    @Option(names = "--require-versions", paramLabel = "V[,V...]", split = ",", description = "With "
            + "--check-access-log: versions that must each have answered a good request (the swap test).")
    List<Integer> requireVersions = new ArrayList<>();

    private final PrintStream stdout;
    private final PrintStream log;
    /** The server's RSS (kB) when a quarter, half and three quarters of the measured requests had been sent. */
    private final long[] rssQuarters = new long[3];

    ServeLoad(PrintStream stdout, PrintStream log) {
        this.stdout = stdout;
        this.log = log;
    }

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new ServeLoad(System.out, System.err));
        // the last of an option given twice wins, so that a script's defaults can be overridden after them
        cl.setOverwrittenOptionsAllowed(true);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("serve-load: error: " + ex.getMessage());
            if (ex instanceof IllegalArgumentException) {
                return 2;
            }
            if (!(ex instanceof IOException)) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        System.exit(cl.execute(args));
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (checkAccessLog != null) {
            return check();
        }
        checkArguments();
        return load();
    }

    private Integer check() throws IOException {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("--check-access-log needs at least one --records FILE");
        }
        List<List<LoadRecord>> runs = new ArrayList<>();
        for (Path r : records) {
            runs.add(LoadRecord.read(r));
        }
        ObjectNode result = AccessLogCheck.check(checkAccessLog, runs, new TreeSet<>(requireVersions));
        emit(result);
        boolean passed = result.path("passed").asBoolean();
        log.println("serve-load: access log " + (passed ? "PASS" : "FAIL") + ": " + result.path("lines").asInt()
                + " lines, " + result.path("invalid_lines").asInt() + " not whole JSON objects"
                + (result.path("ends_with_newline").asBoolean() ? "" : ", last line torn") + "; "
                + result.path("responded").asInt() + " answered requests, " + result.path("missing_from_log").asInt()
                + " missing from the log, " + result.path("status_mismatches").asInt() + " status and "
                + result.path("version_mismatches").asInt() + " version mismatches, "
                + result.path("stale_after_swap").asInt() + " answered by an old version after the swap; "
                + "versions " + result.path("versions_by_log"));
        return passed ? 0 : EXIT_FAIL;
    }

    private void checkArguments() {
        if (clients < 1 || requests < 1 || warmup < 0) {
            throw new IllegalArgumentException("--clients and --requests must be at least 1 and --warmup at least 0");
        }
        if (maxBodyMb < 1) {
            throw new IllegalArgumentException("--max-body-mb must be at least 1, got " + maxBodyMb);
        }
        if (!List.of("rle", "png", "none").contains(mask)) {
            throw new IllegalArgumentException("--mask must be rle, png or none, not '" + mask + "'");
        }
        if (!idPrefix.matches("[A-Za-z0-9._:-]{1,40}")) {
            throw new IllegalArgumentException("--id-prefix must be 1-40 of A-Z a-z 0-9 . _ : -, not '" + idPrefix
                    + "'");
        }
        if (records.size() > 1) {
            throw new IllegalArgumentException("a load run writes one --records file, not " + records.size());
        }
        if (expectCrash && midwayExec == null) {
            throw new IllegalArgumentException("--expect-crash needs --midway-exec (the command that crashes the "
                    + "server)");
        }
        if (token != null && tokenFile != null) {
            throw new IllegalArgumentException("give --token or --token-file, not both");
        }
    }

    /** The request bodies: every frame, each frame cut in half, one body over the limit. */
    private static final class Bodies {
        private final List<byte[]> frames;
        private final List<byte[]> truncated;
        private final byte[] oversized;

        Bodies(List<byte[]> frames, List<byte[]> truncated, byte[] oversized) {
            this.frames = frames;
            this.truncated = truncated;
            this.oversized = oversized;
        }

        List<byte[]> frames() {
            return frames;
        }

        List<byte[]> truncated() {
            return truncated;
        }

        byte[] oversized() {
            return oversized;
        }
    }

    private Integer load() throws IOException, InterruptedException {
        String bearer = token != null ? token.strip()
                : tokenFile != null ? Files.readString(tokenFile, StandardCharsets.UTF_8).strip() : null;
        Bodies bodies = bodies();
        URI uri = URI.create(url.replaceAll("/+$", "") + "/v1/segment?mask=" + mask);
        LoadPlan plan = LoadPlan.of(requests, bodies.frames().size(), badFraction, seed);
        LoadPlan warm = LoadPlan.of(Math.max(1, warmup), bodies.frames().size(), 0, seed + 1);
        List<HttpClient> http = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            http.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build());
        }
        log.printf(Locale.ROOT, "serve-load: %d frames from %s; %d clients, %d warm-up + %d requests (%d bad) to "
                + "%s%n", bodies.frames().size(), dicoms, clients, warmup, requests, requests - plan.count(
                        LoadPlan.Kind.GOOD), uri);
        long t0 = System.nanoTime();
        Sender sender = new Sender(uri, bearer, bodies, t0);

        LoadRecord[] warmRecords = new LoadRecord[warmup];
        if (warmup > 0) {
            runPhase(http, warm, warmup, LoadRecord.WARMUP, warmRecords, sender, null);
        }
        OptionalLong rssAfterWarmup = rss();
        RssPoller poller = new RssPoller();
        Thread pollThread = null;
        if (serverPid != null) {
            pollThread = new Thread(poller, "serve-load-rss");
            pollThread.setDaemon(true);
            pollThread.start();
        }
        Midway midway = midwayExec == null ? null : new Midway(midwayExec, t0);
        LoadRecord[] measured = new LoadRecord[requests];
        long m0 = System.nanoTime();
        runPhase(http, plan, requests, LoadRecord.MEASURED, measured, sender, midway);
        double measuredSeconds = (System.nanoTime() - m0) / 1e9;
        if (midway != null) {
            midway.await();
        }
        OptionalLong rssEnd = rss();
        poller.stop();
        if (pollThread != null) {
            pollThread.join(5000);
        }

        List<LoadRecord> all = new ArrayList<>();
        Stream.of(warmRecords, measured).flatMap(Arrays::stream).filter(r -> r != null).forEach(all::add);
        if (!records.isEmpty()) {
            LoadRecord.write(records.get(0), all);
        }
        List<LoadRecord> counted = Arrays.stream(measured).filter(r -> r != null).toList();
        ObjectNode summary = summary(counted, measuredSeconds, midway, rssAfterWarmup, rssEnd, poller.max());
        emit(summary);
        log.println("serve-load: " + oneLine(summary));
        return summary.path("passed").asBoolean() ? 0 : EXIT_FAIL;
    }

    private Bodies bodies() throws IOException {
        List<byte[]> frames = readDicoms(dicoms);
        List<byte[]> truncated = frames.stream().map(b -> Arrays.copyOf(b, b.length / 2)).toList();
        byte[] oversized = new byte[Math.toIntExact(((long) maxBodyMb << 20) + 1)];
        byte[] first = frames.get(0);
        for (int off = 0; off < oversized.length; off += first.length) {
            System.arraycopy(first, 0, oversized, off, Math.min(first.length, oversized.length - off));
        }
        return new Bodies(frames, truncated, oversized);
    }

    /**
     * The DICOM files under {@code dir} (a {@code .dcm} name or {@code DICM} at byte 128), read recursively in path
     * order.
     *
     * @throws IllegalArgumentException when there is none
     */
    static List<byte[]> readDicoms(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "--dicoms: no such folder");
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        List<byte[]> out = new ArrayList<>();
        for (Path f : files) {
            byte[] b = Files.readAllBytes(f);
            if (isDicom(f, b)) {
                out.add(b);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--dicoms " + dir + ": no DICOM file in it (neither a .dcm name nor "
                    + "'DICM' at byte 128)");
        }
        return out;
    }

    static boolean isDicom(Path file, byte[] bytes) {
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".dcm")) {
            return true;
        }
        return bytes.length > 132 && bytes[128] == 'D' && bytes[129] == 'I' && bytes[130] == 'C' && bytes[131] == 'M';
    }

    /** Runs {@code count} requests of {@code plan} on all the clients at once, recording each into {@code out}. */
    private void runPhase(List<HttpClient> http, LoadPlan plan, int count, String phase, LoadRecord[] out,
            Sender sender, Midway midway) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        int half = count / 2;
        CountDownLatch done = new CountDownLatch(http.size());
        for (int c = 0; c < http.size(); c++) {
            HttpClient client = http.get(c);
            Thread t = new Thread(() -> {
                try {
                    for (int i; (i = next.getAndIncrement()) < count;) {
                        if (midway != null && i == half) {
                            midway.start();
                        }
                        if (phase.equals(LoadRecord.MEASURED) && i > 0 && i % Math.max(1, count / 4) == 0
                                && i / Math.max(1, count / 4) <= 3) {
                            rssQuarters[i / Math.max(1, count / 4) - 1] = rss().orElse(0);
                        }
                        String id = idPrefix + "-" + (phase.equals(LoadRecord.WARMUP) ? "w" : "m")
                                + String.format(Locale.ROOT, "%06d", i);
                        LoadRecord r = sender.send(client, id, phase, plan.kind(i), plan.frame(i));
                        boolean cutOff = expectCrash && midway != null && midway.started() && !r.responded();
                        out[i] = cutOff ? new LoadRecord(r.requestId(), r.phase(), r.kind(), 0, 0, r.startMs(),
                                r.endMs(), "") : r;
                        if (cutOff) {
                            break;
                        }
                    }
                } finally {
                    done.countDown();
                }
            }, "serve-load-client-" + c);
            t.setDaemon(true);
            t.start();
        }
        done.await();
    }

    /** Sends one request and records what came back. */
    private final class Sender {
        private final URI uri;
        private final String bearer;
        private final Bodies bodies;
        private final long t0;

        Sender(URI uri, String bearer, Bodies bodies, long t0) {
            this.uri = uri;
            this.bearer = bearer;
            this.bodies = bodies;
            this.t0 = t0;
        }

        LoadRecord send(HttpClient client, String id, String phase, LoadPlan.Kind kind, int frame) {
            byte[] body = switch (kind) {
                case TRUNCATED -> bodies.truncated().get(frame);
                case OVERSIZED -> bodies.oversized();
                default -> bodies.frames().get(frame);
            };
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(requestTimeoutS))
                    .header("X-Request-Id", id).header("Accept", "application/json")
                    .header("Content-Type", kind == LoadPlan.Kind.WRONG_TYPE ? "text/plain" : "application/dicom")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (bearer != null && kind != LoadPlan.Kind.NO_TOKEN) {
                b.header("Authorization", "Bearer " + bearer);
            }
            long start = System.nanoTime();
            HttpResponse<byte[]> response;
            try {
                response = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (HttpTimeoutException e) {
                return record(id, phase, kind, 0, 0, start, "no response within " + requestTimeoutS + " s");
            } catch (IOException e) {
                return record(id, phase, kind, 0, 0, start, "no response: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return record(id, phase, kind, 0, 0, start, "interrupted");
            }
            int status = response.statusCode();
            int version = response.headers().firstValue("X-Model-Version").map(ServeLoad::parseVersion).orElse(0);
            String echoed = response.headers().firstValue("X-Request-Id").orElse("");
            String problem = "";
            if (!echoed.equals(id)) {
                problem = "X-Request-Id came back as '" + echoed + "'";
            } else if (status == 200 && kind == LoadPlan.Kind.GOOD) {
                if (version < 1) {
                    problem = "no X-Model-Version in the answer";
                } else if (!startsWith(response.body(), "{\"request_id\":\"" + id + "\"")) {
                    problem = "the answer is not JSON beginning with its request_id";
                }
            } else if (status == kind.expected() && !startsWith(response.body(), "{\"error\":")) {
                problem = "the " + status + " answer is not {\"error\": ...}";
            }
            if (problem.isEmpty() && status != kind.expected()) {
                String text = new String(response.body(), 0, Math.min(200, response.body().length),
                        StandardCharsets.UTF_8);
                problem = "expected " + kind.expected() + ", got " + status + ": " + text;
            }
            return record(id, phase, kind, status, version, start, problem);
        }

        private LoadRecord record(String id, String phase, LoadPlan.Kind kind, int status, int version, long start,
                String error) {
            long end = System.nanoTime();
            return new LoadRecord(id, phase, kind, status, version, (start - t0) / 1e6, (end - t0) / 1e6, error);
        }
    }

    private static int parseVersion(String s) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean startsWith(byte[] body, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        return body.length >= p.length && Arrays.equals(body, 0, p.length, p, 0, p.length);
    }

    /** The shell command run midway, on its own thread, once. */
    private static final class Midway implements Runnable {
        private final String command;
        private final long t0;
        private final AtomicBoolean started = new AtomicBoolean();
        private final CountDownLatch finished = new CountDownLatch(1);
        private volatile double atMs;
        private volatile double tookMs;
        private volatile int exitCode = -1;
        private volatile String output = "";

        Midway(String command, long t0) {
            this.command = command;
            this.t0 = t0;
        }

        void start() {
            if (started.compareAndSet(false, true)) {
                atMs = (System.nanoTime() - t0) / 1e6;
                Thread t = new Thread(this, "serve-load-midway");
                t.setDaemon(true);
                t.start();
            }
        }

        boolean started() {
            return started.get();
        }

        @Override
        public void run() {
            long s = System.nanoTime();
            try {
                Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
                try (InputStream in = p.getInputStream()) {
                    output = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
                }
                exitCode = p.waitFor();
            } catch (IOException e) {
                output = "could not run: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                output = "interrupted";
            } finally {
                tookMs = (System.nanoTime() - s) / 1e6;
                finished.countDown();
            }
        }

        void await() throws InterruptedException {
            if (started.get() && !finished.await(300, TimeUnit.SECONDS)) {
                output = "still running after 300 s";
            }
        }

        ObjectNode json() {
            ObjectNode n = Json.mapper().createObjectNode();
            n.put("command", command);
            n.put("started", started.get());
            n.put("at_s", round(atMs / 1000));
            n.put("took_s", round(tookMs / 1000));
            n.put("exit_code", exitCode);
            n.put("output", output.length() > 2000 ? output.substring(output.length() - 2000) : output);
            return n;
        }
    }

    /** The server's VmRSS in kB, when a pid was given and the process is still there. */
    private OptionalLong rss() {
        return serverPid == null ? OptionalLong.empty() : rssOf(serverPid);
    }

    static OptionalLong rssOf(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    private final class RssPoller implements Runnable {
        private final AtomicLong max = new AtomicLong();
        private volatile boolean stop;

        @Override
        public void run() {
            while (!stop) {
                rss().ifPresent(kb -> max.accumulateAndGet(kb, Math::max));
                try {
                    Thread.sleep(RSS_POLL_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stop() {
            stop = true;
        }

        long max() {
            return max.get();
        }
    }

    private ObjectNode summary(List<LoadRecord> measured, double seconds, Midway midway, OptionalLong rssAfterWarmup,
            OptionalLong rssEnd, long rssMax) throws IOException {
        ObjectNode s = Json.mapper().createObjectNode();
        s.put("url", url);
        s.put("clients", clients);
        s.put("requests", requests);
        s.put("sent", measured.size());
        s.put("warmup", warmup);
        s.put("bad_fraction", badFraction);
        s.put("seed", seed);
        s.put("mask", mask);
        Map<String, Map<String, Integer>> counts = new TreeMap<>();
        int failures = 0;
        int cutOff = 0;
        ArrayNode examples = Json.mapper().createArrayNode();
        List<Double> latencies = new ArrayList<>();
        double goodFrom = Double.POSITIVE_INFINITY;
        double goodTo = Double.NEGATIVE_INFINITY;
        double allFrom = Double.POSITIVE_INFINITY;
        double allTo = Double.NEGATIVE_INFINITY;
        Map<Integer, Integer> versions = new TreeMap<>();
        int responded = 0;
        for (LoadRecord r : measured) {
            counts.computeIfAbsent(r.kind().label(), k -> new TreeMap<>())
                    .merge(r.responded() ? Integer.toString(r.status()) : "no_response", 1, Integer::sum);
            boolean isCutOff = expectCrash && !r.responded() && r.error().isEmpty();
            if (isCutOff) {
                cutOff++;
            } else if (!r.asExpected()) {
                failures++;
                if (examples.size() < FAILURE_EXAMPLES) {
                    ObjectNode e = examples.addObject();
                    e.put("request_id", r.requestId());
                    e.put("kind", r.kind().label());
                    e.put("expected", r.kind().expected());
                    e.put("status", r.status());
                    e.put("error", r.error());
                }
            }
            if (r.responded()) {
                responded++;
                allFrom = Math.min(allFrom, r.startMs());
                allTo = Math.max(allTo, r.endMs());
            }
            if (r.kind() == LoadPlan.Kind.GOOD && r.status() == 200) {
                latencies.add(r.latencyMs());
                goodFrom = Math.min(goodFrom, r.startMs());
                goodTo = Math.max(goodTo, r.endMs());
                versions.merge(r.version(), 1, Integer::sum);
            }
        }
        ObjectNode c = s.putObject("counts");
        counts.forEach((kind, byStatus) -> {
            ObjectNode k = c.putObject(kind);
            byStatus.forEach(k::put);
        });
        s.put("failures", failures);
        s.set("failure_examples", examples);
        if (expectCrash) {
            s.put("cut_off_by_crash", cutOff);
        }
        ObjectNode good = s.putObject("good");
        good.put("answered_200", latencies.size());
        double goodWindow = latencies.isEmpty() ? 0 : (goodTo - goodFrom) / 1000;
        good.put("window_s", round(goodWindow));
        good.put("throughput_rps", goodWindow > 0 ? round(latencies.size() / goodWindow) : 0);
        ObjectNode lat = good.putObject("latency_ms");
        double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        lat.put("p50", round(percentile(sorted, 50)));
        lat.put("p95", round(percentile(sorted, 95)));
        lat.put("p99", round(percentile(sorted, 99)));
        lat.put("mean", round(Arrays.stream(sorted).average().orElse(0)));
        lat.put("max", round(sorted.length == 0 ? 0 : sorted[sorted.length - 1]));
        ObjectNode every = s.putObject("all");
        double allWindow = responded == 0 ? 0 : (allTo - allFrom) / 1000;
        every.put("responded", responded);
        every.put("window_s", round(allWindow));
        every.put("throughput_rps", allWindow > 0 ? round(responded / allWindow) : 0);
        every.put("wall_s", round(seconds));
        ObjectNode vs = s.putObject("versions");
        versions.forEach((v, n) -> vs.put(Integer.toString(v), n));
        boolean passed = failures == 0 && !latencies.isEmpty();
        if (midway != null) {
            ObjectNode m = midway.json();
            s.set("midway", m);
            if (!expectCrash && m.path("exit_code").asInt() != 0) {
                passed = false;
            }
        }
        if (serverPid != null) {
            ObjectNode r = s.putObject("rss");
            r.put("pid", serverPid);
            putKb(r, "after_warmup_kb", rssAfterWarmup);
            putKb(r, "end_kb", rssEnd);
            r.put("max_kb", rssMax);
            ArrayNode quarters = r.putArray("at_quarters_kb");
            for (long q : rssQuarters) {
                quarters.add(q);
            }
            rssEnd.ifPresent(kb -> quarters.add(kb));
            r.put("tolerance_percent", rssTolerancePercent);
            if (rssAfterWarmup.isPresent() && rssEnd.isPresent()) {
                double ratio = (double) rssEnd.getAsLong() / rssAfterWarmup.getAsLong();
                boolean within = ratio <= 1 + rssTolerancePercent / 100;
                r.put("end_ratio", Math.round(ratio * 10000) / 10000.0);
                r.put("max_ratio", Math.round((double) rssMax / rssAfterWarmup.getAsLong() * 10000) / 10000.0);
                // growth in the second half tells a leak from a warm-up that was too short
                r.put("second_half_ratio", rssQuarters[1] > 0
                        ? Math.round((double) rssEnd.getAsLong() / rssQuarters[1] * 10000) / 10000.0 : 0);
                r.put("within_tolerance", within);
                passed &= within || expectCrash;
            } else {
                r.putNull("end_ratio");
                r.put("within_tolerance", expectCrash);
                passed &= expectCrash;
            }
        }
        if (baseline != null) {
            JsonNode b = Json.tree(Files.readString(baseline, StandardCharsets.UTF_8));
            ObjectNode cmp = s.putObject("baseline");
            cmp.put("file", baseline.toString());
            double decoded = b.path("images_per_s").asDouble();
            double withDecoding = b.path("images_per_s_with_decoding").asDouble();
            double rps = good.path("throughput_rps").asDouble();
            if (!(decoded > 0)) {
                throw new IllegalArgumentException("--baseline " + baseline + ": no positive images_per_s in it");
            }
            cmp.put("images_per_s", decoded);
            cmp.put("images_per_s_with_decoding", withDecoding);
            cmp.put("ratio", round(rps / decoded));
            cmp.put("ratio_with_decoding", withDecoding > 0 ? round(rps / withDecoding) : 0);
            cmp.put("min_ratio", minBaselineRatio);
            boolean enough = rps >= minBaselineRatio * decoded;
            cmp.put("meets_min_ratio", enough);
            passed &= enough;
        }
        s.put("passed", passed);
        return s;
    }

    private static void putKb(ObjectNode n, String key, OptionalLong kb) {
        if (kb.isPresent()) {
            n.put(key, kb.getAsLong());
        } else {
            n.putNull(key);
        }
    }

    /** The nearest-rank percentile of sorted values; 0 for none. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static String oneLine(ObjectNode s) {
        JsonNode g = s.path("good");
        JsonNode lat = g.path("latency_ms");
        StringBuilder b = new StringBuilder();
        b.append(s.path("passed").asBoolean() ? "PASS" : "FAIL").append(": ").append(s.path("sent").asInt())
                .append(" requests, ").append(s.path("failures").asInt()).append(" failures");
        if (s.has("cut_off_by_crash")) {
            b.append(", ").append(s.path("cut_off_by_crash").asInt()).append(" cut off by the crash");
        }
        b.append("; counts ").append(Json.writeCompact(s.path("counts")));
        b.append(String.format(Locale.ROOT, "; good: %.1f req/s over %.1f s, latency p50 %.1f / p95 %.1f / p99 %.1f"
                + " ms; versions %s", g.path("throughput_rps").asDouble(), g.path("window_s").asDouble(),
                lat.path("p50").asDouble(), lat.path("p95").asDouble(), lat.path("p99").asDouble(),
                Json.writeCompact(s.path("versions"))));
        if (s.has("rss")) {
            JsonNode r = s.path("rss");
            b.append(String.format(Locale.ROOT, "; server RSS %s kB after warm-up, %s kB at the end (x%s, max x%s; "
                    + "second half x%s)", r.path("after_warmup_kb"), r.path("end_kb"), r.path("end_ratio"),
                    r.path("max_ratio"), r.path("second_half_ratio")));
        }
        if (s.has("baseline")) {
            JsonNode c = s.path("baseline");
            b.append(String.format(Locale.ROOT, "; %.3fx the offline baseline (%.1f images/s; %.3fx the baseline "
                    + "with DICOM decoding, %.1f images/s)", c.path("ratio").asDouble(),
                    c.path("images_per_s").asDouble(), c.path("ratio_with_decoding").asDouble(),
                    c.path("images_per_s_with_decoding").asDouble()));
        }
        if (s.has("midway")) {
            JsonNode m = s.path("midway");
            b.append(String.format(Locale.ROOT, "; midway command at %.1f s, exit %d", m.path("at_s").asDouble(),
                    m.path("exit_code").asInt()));
        }
        if (s.path("failures").asInt() > 0) {
            b.append("; first failure: ").append(s.path("failure_examples").path(0));
        }
        return b.toString();
    }

    private void emit(ObjectNode result) throws IOException {
        String text = Json.write(result);
        stdout.println(text);
        stdout.flush();
        if (out != null) {
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(out, text + "\n", StandardCharsets.UTF_8);
        }
    }
}

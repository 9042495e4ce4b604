package io.medseg.benchmarks;

import io.medseg.backend.Backend;
import io.medseg.backend.BackendUnavailableException;
import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.sunnybrook.SunnybrookDataset;
import io.medseg.examples.CardiacRecipe;
import io.medseg.inference.Prediction;
import io.medseg.inference.Segmenter;
import io.medseg.io.Json;
import io.medseg.recipe.Recipe;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Soak test of one shared, thread-safe {@link Segmenter}: many threads predicting on the real Sunnybrook frames
 * for a long time must give exactly the single-threaded masks and must not grow the process's resident memory.
 * It is a tool, not a unit test: a run at the defaults takes tens of minutes. Run it with {@code scripts/soak}, or
 * {@code java -cp benchmarks/target/benchmarks.jar io.medseg.benchmarks.SegmenterSoak --help}.
 *
 * <p>The phases, in order:
 * <ol>
 *   <li><b>reference</b>: every frame predicted once on one thread, with the default cardiac recipe's segmenter
 *       (post-processing included), one image per call;</li>
 *   <li><b>warm-up</b>: all threads at once, each making {@code --warmup-passes} full passes over the frames
 *       (checked against the reference too). TensorFlow's allocator, glibc's per-thread arenas and the JVM heap
 *       grow to their working size in this phase, under the same concurrency as the soak itself;</li>
 *   <li><b>baseline</b>: the resident set size (VmRSS) read right after the warm-up is "the level after
 *       warm-up" that the criterion compares against;</li>
 *   <li><b>soak</b>: {@code --threads} threads x {@code --predictions} predictions each on the one segmenter,
 *       each thread going through the frames in its own seeded order; every mask is compared byte for byte with
 *       the reference. RSS is polled every second (for the maximum) and logged every {@code --sample-seconds}.</li>
 * </ol>
 *
 * <p><b>Verdict</b>: PASS when every prediction was made without error, no mask differs from the reference (soak
 * and warm-up), and both the largest RSS seen during the soak and the RSS at its end are within
 * {@value #RSS_TOLERANCE_PERCENT} % of the baseline. Exit code 0 on PASS, 3 on FAIL, 2 for a bad argument, 1 for
 * any other error. Images per second are reported for information only.
 *
 * <p>Heap figures are context: the heap used after a full GC (forced before the warm-up and after the final RSS
 * reading, as a full GC lets G1 give heap back and lowers RSS for a while) separates a Java-heap leak (the live heap
 * grows) from the rest, and RSS less the committed heap tells native growth (TensorFlow, malloc arenas) from the
 * JVM merely enlarging its heap. A heap that can still grow after the warm-up (initial size below the maximum)
 * counts in RSS like anything else: {@code scripts/soak} fixes the heap size, as a service would, and says why.
 */
@Command(name = "SegmenterSoak", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Soak test: N threads x M predictions on one shared Segmenter of the default cardiac recipe; "
                + "masks must equal the single-threaded ones and RSS stay within 10 %% of its level after warm-up.")
public final class SegmenterSoak implements Callable<Integer> {
    /** How far above the post-warm-up RSS the maximum and final RSS may be. Fixed by the requirement. */
    static final int RSS_TOLERANCE_PERCENT = 10;
    static final int EXIT_FAIL = 3;
    private static final long RSS_POLL_MILLIS = 1000;
    private static final int MAX_MISMATCH_DETAILS = 20;

    @Option(names = "--data", paramLabel = "DIR", description = "Sunnybrook folder (default: ${DEFAULT-VALUE}).")
    Path data = Path.of("../shared/data/sunnybrook");

    @Option(names = "--model", paramLabel = "DIR",
            description = "A saved model (e.g. a 'segment train' run directory); default: an untrained model of "
                    + "the default cardiac recipe, weights from --seed.")
    Path modelDir;

    @Option(names = "--threads", paramLabel = "N", description = "Threads sharing the segmenter (default: "
            + "${DEFAULT-VALUE}).")
    int threads = 8;

    @Option(names = "--predictions", paramLabel = "M",
            description = "Images each thread predicts after the warm-up (default: ${DEFAULT-VALUE}).")
    int predictions = 10_000;

    @Option(names = "--batch", paramLabel = "B",
            description = "Images per call: 1 uses predict(image), more uses predictBatch (default: "
                    + "${DEFAULT-VALUE}). The reference is always one image per call.")
    int batch = 1;

    @Option(names = "--warmup-passes", paramLabel = "P",
            description = "Full passes over the frames each thread makes, all threads at once, before the baseline "
                    + "RSS is read; a full GC goes before the last (default: ${DEFAULT-VALUE}).")
    int warmupPasses = 2;

    @Option(names = "--sample-seconds", paramLabel = "S",
            description = "Seconds between logged memory samples (default: ${DEFAULT-VALUE}).")
    int sampleSeconds = 10;

    @Option(names = "--seed", paramLabel = "S",
            description = "Seed of the untrained model's weights and of each thread's frame order (default: "
                    + "${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the JSON summary here.")
    Path out;

    @Spec
    CommandSpec spec;

    private final PrintStream log;

    SegmenterSoak(PrintStream log) {
        this.log = log;
    }

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new SegmenterSoak(System.out));
        // the last --data wins, so that scripts/soak can pass a default that the user's own arguments override
        cl.setOverwrittenOptionsAllowed(true);
        // one line for a failure a user can cause (no data, a bad model folder); the trace only for a bug
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("soak: error: " + ex.getMessage());
            if (!(ex instanceof IOException || ex instanceof IllegalArgumentException
                    || ex instanceof BackendUnavailableException)) {
                ex.printStackTrace(cmd.getErr());
            }
            return cmd.getCommandSpec().exitCodeOnExecutionException();
        });
        System.exit(cl.execute(args));
    }

    @Override
    public Integer call() throws IOException, BackendUnavailableException, InterruptedException {
        checkArguments();
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        SegmentationDataset dataset = SunnybrookDataset.load(data);
        List<Sample> frames = dataset.samples();
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("no labelled frames in " + data);
        }
        Recipe recipe = CardiacRecipe.defaults();
        Backend backend = Backends.load();
        try (SegmentationModel model = modelDir == null ? backend.create(recipe.spec(), seed)
                : backend.load(modelDir)) {
            String modelText = modelDir == null ? "untrained " + recipe.name() + " (seed " + seed + ")"
                    : modelDir.toString();
            if (!model.spec().equals(recipe.spec())) {
                log.println("note: the model's spec differs from the " + recipe.name() + " recipe's; its own is used");
            }
            Segmenter segmenter = recipe.segmenter(model);
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            if (heap.getInit() < heap.getMax()) {
                log.printf(Locale.ROOT, "note: the heap may still grow after the warm-up (initial %s, maximum %s), "
                        + "and that counts in RSS; fix it (-Xms = -Xmx) to measure the rest%n",
                        mb(heap.getInit() / 1024), mb(heap.getMax() / 1024));
            }
            log.printf(Locale.ROOT, "soak: %d threads x %d predictions, batch %d, model %s, backend %s, %d frames "
                    + "from %s%n", threads, predictions, batch, modelText, backend.description(), frames.size(), data);
            SoakSummary summary = soak(segmenter, frames, modelText, backend.description(), started, t0);
            summary.printTo(log);
            if (out != null) {
                Path parent = out.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Json.writeFile(out, summary);
                log.println("summary: " + out);
            }
            return summary.pass() ? 0 : EXIT_FAIL;
        }
    }

    private void checkArguments() {
        List<String> problems = new ArrayList<>();
        if (threads < 1) {
            problems.add("threads must be >= 1: " + threads);
        }
        if (predictions < 1) {
            problems.add("predictions must be >= 1: " + predictions);
        }
        if (batch < 1) {
            problems.add("batch must be >= 1: " + batch);
        }
        if (warmupPasses < 1) {
            problems.add("warm-up passes must be >= 1: " + warmupPasses);
        }
        if (sampleSeconds < 1) {
            problems.add("sample seconds must be >= 1: " + sampleSeconds);
        }
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
        }
    }

    private SoakSummary soak(Segmenter segmenter, List<Sample> frames, String modelText, String backendText,
            Instant started, long t0) throws InterruptedException {
        Mask[] reference = new Mask[frames.size()];
        long tRef = System.nanoTime();
        int nonEmpty = 0;
        for (int i = 0; i < reference.length; i++) {
            reference[i] = segmenter.predict(frames.get(i).image());
            if (reference[i].count(0) != reference[i].height() * reference[i].width()) {
                nonEmpty++;
            }
        }
        double refSeconds = seconds(System.nanoTime() - tRef);
        log.printf(Locale.ROOT, "reference: %d masks, single-threaded, %d with foreground, in %.1f s%n",
                reference.length, nonEmpty, refSeconds);

        // A full GC lets G1 give heap back to the system, lowering RSS until the heap has grown back: it goes
        // before the warm-up, never between the warm-up and the baseline reading.
        MemoryUsage heapBeforeWarmup = Memory.heapAfterFullGc();
        Checker warmChecker = new Checker(frames, reference);
        long tWarm = System.nanoTime();
        runThreads(segmenter, frames, warmChecker, warmupPasses * frames.size(), null);
        double warmSeconds = seconds(System.nanoTime() - tWarm);
        long baselineRss = Memory.rssKb();
        long baselineHeapCommitted = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
        log.printf(Locale.ROOT, "warm-up: %d threads x %d pass(es) = %d predictions, %d mismatches, %d errors, in "
                + "%.1f s%n", threads, warmupPasses, warmChecker.done.get(), warmChecker.mismatches.get(),
                warmChecker.errors.size(), warmSeconds);
        log.printf(Locale.ROOT, "rss after warm-up (baseline): %s, of which heap committed %s; heap used after a "
                + "full GC before the warm-up %s%n", mb(baselineRss), mb(baselineHeapCommitted / 1024),
                mb(heapBeforeWarmup.getUsed() / 1024));

        Checker checker = new Checker(frames, reference);
        Sampler sampler = new Sampler(checker.done, (long) threads * predictions, baselineRss);
        Thread samplerThread = new Thread(sampler, "soak-rss-sampler");
        samplerThread.setDaemon(true);
        long tSoak = System.nanoTime();
        sampler.start(tSoak);
        samplerThread.start();
        runThreads(segmenter, frames, checker, predictions, sampler);
        double soakSeconds = seconds(System.nanoTime() - tSoak);
        sampler.stop();
        samplerThread.join();
        MemorySample last = sampler.sampleNow(System.nanoTime());
        long finalRss = last.rssKb();
        long maxRss = Math.max(sampler.maxRssKb(), finalRss);
        MemoryUsage finalHeap = Memory.heapAfterFullGc();

        long expected = (long) threads * predictions;
        double maxGrowth = growthPercent(maxRss, baselineRss);
        double finalGrowth = growthPercent(finalRss, baselineRss);
        boolean rssOk = maxGrowth <= RSS_TOLERANCE_PERCENT && finalGrowth <= RSS_TOLERANCE_PERCENT;
        long mismatches = checker.mismatches.get() + warmChecker.mismatches.get();
        List<String> errors = new ArrayList<>(warmChecker.errors);
        errors.addAll(checker.errors);
        boolean pass = rssOk && mismatches == 0 && errors.isEmpty() && checker.done.get() == expected;
        List<String> details = new ArrayList<>(warmChecker.details);
        details.addAll(checker.details);
        List<MemorySample> samples = sampler.samples();
        long baselineNonHeap = baselineRss - baselineHeapCommitted / 1024;
        long maxNonHeap = samples.stream().mapToLong(MemorySample::nonHeapKb).max().orElse(baselineNonHeap);
        MemoryUsage heapNow = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new SoakSummary(pass ? "PASS" : "FAIL", started.toString(),
                new Settings(data.toString(), modelText, backendText, threads, predictions, batch, warmupPasses,
                        sampleSeconds, seed, RSS_TOLERANCE_PERCENT,
                        "VmRSS read right after the warm-up, in which all threads together made " + warmupPasses
                                + " full pass(es) over the frames",
                        ManagementFactory.getRuntimeMXBean().getInputArguments(), heapNow.getInit(),
                        heapNow.getMax()),
                frames.size(), nonEmpty, warmChecker.done.get(), warmChecker.mismatches.get(), expected,
                checker.done.get(), checker.mismatches.get(), mismatches, details.subList(0,
                        Math.min(details.size(), MAX_MISMATCH_DETAILS)), errors,
                baselineRss, maxRss, finalRss, maxGrowth, finalGrowth, rssOk, Memory.hwmKb(),
                baselineNonHeap, maxNonHeap, last.nonHeapKb(), growthPercent(maxNonHeap, baselineNonHeap),
                growthPercent(last.nonHeapKb(), baselineNonHeap),
                heapBeforeWarmup.getUsed(), finalHeap.getUsed(), baselineHeapCommitted, last.heapCommittedBytes(),
                checker.done.get() / soakSeconds, soakSeconds, warmSeconds, refSeconds,
                seconds(System.nanoTime() - t0), samples);
    }

    /**
     * Runs {@code perThread} predictions on each of {@link #threads} threads, all started together; thread
     * {@code t} walks the frames in a permutation seeded by {@code seed} and {@code t}, starting at offset {@code t}.
     */
    private void runThreads(Segmenter segmenter, List<Sample> frames, Checker checker, int perThread,
            Sampler sampler) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            int index = t;
            int[] order = order(frames.size(), seed, index);
            Thread w = new Thread(() -> {
                try {
                    start.await();
                    work(segmenter, frames, checker, order, index, perThread);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    checker.errors.add("thread " + index + ": interrupted");
                } catch (RuntimeException | Error e) { // recorded: the verdict names it, the other threads go on
                    checker.errors.add("thread " + index + ": " + e);
                    if (sampler != null) {
                        log.println("thread " + index + " failed: " + e);
                    }
                }
            }, "soak-" + t);
            workers.add(w);
            w.start();
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
    }

    private void work(Segmenter segmenter, List<Sample> frames, Checker checker, int[] order, int thread,
            int perThread) {
        int n = order.length;
        int pos = thread % n;
        List<Image> images = new ArrayList<>(batch);
        int[] ids = new int[batch];
        for (int done = 0; done < perThread; ) {
            int size = Math.min(batch, perThread - done);
            if (size == 1) {
                int f = order[pos];
                pos = (pos + 1) % n;
                checker.check(thread, done, f, segmenter.predict(frames.get(f).image()));
            } else {
                images.clear();
                for (int i = 0; i < size; i++) {
                    ids[i] = order[pos];
                    pos = (pos + 1) % n;
                    images.add(frames.get(ids[i]).image());
                }
                List<Prediction> got = segmenter.predictBatch(images);
                for (int i = 0; i < size; i++) {
                    checker.check(thread, done + i, ids[i], got.get(i).mask());
                }
            }
            done += size;
        }
    }

    /** A permutation of {@code 0..n-1} (Fisher-Yates), the same for the same seed and thread. */
    static int[] order(int n, long seed, int thread) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed + 0x9E3779B97F4A7C15L * (thread + 1));
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }

    static double growthPercent(long kb, long baselineKb) {
        return 100.0 * (kb - baselineKb) / baselineKb;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static String mb(long kb) {
        return String.format(Locale.ROOT, "%.1f MB", kb / 1024.0);
    }

    /** Compares masks with the reference and counts. */
    private static final class Checker {
        final List<Sample> frames;
        final Mask[] reference;
        final AtomicLong done = new AtomicLong();
        final AtomicLong mismatches = new AtomicLong();
        final ConcurrentLinkedQueue<String> details = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

        Checker(List<Sample> frames, Mask[] reference) {
            this.frames = frames;
            this.reference = reference;
        }

        void check(int thread, int iteration, int frame, Mask got) {
            Mask want = reference[frame];
            // Mask.equals: same height and width and Arrays.equals on the label bytes
            if (!want.equals(got)) {
                long m = mismatches.incrementAndGet();
                if (m <= MAX_MISMATCH_DETAILS) {
                    details.add("thread " + thread + " prediction " + iteration + " frame "
                            + frames.get(frame).id() + ": " + differingPixels(want, got) + " pixels differ");
                }
            }
            done.incrementAndGet();
        }

        private static String differingPixels(Mask a, Mask b) {
            if (a.height() != b.height() || a.width() != b.width()) {
                return "size " + b.height() + "x" + b.width() + " instead of " + a.height() + "x" + a.width() + ";";
            }
            byte[] x = a.toArray();
            byte[] y = b.toArray();
            int d = 0;
            for (int i = 0; i < x.length; i++) {
                if (x[i] != y[i]) {
                    d++;
                }
            }
            return Integer.toString(d);
        }
    }

    /** Polls RSS every second for the maximum; keeps (and prints) a sample every {@code sampleSeconds}. */
    private final class Sampler implements Runnable {
        private final AtomicLong done;
        private final long expected;
        private final long baselineKb;
        private final List<MemorySample> samples = Collections.synchronizedList(new ArrayList<>());
        private volatile boolean running = true;
        private volatile long t0;
        private volatile long maxKb;

        Sampler(AtomicLong done, long expected, long baselineKb) {
            this.done = done;
            this.expected = expected;
            this.baselineKb = baselineKb;
            this.maxKb = baselineKb;
        }

        void start(long nanos) {
            t0 = nanos;
        }

        void stop() {
            running = false;
        }

        long maxRssKb() {
            return maxKb;
        }

        List<MemorySample> samples() {
            return List.copyOf(samples);
        }

        @Override
        public void run() {
            long nextLog = sampleSeconds * 1000L;
            long elapsed = 0;
            while (running) {
                try {
                    Thread.sleep(RSS_POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                elapsed += RSS_POLL_MILLIS;
                if (!running) {
                    return;
                }
                if (elapsed >= nextLog) {
                    sampleNow(System.nanoTime());
                    nextLog += sampleSeconds * 1000L;
                } else {
                    maxKb = Math.max(maxKb, Memory.rssKb());
                }
            }
        }

        MemorySample sampleNow(long nanos) {
            long rss = Memory.rssKb();
            maxKb = Math.max(maxKb, rss);
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            MemorySample s = new MemorySample(Math.round(seconds(nanos - t0) * 10) / 10.0, done.get(), rss,
                    growthPercent(rss, baselineKb), heap.getUsed(), heap.getCommitted());
            samples.add(s);
            log.printf(Locale.ROOT, "[%6.0f s] %d/%d predictions, rss %s (%+.2f %%), heap %s used of %s "
                    + "committed%n", s.seconds(), s.predictions(), expected, mb(rss), s.growthPercent(),
                    mb(heap.getUsed() / 1024), mb(heap.getCommitted() / 1024));
            return s;
        }
    }

    /** Process memory as Linux reports it, and the JVM heap. */
    static final class Memory {
        private static final Path STATUS = Path.of("/proc/self/status");

        private Memory() {
        }

        /** Resident set size in kB ({@code VmRSS}). */
        static long rssKb() {
            return statusKb("VmRSS:");
        }

        /** Peak resident set size in kB over the process's life ({@code VmHWM}). */
        static long hwmKb() {
            return statusKb("VmHWM:");
        }

        private static long statusKb(String key) {
            List<String> lines;
            try {
                lines = Files.readAllLines(STATUS, StandardCharsets.US_ASCII);
            } catch (NoSuchFileException e) {
                throw new IllegalStateException("resident memory is read from " + STATUS + ", which this system "
                        + "lacks (Linux only)", e);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + STATUS + ": " + e.getMessage(), e);
            }
            Optional<String> line = lines.stream().filter(l -> l.startsWith(key)).findFirst();
            String[] parts = line.orElseThrow(() -> new IllegalStateException("no " + key + " line in " + STATUS))
                    .substring(key.length()).trim().split("\\s+", -1);
            if (parts.length != 2 || !parts[1].equals("kB")) {
                throw new IllegalStateException("unexpected " + key + " line in " + STATUS + ": " + line.get());
            }
            return Long.parseLong(parts[0]);
        }

        static MemoryUsage heapAfterFullGc() {
            System.gc();
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        }
    }

    /** The settings of one run, the JVM's included. */
    record Settings(String data, String model, String backend, int threads, int predictionsPerThread, int batch,
            int warmupPasses, int sampleSeconds, long seed, int rssTolerancePercent, String baselineIs,
            List<String> jvmArguments, long heapInitialBytes, long heapMaxBytes) {

        Settings {
            jvmArguments = List.copyOf(jvmArguments);
        }
    }

    /** One logged memory reading during the soak; heap figures are as found, without a GC. */
    record MemorySample(double seconds, long predictions, long rssKb, double growthPercent, long heapUsedBytes,
            long heapCommittedBytes) {

        /** RSS less the committed heap: native memory (TensorFlow, malloc arenas, JVM internals), roughly. */
        long nonHeapKb() {
            return rssKb - heapCommittedBytes / 1024;
        }
    }

    /** The JSON summary ({@code --out}). Mismatches counts both phases; errors are failed predictions. */
    record SoakSummary(String verdict, String started, Settings settings, int frames, int referenceWithForeground,
            long warmupPredictions, long warmupMismatches, long predictionsExpected, long predictions,
            long soakMismatches, long mismatches, List<String> mismatchDetails, List<String> errors,
            long rssAfterWarmupKb, long rssMaxKb, long rssFinalKb, double rssMaxGrowthPercent,
            double rssFinalGrowthPercent, boolean rssWithinTolerance, long rssPeakOverProcessLifeKb,
            long nonHeapAfterWarmupKb, long nonHeapMaxKb, long nonHeapFinalKb, double nonHeapMaxGrowthPercent,
            double nonHeapFinalGrowthPercent, long heapUsedAfterGcBeforeWarmupBytes, long heapUsedAfterGcAtEndBytes,
            long heapCommittedAtBaselineBytes, long heapCommittedAtEndBytes, double imagesPerSecond,
            double soakSeconds, double warmupSeconds, double referenceSeconds, double totalSeconds,
            List<MemorySample> samples) {

        SoakSummary {
            mismatchDetails = List.copyOf(mismatchDetails);
            errors = List.copyOf(errors);
            samples = List.copyOf(samples);
        }

        boolean pass() {
            return verdict.equals("PASS");
        }

        void printTo(PrintStream p) {
            p.printf(Locale.ROOT, "predictions: %d of %d (plus %d in the warm-up)%n", predictions,
                    predictionsExpected, warmupPredictions);
            p.printf(Locale.ROOT, "mismatches: %d (soak %d, warm-up %d)%n", mismatches, soakMismatches,
                    warmupMismatches);
            mismatchDetails.forEach(d -> p.println("  mismatch: " + d));
            p.printf(Locale.ROOT, "errors: %d%n", errors.size());
            errors.forEach(e -> p.println("  error: " + e));
            p.printf(Locale.ROOT, "rss after warm-up: %s; max %s (%+.2f %%); final %s (%+.2f %%); limit +%d %%%n",
                    mb(rssAfterWarmupKb), mb(rssMaxKb), rssMaxGrowthPercent, mb(rssFinalKb), rssFinalGrowthPercent,
                    settings.rssTolerancePercent());
            p.printf(Locale.ROOT, "rss less committed heap (informational): after warm-up %s; max %s (%+.2f %%); "
                    + "final %s (%+.2f %%)%n", mb(nonHeapAfterWarmupKb), mb(nonHeapMaxKb), nonHeapMaxGrowthPercent,
                    mb(nonHeapFinalKb), nonHeapFinalGrowthPercent);
            p.printf(Locale.ROOT, "heap committed: %s after warm-up, %s at end; heap used after a full GC: %s "
                    + "before the warm-up, %s at end%n", mb(heapCommittedAtBaselineBytes / 1024),
                    mb(heapCommittedAtEndBytes / 1024), mb(heapUsedAfterGcBeforeWarmupBytes / 1024),
                    mb(heapUsedAfterGcAtEndBytes / 1024));
            p.printf(Locale.ROOT, "throughput: %.1f images/s over %.0f s (informational)%n", imagesPerSecond,
                    soakSeconds);
            p.printf(Locale.ROOT, "wall time: %.0f s in all%n", totalSeconds);
            p.println("verdict: " + verdict);
        }
    }
}

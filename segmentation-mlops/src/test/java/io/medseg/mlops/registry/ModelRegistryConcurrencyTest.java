package io.medseg.mlops.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.mlops.PackageManifest;
import io.medseg.mlops.TestPackages;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Registrations and stage changes racing in threads and in separate JVMs, and registrations killed midway. */
class ModelRegistryConcurrencyTest {
    @TempDir
    Path tmp;

    @Test
    void concurrentThreadsGetEachVersionExactlyOnce() throws Exception {
        int threads = 8;
        int perThread = 5;
        Path registryDir = tmp.resolve("registry");
        ModelRegistry.open(registryDir);
        List<List<Path>> packages = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Path> mine = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                String variant = "t" + t + "-" + i;
                mine.add(TestPackages.create(tmp.resolve("packages").resolve(variant), "cardiac-lv", variant));
            }
            packages.add(mine);
        }

        Map<String, Integer> versionBySha = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<Path> mine = packages.get(t);
                done.add(pool.submit(() -> {
                    // one registry instance per thread: the per-name lock must hold across instances too
                    ModelRegistry registry = ModelRegistry.open(registryDir);
                    start.await();
                    for (Path p : mine) {
                        ModelVersion v = registry.register(p);
                        assertThat(versionBySha.put(v.manifestSha256(), v.version())).isNull();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }

        int total = threads * perThread;
        ModelRegistry registry = ModelRegistry.open(registryDir);
        List<ModelVersion> versions = registry.list("cardiac-lv");
        assertThat(versions).extracting(ModelVersion::version)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, total).boxed().toList());
        assertRegisteredCopiesMatch(registry, versions, versionBySha);
        for (List<Path> mine : packages) {
            for (Path p : mine) {
                String sha = PackageManifest.sha256(p);
                assertThat(registry.version("cardiac-lv", versionBySha.get(sha)).source())
                        .isEqualTo(p.toRealPath().toString());
            }
        }
        assertThat(registry.history("cardiac-lv")).hasSize(total)
                .extracting(HistoryEvent::version).doesNotHaveDuplicates();
    }

    @Test
    void concurrentPromotionsLeaveOneProductionVersion() throws Exception {
        int count = 6;
        ModelRegistry registry = ModelRegistry.open(tmp.resolve("registry"));
        for (int i = 0; i < count; i++) {
            Path p = TestPackages.create(tmp.resolve("packages/p" + i), "cardiac-lv", "p" + i);
            TestPackages.writeValidation(p, PackageManifest.sha256(p), true, Instant.parse("2024-05-01T12:00:00Z"));
            registry.register(p);
        }

        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                int version = i;
                done.add(pool.submit(() -> {
                    ModelRegistry mine = ModelRegistry.open(registry.root());
                    start.await();
                    for (int round = 0; round < 3; round++) {
                        mine.promote("cardiac-lv", version, Stage.PRODUCTION);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }

        List<ModelVersion> versions = registry.list("cardiac-lv");
        assertThat(versions).filteredOn(v -> v.stage() == Stage.PRODUCTION).hasSize(1);
        assertThat(versions).filteredOn(v -> v.stage() == Stage.ARCHIVED).hasSize(count - 1);
        assertHistoryReplaysToCurrentStagesWithAtMostOneProduction(registry, versions);
    }

    @Test
    void concurrentProcessesGetEachVersionExactlyOnce() throws Exception {
        int processes = 4;
        int perProcess = 5;
        Path registryDir = tmp.resolve("registry");
        ModelRegistry registry = ModelRegistry.open(registryDir);
        Path gate = tmp.resolve("gate");
        Map<String, Integer> versionBySha = new HashMap<>();

        try (FileChannel gateChannel = FileChannel.open(gate, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock closed = gateChannel.lock();
            List<Process> workers = new ArrayList<>();
            List<BufferedReader> outputs = new ArrayList<>();
            try {
                for (int w = 0; w < processes; w++) {
                    Process p = javaProcess(List.of("register", registryDir.toString(), tmp.resolve("work").toString(),
                            Integer.toString(perProcess), "proc" + w, gate.toString()), tmp.resolve("worker" + w));
                    workers.add(p);
                    outputs.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
                }
                for (int w = 0; w < processes; w++) {
                    assertThat(outputs.get(w).readLine()).as(stderrOf(w)).isEqualTo("ready");
                }
            } finally {
                // every worker has its packages and is waiting on the gate: let them all go at once
                closed.release();
            }
            for (int w = 0; w < processes; w++) {
                for (String line = outputs.get(w).readLine(); line != null; line = outputs.get(w).readLine()) {
                    String[] parts = line.split(" ", -1);
                    assertThat(parts[0]).isEqualTo("registered");
                    assertThat(versionBySha.put(parts[2], Integer.parseInt(parts[1]))).isNull();
                }
                assertThat(waitFor(workers.get(w))).as(stderrOf(w)).isZero();
            }
        }

        int total = processes * perProcess;
        assertThat(versionBySha).hasSize(total);
        assertThat(new HashSet<>(versionBySha.values()))
                .isEqualTo(new HashSet<>(IntStream.rangeClosed(1, total).boxed().toList()));
        List<ModelVersion> versions = registry.list("cardiac-lv");
        assertThat(versions).extracting(ModelVersion::version)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, total).boxed().toList());
        assertRegisteredCopiesMatch(registry, versions, versionBySha);
        assertThat(registry.history("cardiac-lv")).hasSize(total);
    }

    @ParameterizedTest
    @ValueSource(strings = {"copied", "claimed", "moved"})
    void aRegistrationKilledMidwayLeavesNoVersion(String step) throws Exception {
        Path registryDir = tmp.resolve("registry");
        ModelRegistry registry = ModelRegistry.open(registryDir);
        registry.register(TestPackages.create(tmp.resolve("packages/first"), "cardiac-lv", "first"));
        Path victim = TestPackages.create(tmp.resolve("packages/victim"), "cardiac-lv", "victim");

        Process p = javaProcess(List.of("crash", registryDir.toString(), victim.toString(), step),
                tmp.resolve("crash"));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(waitFor(p)).as(out + stderrOf(tmp.resolve("crash"))).isEqualTo(3);
        assertThat(out).isEqualTo("halting at " + step + System.lineSeparator());

        assertThat(registry.list("cardiac-lv")).extracting(ModelVersion::version).containsExactly(1);
        assertThat(registry.history("cardiac-lv")).hasSize(1);

        // the killed process's lock is gone, and the same package registers cleanly now
        ModelVersion retried = registry.register(victim);
        int expected = step.equals("copied") ? 2 : 3;
        assertThat(retried.version()).isEqualTo(expected);
        assertThat(PackageManifest.verify(retried.path()).sha256()).isEqualTo(PackageManifest.sha256(victim));
        assertThat(registry.list("cardiac-lv")).extracting(ModelVersion::version).containsExactly(1, expected);
    }

    private static void assertRegisteredCopiesMatch(ModelRegistry registry, List<ModelVersion> versions,
            Map<String, Integer> versionBySha) throws IOException {
        Set<String> shas = new HashSet<>();
        for (ModelVersion v : versions) {
            assertThat(v.stage()).isEqualTo(Stage.STAGING);
            assertThat(PackageManifest.verify(registry.get("cardiac-lv", v.version())).sha256())
                    .isEqualTo(v.manifestSha256());
            assertThat(versionBySha.get(v.manifestSha256())).isEqualTo(v.version());
            assertThat(shas.add(v.manifestSha256())).isTrue();
        }
    }

    private static void assertHistoryReplaysToCurrentStagesWithAtMostOneProduction(ModelRegistry registry,
            List<ModelVersion> versions) throws IOException {
        Map<Integer, Stage> stages = new HashMap<>();
        for (HistoryEvent e : registry.history("cardiac-lv")) {
            assertThat(stages.get(e.version())).isEqualTo(e.from());
            stages.put(e.version(), e.to());
            Map<Stage, Integer> counts = new EnumMap<>(Stage.class);
            stages.values().forEach(s -> counts.merge(s, 1, Integer::sum));
            assertThat(counts.getOrDefault(Stage.PRODUCTION, 0)).isLessThanOrEqualTo(1);
        }
        for (ModelVersion v : versions) {
            assertThat(stages.get(v.version())).isEqualTo(v.stage());
        }
    }

    private static Process javaProcess(List<String> args, Path logBase) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(RegistryWorker.class.getName());
        command.addAll(args);
        return new ProcessBuilder(command).redirectError(logBase.resolveSibling(logBase.getFileName() + ".err")
                .toFile()).start();
    }

    private String stderrOf(int worker) throws IOException {
        return stderrOf(tmp.resolve("worker" + worker));
    }

    private static String stderrOf(Path logBase) throws IOException {
        Path err = logBase.resolveSibling(logBase.getFileName() + ".err");
        return Files.exists(err) ? "stderr: " + Files.readString(err) : "";
    }

    /** A generous bound so that a hung worker fails the test instead of hanging the build. */
    private static int waitFor(Process p) throws InterruptedException {
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("worker process did not finish");
        }
        return p.exitValue();
    }
}

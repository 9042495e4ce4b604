package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.mlops.DataManifest;
import io.medseg.mlops.TrainingRun;
import io.medseg.mlops.TrainingRuns;
import io.medseg.testdata.SunnybrookTestData;
import io.medseg.testdata.TestJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code segment train} as a run directory on the real frames: provenance content, a run killed with SIGKILL
 * mid-training and resumed (identical step losses to an uninterrupted run), and {@code segment reproduce}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainingRunCliTest {
    private static final int EPOCHS = 5;
    @TempDir
    static Path tmp;
    static Path data;
    static Path whole;

    @BeforeAll
    static void locate() {
        data = SunnybrookTestData.dir();
        whole = tmp.resolve("whole");
    }

    private static String[] trainArgs(Path out) {
        return new String[] {"train", "--data", data.toString(), "--out", out.toString(), "--epochs",
                String.valueOf(EPOCHS), "--patients", "SCD0000101", "--val-patients", "SCD0000201", "--seed", "5",
                "--no-tensorboard"};
    }

    @Test
    @Order(1)
    void aRunRecordsHowItWasMade() throws Exception {
        CliRun r = CliRun.of(trainArgs(whole));
        assertThat(r.exitCode()).as(r.err()).isZero();
        Map<String, Object> p = TestJson.object(Files.readString(whole.resolve(TrainingRun.PROVENANCE)));
        assertThat(TestJson.getObject(p, "run").get("status")).isEqualTo("completed");
        assertThat(TestJson.getObject(p, "run")).containsKeys("started", "ended", "id");
        assertThat(p.get("seed")).isEqualTo(5L);
        Map<String, Object> config = TestJson.getObject(p, "config");
        assertThat(config.get("val_patients")).isEqualTo(List.of("SCD0000201"));
        assertThat(config.get("epochs")).isEqualTo((long) EPOCHS);
        assertThat(TestJson.getObject(p, "spec").get("inputHeight")).isEqualTo(128L);
        Map<String, Object> env = TestJson.getObject(p, "environment");
        assertThat(env.get("java_version")).isEqualTo(System.getProperty("java.version"));
        assertThat((String) env.get("backend_description")).contains("TensorFlow 2.18");
        assertThat(env.get("os")).asString().startsWith(System.getProperty("os.name"));

        // the data manifest: every file under the data folder, each hash checked independently here
        DataManifest manifest = DataManifest.read(whole.resolve(TrainingRun.DATA_MANIFEST));
        long files;
        try (Stream<Path> s = Files.walk(data)) {
            files = s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).count();
        }
        assertThat(manifest.files()).hasSize((int) files);
        DataManifest.Entry first = manifest.files().get(0);
        byte[] bytes = Files.readAllBytes(data.resolve(first.path()));
        assertThat(first.sha256()).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(bytes)));
        assertThat(TestJson.getObject(p, "data").get("aggregate_sha256")).isEqualTo(manifest.aggregateSha256());

        // the git commit of the working directory, when the tests run in a git checkout
        Process git = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
        String head = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (git.waitFor() == 0) {
            assertThat(TestJson.getObject(p, "git").get("commit")).isEqualTo(head);
        }

        // per-epoch metrics and per-step losses
        List<String> metrics = Files.readAllLines(whole.resolve(TrainingRun.METRICS));
        assertThat(metrics).hasSize(EPOCHS);
        for (int i = 0; i < EPOCHS; i++) {
            Map<String, Object> m = TestJson.object(metrics.get(i));
            assertThat(m.get("epoch")).isEqualTo((long) i + 1);
            assertThat(m).containsKeys("loss", "val_dice", "learning_rate", "seconds");
        }
        assertThat(TrainingRun.readLosses(whole)).hasSize(EPOCHS * 3); // 18 frames, batches of 8
        assertThat(whole.resolve("checkpoints/epoch-000" + EPOCHS + "/checkpoint.json")).isRegularFile();
        assertThat(whole.resolve("best/model.json")).isRegularFile();
        assertThat(whole.resolve("model.json")).isRegularFile();
        Map<String, Object> val = TestJson.object(Files.readString(whole.resolve(TrainingRuns.METRICS_JSON)));
        assertThat(TestJson.getObject(val, "split").get("kind")).isEqualTo("validation");
        assertThat(TestJson.getObject(val, "split").get("patients")).isEqualTo(List.of("SCD0000201"));
        assertThat(val).containsKeys("dice_mean", "dice_global", "evaluation");
    }

    @Test
    @Order(2)
    void aRunKilledMidTrainingResumesToTheSameLossesAsTheUninterruptedRun() throws Exception {
        Path killed = tmp.resolve("killed");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(trainArgs(killed)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("killed.log")
                .toFile()).start();
        Path marker = killed.resolve("checkpoints/epoch-0002/checkpoint.json");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!Files.exists(marker) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(p.isAlive()).as("the training process should still be running at epoch 2: "
                + Files.readString(tmp.resolve("killed.log"))).isTrue();
        p.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        // nothing under its final name is corrupt
        Map<String, Object> prov = TestJson.object(Files.readString(killed.resolve(TrainingRun.PROVENANCE)));
        assertThat(TestJson.getObject(prov, "run").get("status")).isEqualTo("running");
        for (String line : Files.readAllLines(killed.resolve(TrainingRun.METRICS))) {
            TestJson.parse(line);
        }
        List<Float> partial = TrainingRun.readLosses(killed);
        assertThat(partial.size()).isBetween(6, EPOCHS * 3 - 1);

        CliRun r = CliRun.of("train", "--resume", killed.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("resuming " + killed + " after epoch");
        assertThat(TrainingRun.readLosses(killed)).containsExactlyElementsOf(TrainingRun.readLosses(whole));
        Map<String, Object> after = TestJson.object(Files.readString(killed.resolve(TrainingRun.PROVENANCE)));
        assertThat(TestJson.getObject(after, "run").get("status")).isEqualTo("completed");
        List<Object> resumed = TestJson.getArray(TestJson.getObject(after, "run"), "resumed");
        assertThat(resumed).hasSize(1);
        assertThat(((Number) TestJson.object(resumed.get(0)).get("from_epoch")).intValue()).isBetween(2, EPOCHS);
        assertThat(Files.readAllLines(killed.resolve(TrainingRun.METRICS))).hasSize(EPOCHS);
        assertThat(Files.readString(killed.resolve("model.json"))).isEqualTo(Files.readString(whole.resolve(
                "model.json")));
        assertThat(Files.readAllBytes(killed.resolve("variables/variables.data-00000-of-00001")))
                .isEqualTo(Files.readAllBytes(whole.resolve("variables/variables.data-00000-of-00001")));
    }

    @Test
    @Order(3)
    void reproduceRetrainsAndFindsIdenticalLosses() {
        Path again = tmp.resolve("again");
        CliRun r = CliRun.of("reproduce", whole.toString(), "--out", again.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("REPRODUCED: " + EPOCHS * 3 + " of " + EPOCHS * 3 + " step losses identical");
        Map<String, Object> report = TestJson.object(readString(again.resolve(TrainingRuns.REPRODUCTION)));
        assertThat(report.get("identical")).isEqualTo(true);
        assertThat(report.get("steps_identical")).isEqualTo((long) EPOCHS * 3);
        assertThat(report.get("recipe_changes")).isEqualTo(List.of());
        assertThat(r.err()).doesNotContain("warning");
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    @Order(4)
    void reproduceRefusesChangedLossesAndResumeRefusesAFinishedFolderMisuse() throws Exception {
        // a recorded loss that does not match what the settings give: exit 3, the difference named
        Path tampered = tmp.resolve("tampered");
        io.medseg.io.FileTrees.copyTree(whole, tampered);
        List<String> lines = Files.readAllLines(tampered.resolve(TrainingRun.LOSSES));
        String[] f = lines.get(4).split(",", -1);
        lines.set(4, f[0] + "," + f[1] + "," + f[2] + "," + (Float.parseFloat(f[3]) + 0.001f));
        Files.write(tampered.resolve(TrainingRun.LOSSES), lines);
        CliRun r = CliRun.of("reproduce", tampered.toString(), "--out", tmp.resolve("again2").toString());
        assertThat(r.exitCode()).as(r.err()).isEqualTo(3);
        assertThat(r.out()).contains("DIFFERENT").contains("first difference at step 4");

        CliRun again = CliRun.of(trainArgs(whole));
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).contains("already holds a training run");
    }
}

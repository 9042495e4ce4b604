package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.data.tfrecord.TFRecordReader;
import io.medseg.mlops.PackageManifest;
import io.medseg.testdata.SunnybrookTestData;
import io.medseg.testdata.TestJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/**
 * The model's life on the command line with real frames: train (with TensorBoard events) -> export -> tamper checks
 * -> validate (failing, then passing) -> register -> promote -> diff. Checks content: hashes, tags, exit codes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelLifecycleCliTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path run;
    static Path pkg;
    static Path registry;

    @BeforeAll
    static void locate() {
        data = SunnybrookTestData.dir();
        run = tmp.resolve("run");
        pkg = tmp.resolve("pkg");
        registry = tmp.resolve("registry");
    }

    @Test
    @Order(1)
    void trainWritesTensorBoardEventsThatReadBack() throws Exception {
        CliRun r = CliRun.of("train", "--data", data.toString(), "--out", run.toString(), "--epochs", "2",
                "--patients", "SCD0000101", "--val-patients", "SCD0000201", "--seed", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<Event> steps = events(run.resolve("tensorboard/steps"));
        List<Event> epochs = events(run.resolve("tensorboard/epochs"));
        assertThat(steps.get(0).getFileVersion()).isEqualTo("brain.Event:2");
        // 18 training frames in batches of 8: 3 steps per epoch, the loss of each recorded exactly
        List<Float> losses = io.medseg.mlops.TrainingRun.readLosses(run);
        List<Long> lossSteps = new ArrayList<>();
        List<Float> lossValues = new ArrayList<>();
        for (Event e : steps) {
            for (Summary.Value v : e.getSummary().getValueList()) {
                if (v.getTag().equals("train/loss")) {
                    lossSteps.add(e.getStep());
                    lossValues.add(v.getSimpleValue());
                }
            }
        }
        assertThat(lossSteps).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(lossValues).containsExactlyElementsOf(losses);
        TreeSet<String> tags = new TreeSet<>();
        List<Object> metrics = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            metrics.add(TestJson.parse(line));
        }
        for (Event e : epochs) {
            for (Summary.Value v : e.getSummary().getValueList()) {
                tags.add(v.getTag());
                if (v.getTag().equals("epoch/val_dice")) {
                    double expected = TestJson.getDouble(TestJson.object(metrics.get((int) e.getStep() - 1)), "val_dice");
                    assertThat(v.getSimpleValue()).isEqualTo((float) expected);
                }
                if (v.hasImage()) {
                    assertThat(v.getImage().getEncodedImageString().size()).isPositive();
                }
            }
        }
        assertThat(tags).contains("epoch/loss", "epoch/val_dice", "epoch/learning_rate");
        assertThat(tags.stream().filter(t -> t.startsWith("frames/") && t.endsWith("/prediction")).count())
                .isEqualTo(4);
    }

    private static List<Event> events(Path dir) throws Exception {
        Path file;
        try (Stream<Path> s = Files.list(dir)) {
            file = s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).findFirst()
                    .orElseThrow();
        }
        List<Event> out = new ArrayList<>();
        try (TFRecordReader reader = TFRecordReader.open(file)) {
            byte[] rec;
            while ((rec = reader.next()) != null) {
                out.add(Event.parseFrom(rec));
            }
        }
        return out;
    }

    @Test
    @Order(2)
    void exportWritesAPackageWhoseManifestHashesEveryFile() throws Exception {
        CliRun r = CliRun.of("export", "--model", run.toString(), "--out", pkg.toString(), "--name", "lv-test");
        assertThat(r.exitCode()).as(r.err()).isZero();
        for (String f : List.of("saved_model.pb", "model.json", "provenance.json", "metrics.json", "MODEL_CARD.md",
                "MANIFEST", "training-metrics.jsonl", "data-manifest.json", "data-profile.json")) {
            assertThat(pkg.resolve(f)).isRegularFile();
        }
        List<String> lines = Files.readAllLines(pkg.resolve("MANIFEST"));
        List<String> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(pkg)) {
            s.filter(Files::isRegularFile).map(p -> pkg.relativize(p).toString()).filter(p -> !p.equals("MANIFEST"))
                    .sorted().forEach(files::add);
        }
        assertThat(lines).hasSize(files.size());
        for (String line : lines) {
            String hash = line.substring(0, 64);
            String path = line.substring(66);
            byte[] bytes = Files.readAllBytes(pkg.resolve(path));
            assertThat(hash).as(path).isEqualTo(HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(bytes)));
        }
        Map<String, Object> model = TestJson.object(Files.readString(pkg.resolve("model.json")));
        assertThat(model.get("name")).isEqualTo("lv-test");
        assertThat(model.get("class_names")).isEqualTo(List.of("background", "left_ventricle"));
        assertThat(TestJson.getObject(model, "input")).containsKeys("normalization", "expected_pixel_spacing_mm");
        assertThat(TestJson.getObject(model, "signature").get("input")).isEqualTo("image");
        String card = Files.readString(pkg.resolve("MODEL_CARD.md"));
        assertThat(card).contains("## Intended use", "## Training data", "## Metrics", "## Limitations")
                .contains("Split: **validation**").contains("SCD0000201");
    }

    @Test
    @Order(3)
    void aTamperedOrIncompletePackageIsRefusedNamingTheFile() throws Exception {
        Path bad = tmp.resolve("tampered");
        io.medseg.io.FileTrees.copyTree(pkg, bad);
        Path weights = bad.resolve("variables/variables.data-00000-of-00001");
        byte[] b = Files.readAllBytes(weights);
        b[b.length / 3] ^= 0x10;
        Files.write(weights, b);
        CliRun r = CliRun.of("predict", "--model", bad.toString(), "--input", data.toString(), "--out",
                tmp.resolve("pred").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("variables/variables.data-00000-of-00001").contains("modified");
        assertThat(tmp.resolve("pred")).doesNotExist();

        Path incomplete = tmp.resolve("incomplete");
        io.medseg.io.FileTrees.copyTree(pkg, incomplete);
        Files.delete(incomplete.resolve("MODEL_CARD.md"));
        CliRun v = CliRun.of("validate", "--model", incomplete.toString(), "--data", data.toString(),
                "--min-dice", "0");
        assertThat(v.exitCode()).isEqualTo(2);
        assertThat(v.err()).contains("MODEL_CARD.md");
        assertThat(incomplete.resolve(PackageManifest.VALIDATIONS_DIR)).doesNotExist();
    }

    @Test
    @Order(4)
    void validateStoresARecordAndExitsThreeWhenARequirementFails() throws Exception {
        CliRun fail = CliRun.of("validate", "--model", pkg.toString(), "--data", data.toString(), "--patients",
                "SCD0000301", "--min-dice", "0.999", "--max-p95-ms", "100000", "--samples", "5");
        assertThat(fail.exitCode()).as(fail.err()).isEqualTo(3);
        assertThat(fail.out()).contains("dice_mean").contains("FAIL").contains("VALIDATION FAILED");

        CliRun reg = CliRun.of("register", pkg.toString(), "--registry", registry.toString());
        assertThat(reg.exitCode()).as(reg.err()).isZero();
        assertThat(reg.out()).contains("registered lv-test version 1 [staging]").contains("validation: failed");
        CliRun refused = CliRun.of("promote", "lv-test", "1", "production", "--registry", registry.toString());
        assertThat(refused.exitCode()).isEqualTo(3);
        assertThat(refused.err()).contains("lv-test 1");

        // the gate run again on the registered copy, with requirements it meets
        Path copy = registry.resolve("lv-test/1/package");
        CliRun pass = CliRun.of("validate", "--model", copy.toString(), "--data", data.toString(), "--patients",
                "SCD0000301", "--min-dice", "0", "--max-p95-ms", "100000", "--batch", "2", "--samples", "5");
        assertThat(pass.exitCode()).as(pass.err()).isZero();
        assertThat(pass.out()).contains("PASS").contains("VALIDATION PASSED");
        List<Path> records;
        try (Stream<Path> s = Files.list(copy.resolve("validations"))) {
            records = s.sorted().toList();
        }
        assertThat(records).hasSize(2);
        Map<String, Object> rec = TestJson.object(Files.readString(records.get(1)));
        assertThat(rec.get("passed")).isEqualTo(true);
        assertThat(rec.get("manifest_sha256")).isEqualTo(PackageManifest.sha256(copy));
        assertThat(TestJson.getObject(rec, "latency")).containsKeys("p50_ms", "p95_ms", "p99_ms");
        assertThat(TestJson.getObject(rec, "latency").get("batch")).isEqualTo(2L);
        assertThat(TestJson.getObject(rec, "data").get("frames")).isEqualTo(20L);

        CliRun promoted = CliRun.of("promote", "lv-test", "1", "production", "--registry", registry.toString());
        assertThat(promoted.exitCode()).as(promoted.err()).isZero();
        assertThat(promoted.out()).contains("lv-test 1: staging -> production");
        CliRun models = CliRun.of("models", "--registry", registry.toString(), "--json");
        Map<String, Object> v1 = TestJson.object(TestJson.array(TestJson.parse(models.out())).get(0));
        assertThat(v1.get("stage")).isEqualTo("production");
        assertThat(v1.get("validation")).isEqualTo("passed");
        assertThat(v1.get("dice_split")).isEqualTo("validation");
        CliRun history = CliRun.of("models", "lv-test", "--history", "--registry", registry.toString());
        assertThat(history.exitCode()).as(history.err()).isZero();
        assertThat(history.out().lines().toList()).hasSize(2);
        assertThat(history.out()).contains("lv-test 1: registered -> staging")
                .contains("lv-test 1: staging -> production");
    }

    @Test
    @Order(5)
    void aZippedPackageRegistersAndDiffNamesWhatDiffers() throws Exception {
        Path other = tmp.resolve("other-run");
        CliRun t = CliRun.of("train", "--data", data.toString(), "--out", other.toString(), "--epochs", "1",
                "--patients", "SCD0000101", "--val-patients", "SCD0000201", "--seed", "9", "--no-tensorboard");
        assertThat(t.exitCode()).as(t.err()).isZero();
        Path zip = tmp.resolve("other.zip");
        assertThat(CliRun.of("export", "--model", other.toString(), "--out", zip.toString(), "--name", "lv-test")
                .exitCode()).isZero();
        CliRun reg = CliRun.of("register", zip.toString(), "--registry", registry.toString());
        assertThat(reg.exitCode()).as(reg.err()).isZero();
        assertThat(reg.out()).contains("lv-test version 2");

        CliRun diff = CliRun.of("diff", pkg.toString(), registry.resolve("lv-test/2/package").toString(), "--json");
        assertThat(diff.exitCode()).as(diff.err()).isZero();
        List<Object> changes = TestJson.getArray(TestJson.object(diff.out()), "differences");
        List<String> paths = changes.stream().map(c -> (String) TestJson.object(c).get("path")).toList();
        assertThat(paths).contains("provenance.seed", "provenance.config.epochs", "metrics.dice_mean");
        assertThat(paths).noneMatch(p -> p.startsWith("provenance.run.id") || p.contains("exported"));

        // the audit trail of all of the above: chained, and editing one line is found
        CliRun verify = CliRun.of("audit", "verify", "--registry", registry.toString());
        assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
        assertThat(verify.out()).contains("intact");
        CliRun log = CliRun.of("audit", "log", "--model", "lv-test", "--registry", registry.toString());
        assertThat(log.exitCode()).as(log.err()).isZero();
        List<String> events = log.out().lines().toList();
        assertThat(events).hasSize(5);
        assertThat(events.get(0)).contains("register").contains("ok").contains("lv-test 1");
        assertThat(events.get(1)).contains("promote").contains("refused").contains("lv-test 1");
        // the gate run on the registered copy is an event of the registry
        assertThat(events.get(2)).contains("validate").contains("passed").contains("lv-test 1");
        assertThat(events.get(3)).contains("promote").contains("ok").contains("lv-test 1");
        assertThat(events.get(4)).contains("register").contains("ok").contains("lv-test 2");
        Path audit = registry.resolve("audit.log");
        List<String> lines = Files.readAllLines(audit);
        lines.set(1, lines.get(1).replace("refused", "ok"));
        Files.write(audit, lines);
        CliRun tampered = CliRun.of("audit", "verify", "--registry", registry.toString());
        assertThat(tampered.exitCode()).isEqualTo(3);
        assertThat(tampered.out()).contains("tampered at line 2");
    }

    @Test
    @Order(6)
    void driftFlagsRescaledAndNoisyCopiesButNotTheTrainingDataItself() {
        assertThat(pkg.resolve("data-profile.json")).isRegularFile();
        CliRun same = CliRun.of("drift", "--reference", pkg.toString(), "--data", data.toString(), "--patients",
                "SCD0000101", "--json");
        assertThat(same.exitCode()).as(same.out() + same.err()).isZero();
        Map<String, Object> sameReport = TestJson.object(same.out());
        assertThat(sameReport.get("verdict")).isEqualTo("STABLE");

        CliRun scaled = CliRun.of("drift", "--reference", pkg.toString(), "--data", data.toString(), "--patients",
                "SCD0000101", "--what-if-scale", "2", "--json");
        assertThat(scaled.exitCode()).as(scaled.err()).isEqualTo(3);
        assertThat(drifted(scaled.out())).containsExactly("intensity_scale");

        CliRun noisy = CliRun.of("drift", "--reference", pkg.toString(), "--data", data.toString(), "--patients",
                "SCD0000101", "--what-if-noise", "0.05", "--report", tmp.resolve("drift.json").toString());
        assertThat(noisy.exitCode()).as(noisy.err()).isEqualTo(3);
        assertThat(noisy.out()).contains("data drift: drifted");
        assertThat(tmp.resolve("drift.json")).isRegularFile();
    }

    private static List<String> drifted(String json) {
        List<String> out = new ArrayList<>();
        for (Object f : TestJson.getArray(TestJson.object(json), "features")) {
            Map<String, Object> m = TestJson.object(f);
            if ("DRIFTED".equals(m.get("verdict"))) {
                out.add((String) m.get("name"));
            }
        }
        return out;
    }
}

package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.mlops.PackageManifest;
import io.medseg.testdata.SunnybrookTestData;
import io.medseg.testdata.TestJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trained package exported with {@code --onnx} and run by the ONNX Runtime backend on the real frames: the Java
 * side of {@code scripts/onnx-peer-check.sh} ({@code segment agreement} over the 56 shared frames), the same Dice as
 * TensorFlow from {@code evaluate}, and a damaged {@code model.onnx} refused by the MANIFEST check, naming it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OnnxCliTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path pkg;

    @BeforeAll
    static void trainAndExport() {
        data = SunnybrookTestData.dir();
        Path run = tmp.resolve("run");
        pkg = tmp.resolve("pkg");
        CliRun train = CliRun.of("train", "--data", data.toString(), "--out", run.toString(), "--epochs", "3",
                "--patients", "SCD0000101,SCD0000201", "--val-patients", "SCD0000301", "--seed", "3");
        assertThat(train.exitCode()).as(train.err()).isZero();
        CliRun export = CliRun.of("export", "--model", run.toString(), "--out", pkg.toString(), "--onnx");
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(export.out()).contains("with model.onnx");
    }

    @Test
    @Order(1)
    void theManifestHashesModelOnnx() throws Exception {
        String line = Files.readAllLines(pkg.resolve(PackageManifest.FILE_NAME)).stream()
                .filter(l -> l.endsWith("  model.onnx")).findFirst().orElseThrow();
        assertThat(line.substring(0, 64)).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(pkg.resolve("model.onnx")))));
    }

    @Test
    @Order(2)
    void onnxRuntimeAgreesWithTensorFlowOnTheSharedFrames() throws Exception {
        Path tensors = tmp.resolve("tensors");
        CliRun r = CliRun.of("agreement", "--model", pkg.toString(), "--data", data.toString(), "--json",
                "--tensors", tensors.toString());
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        Map<String, Object> m = TestJson.object(r.out().strip());
        assertThat(m.get("frames")).isEqualTo(56L);
        assertThat(TestJson.getDouble(m, "max_abs_difference")).isLessThanOrEqualTo(1e-4);
        assertThat(m.get("differing_pixels")).isEqualTo(0L);
        assertThat(m.get("agree")).isEqualTo(true);
        for (String f : List.of("raw.npy", "input.npy", "tensorflow.npy", "onnx.npy", "frames.txt")) {
            assertThat(tensors.resolve(f)).isRegularFile();
        }
        // 56 x 128 x 128 x 2 float32 after the 128-byte header
        assertThat(Files.size(tensors.resolve("onnx.npy"))).isEqualTo(128 + 56L * 128 * 128 * 2 * 4);
        assertThat(Files.readAllLines(tensors.resolve("frames.txt"))).hasSize(56);
    }

    @Test
    @Order(3)
    void evaluateGivesTheSameDiceOnBothBackends() {
        Double[] dice = new Double[2];
        String[] backends = {"tensorflow", "onnx"};
        for (int i = 0; i < 2; i++) {
            CliRun r = CliRun.of("evaluate", "--model", pkg.toString(), "--data", data.toString(), "--patients",
                    "SCD0000301", "--json", "--backend", backends[i]);
            assertThat(r.exitCode()).as(r.err()).isZero();
            dice[i] = TestJson.getDouble(TestJson.object(r.out().strip()), "dice_mean");
        }
        assertThat(dice[1]).isEqualTo(dice[0]);
    }

    @Test
    @Order(4)
    void aTruncatedOrTamperedModelOnnxIsRefusedNamingItBeforeTheRuntimeReadsIt() throws Exception {
        for (String damage : List.of("truncated", "tampered")) {
            Path bad = tmp.resolve(damage);
            io.medseg.io.FileTrees.copyTree(pkg, bad);
            Path onnx = bad.resolve("model.onnx");
            byte[] b = Files.readAllBytes(onnx);
            if (damage.equals("truncated")) {
                b = java.util.Arrays.copyOf(b, b.length - 4096);
            } else {
                b[b.length / 2] ^= 0x01;
            }
            Files.write(onnx, b);
            CliRun r = CliRun.of("predict", "--model", bad.toString(), "--input", data.resolve("dicoms/SCD0000301")
                    .toString(), "--out", tmp.resolve("pred-" + damage).toString(), "--backend", "onnx");
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err()).contains("model.onnx").contains("modified").doesNotContain("ONNX Runtime 1.22");
            assertThat(tmp.resolve("pred-" + damage)).doesNotExist();
        }
    }

    @Test
    @Order(5)
    void aPackageWithoutModelOnnxSaysHowToMakeOne() throws Exception {
        Path plain = tmp.resolve("plain");
        CliRun export = CliRun.of("export", "--model", tmp.resolve("run").toString(), "--out", plain.toString());
        assertThat(export.exitCode()).as(export.err()).isZero();
        CliRun r = CliRun.of("evaluate", "--model", plain.toString(), "--data", data.toString(), "--patients",
                "SCD0000301", "--backend", "onnx");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("model.onnx").contains("segment export --onnx");
    }

    @Test
    @Order(6)
    void validateRobustnessMeasuresEveryFigureStoresItAndGatesOnTheThresholds() throws Exception {
        Path copy = tmp.resolve("robust-pkg");
        copyTree(pkg, copy);
        CliRun r = CliRun.of("validate", "--model", copy.toString(), "--data", data.toString(), "--patients",
                "SCD0000301", "--min-dice", "0", "--samples", "2", "--warmup", "0", "--robustness", "--pgd-steps", "3",
                "--min-dice-under", "noise=0,pgd=0,rotation=1");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(3);
        List<String> lines = r.out().lines().toList();
        assertThat(lines).anyMatch(l -> l.startsWith("dice_under_noise") && l.endsWith("PASS"))
                .anyMatch(l -> l.startsWith("dice_under_pgd") && l.endsWith("PASS"))
                .anyMatch(l -> l.startsWith("dice_under_rotation") && l.endsWith("FAIL"));
        for (String name : List.of("clean", "noise0.02", "noise0.05", "noise0.1", "scale0.5", "scale2", "gamma0.7",
                "gamma1.5", "rotate-10", "rotate+10", "blur", "fgsm0.01", "fgsm0.03", "pgd")) {
            assertThat(lines).as(name).anyMatch(l -> l.matches(java.util.regex.Pattern.quote(name)
                    + " .* [01]\\.\\d{4}( +[+-][01]\\.\\d{4})?"));
        }
        assertThat(r.out()).contains("VALIDATION FAILED").doesNotContain("not available");

        Path record;
        try (java.util.stream.Stream<Path> files = Files.list(copy.resolve("validations"))) {
            record = files.filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        io.medseg.mlops.Robustness.Report report = io.medseg.mlops.registry.ValidationRecord.read(record).robustness()
                .orElseThrow();
        assertThat(report.frames()).isEqualTo(20);
        assertThat(report.figures()).hasSize(13);
        assertThat(report.minDiceUnder()).containsEntry("rotation", 1.0).containsEntry("pgd", 0.0);
        io.medseg.mlops.Robustness.Figure pgd = report.figures().get(12);
        assertThat(pgd.name()).isEqualTo("pgd");
        assertThat(pgd.epsilon()).isEqualTo(0.03);
        assertThat(pgd.steps()).isEqualTo(3);
        assertThat(pgd.stepSize()).isEqualTo(0.0075);
        assertThat(pgd.diceMean()).isNotNull();
        assertThat(pgd.deltaVsClean()).isEqualTo(pgd.diceMean() - report.cleanDiceMean());
        Map<String, Object> rec = TestJson.object(Files.readString(record));
        assertThat(TestJson.array(TestJson.getObject(rec, "robustness").get("figures"))).hasSize(13);
        // the package's MANIFEST is untouched: the record still validates it, and the card section sits beside it
        assertThat(rec.get("manifest_sha256")).isEqualTo(PackageManifest.sha256(copy));
        Path card = io.medseg.mlops.registry.ValidationGate.robustnessCardFile(record);
        assertThat(r.out()).contains("model card robustness section: " + card);
        assertThat(Files.readString(card)).startsWith("## Robustness").contains("| pgd | eps 0.03, 3 steps of 0.0075 |")
                .contains("| rotation | >= 1 |").contains("| FAIL |");
    }

    @Test
    @Order(7)
    void onTheOnnxBackendPerturbationsAreMeasuredAndAnAttackThresholdFailsSayingWhy() throws Exception {
        Path copy = tmp.resolve("robust-onnx-pkg");
        copyTree(pkg, copy);
        CliRun r = CliRun.of("validate", "--model", copy.toString(), "--data", data.toString(), "--patients",
                "SCD0000301", "--min-dice", "0", "--samples", "2", "--warmup", "0", "--backend", "onnx",
                "--min-dice-under", "blur=0,fgsm=0");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(3);
        List<String> lines = r.out().lines().toList();
        assertThat(lines).anyMatch(l -> l.startsWith("dice_under_blur") && l.endsWith("PASS"))
                .anyMatch(l -> l.startsWith("dice_under_fgsm") && l.contains("NaN") && l.endsWith("FAIL"))
                .anyMatch(l -> l.matches("noise0\\.05 .* [01]\\.\\d{4} +[+-][01]\\.\\d{4}"))
                .anyMatch(l -> l.startsWith("pgd ") && l.contains("not available: the onnx backend gives no gradient"));
        assertThat(r.out()).contains("dice_under_fgsm FAILS, not measured: fgsm0.01: the onnx backend gives no "
                + "gradient");
    }

    @Test
    @Order(8)
    void anUnknownRobustnessNameIsOneUsageErrorListingTheKnownNames() {
        CliRun r = CliRun.of("validate", "--model", pkg.toString(), "--data", data.toString(), "--min-dice", "0",
                "--min-dice-under", "nosie=0.5");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("unknown perturbation or attack 'nosie'").contains("noise0.02, noise")
                .contains("rotation").contains("fgsm0.01").contains("pgd");
        assertThat(r.err().lines().count()).isEqualTo(1);
        CliRun bad = CliRun.of("validate", "--model", pkg.toString(), "--data", data.toString(), "--min-dice", "0",
                "--min-dice-under", "noise");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--min-dice-under takes NAME=D");
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (java.util.stream.Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}

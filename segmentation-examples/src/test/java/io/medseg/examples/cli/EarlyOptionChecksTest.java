package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every subcommand checks its options before it reads anything: each run below names data, models and packages that
 * do not exist, so an error about the option (rather than about a missing path) shows that the option was checked
 * first, before any data was read or a backend loaded.
 */
class EarlyOptionChecksTest {
    @TempDir
    Path tmp;

    private String missing;
    private String out;

    @BeforeEach
    void paths() {
        missing = tmp.resolve("does-not-exist").toString();
        out = tmp.resolve("out").toString();
    }

    private CliRun refused(String... args) {
        CliRun r = CliRun.of(args);
        assertThat(r.exitCode()).as("stderr: %s", r.err()).isEqualTo(2);
        assertThat(r.err().lines().toList()).as("stderr: %s", r.err()).hasSize(1);
        assertThat(r.err()).startsWith("segment: error: ").doesNotContain(missing).doesNotContain("Exception");
        assertThat(r.out()).isEmpty();
        return r;
    }

    private Path aFile() throws IOException {
        return Files.writeString(tmp.resolve("a-file"), "x");
    }

    @Test
    void demoAndTrainCheckEpochsAndCheckpointIntervalBeforeTheData() {
        assertThat(refused("demo", "--epochs", "-1", "--out", out).err()).contains("--epochs must be >= 1: -1");
        assertThat(refused("train", "--data", missing, "--out", out, "--epochs", "-1").err())
                .contains("--epochs must be >= 1: -1");
        assertThat(refused("train", "--data", missing, "--out", out, "--checkpoint-every", "0").err())
                .contains("--checkpoint-every must be >= 1: 0");
        assertThat(refused("train", "--data", missing, "--out", out, "--epochs", "many").err())
                .contains("--epochs", "many");
    }

    @Test
    void crossvalChecksEpochsAndItsModelFolderBeforeTheData() throws IOException {
        assertThat(refused("crossval", "--data", missing, "--epochs", "0").err()).contains("--epochs must be >= 1: 0");
        Path file = aFile();
        assertThat(refused("crossval", "--data", missing, "--save-models", file.toString()).err())
                .contains(file + ": exists and is not a directory");
    }

    @Test
    void inferenceSettingsAreCheckedAsTheCommandLineIsParsed() {
        for (String[] command : new String[][] {
                {"evaluate", "--model", missing, "--data", missing},
                {"validate", "--model", missing, "--data", missing, "--min-dice", "0.5"},
                {"predict", "--model", missing, "--input", missing, "--out", out},
                {"crossval", "--data", missing}}) {
            assertThat(refused(concat(command, "--tta", "sideways")).err())
                    .contains("--tta", "must be none, flips or dihedral: 'sideways'");
            assertThat(refused(concat(command, "--post-process", "blur")).err())
                    .contains("--post-process", "must be none or lcc: 'blur'");
        }
    }

    @Test
    void evaluateChecksItsReportFolderBeforeTheModelAndTheData() throws IOException {
        Path file = aFile();
        assertThat(refused("evaluate", "--model", missing, "--data", missing, "--report", file.toString()).err())
                .contains(file + ": exists and is not a directory");
    }

    @Test
    void validateChecksEveryRequirementAndTimingSettingBeforeThePackage() {
        String[] base = {"validate", "--model", missing, "--data", missing};
        assertThat(refused(base).err()).contains("at least one requirement");
        assertThat(refused(concat(base, "--min-dice", "1.5")).err()).contains("--min-dice must be in 0..1: 1.5");
        assertThat(refused(concat(base, "--max-p95-ms", "-5")).err())
                .contains("--max-p95-ms must be a number > 0: -5.0");
        assertThat(refused(concat(base, "--max-hd95-mm", "NaN")).err())
                .contains("--max-hd95-mm must be a number > 0: NaN");
        assertThat(refused(concat(base, "--min-dice", "0.5", "--batch", "0")).err())
                .contains("--batch must be >= 1: 0");
        assertThat(refused(concat(base, "--min-dice", "0.5", "--samples", "0")).err())
                .contains("--samples must be >= 1: 0");
        assertThat(refused(concat(base, "--min-dice", "0.5", "--warmup", "-1")).err())
                .contains("--warmup must be >= 0: -1");
    }

    @Test
    void convertChecksItsTargetFormatAndFractionBeforeTheData() {
        assertThat(refused("convert", "--data", missing, "--to", "zip", "--out", out).err())
                .contains("--to must be tfrecord: zip");
        assertThat(refused("convert", "--data", missing, "--to", "tfrecord", "--out", out, "--val-fraction", "1")
                .err()).contains("--val-fraction must be in (0, 1): 1.0");
        assertThat(refused("inspect", "--data", missing, "--format", "jpeg").err()).contains("--format");
    }

    @Test
    void driftChecksItsPerturbationsAndReportFileBeforeThePackage() {
        String[] base = {"drift", "--reference", missing, "--data", missing};
        assertThat(refused(concat(base, "--what-if-scale", "0")).err()).contains("--what-if-scale must be > 0: 0.0");
        assertThat(refused(concat(base, "--what-if-noise", "-0.1")).err())
                .contains("--what-if-noise must be >= 0: -0.1");
        assertThat(refused(concat(base, "--report", tmp.toString())).err())
                .contains(tmp + ": is a directory (--report names the JSON file to write)");
    }

    @Test
    void registryCommandsCheckStageAndVersionBeforeOpeningTheRegistry() {
        String registry = tmp.resolve("registry").toString();
        assertThat(refused("promote", "--registry", registry, "cardiac-lv", "1", "shipped").err())
                .contains("stage must be staging, production or archived: shipped");
        assertThat(refused("promote", "--registry", registry, "cardiac-lv", "one", "staging").err())
                .contains("VERSION", "one");
        assertThat(Files.exists(tmp.resolve("registry"))).as("the registry is not created").isFalse();
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}

package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage and input errors: all detected before any backend is loaded, so no TensorFlow is needed. */
class MainTest {
    @TempDir
    Path tmp;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private static void assertOneCleanErrorLine(CliRun r) {
        assertThat(r.err().lines().toList()).as("stderr: %s", r.err()).hasSize(1);
        assertThat(r.err()).startsWith("segment: error: ").doesNotContain("Exception").doesNotContain("at io.");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void missingRequiredDataOptionIsAUsageErrorNamingTheOption() {
        CliRun r = run("train", "--out", tmp.resolve("m").toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains("--data");
    }

    @Test
    void nonexistentDataFolderIsAUsageErrorNamingThePath() {
        String missing = tmp.resolve("no/such/folder").toString();
        CliRun r = run("train", "--data", missing, "--out", tmp.resolve("m").toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains(missing).contains("no such file or directory");
    }

    @Test
    void dataFileOfNoKnownFormatIsAUsageError() throws IOException {
        Path file = Files.writeString(tmp.resolve("notes.txt"), "x");
        CliRun r = run("inspect", "--data", file.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertOneCleanErrorLine(r);
        // --data may be a file now (TFRecord); content detection must reject this one, naming it
        assertThat(r.err()).contains(file.toString());
    }

    @Test
    void nonexistentModelFolderIsAUsageErrorNamingThePath() {
        String missing = tmp.resolve("model-that-is-not-there").toString();
        CliRun r = run("predict", "--model", missing, "--input", tmp.toString(), "--out", tmp.resolve("o").toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains(missing);
    }

    @Test
    void folderWithoutModelJsonIsNotAcceptedAsAModel() throws IOException {
        Path notModel = Files.createDirectories(tmp.resolve("empty"));
        CliRun r = run("predict", "--model", notModel.toString(), "--input", tmp.toString(), "--out",
                tmp.resolve("o").toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains(notModel.toString()).contains("not a model folder");
    }

    @Test
    void nonexistentPredictInputIsAUsageErrorNamingThePath() throws IOException {
        Path model = Files.createDirectories(tmp.resolve("model"));
        Files.writeString(model.resolve("model.json"), "{}");
        String missing = tmp.resolve("scans/1.dcm").toString();
        CliRun r = run("predict", "--model", model.toString(), "--input", missing, "--out", tmp.resolve("o").toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains(missing);
    }

    @Test
    void nonPositiveEpochsIsAUsageError() {
        CliRun r = run("demo", "--epochs", "0", "--out", tmp.resolve("demo").toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains("--epochs must be >= 1: 0");
    }

    @Test
    void outputPathThatIsAFileIsAUsageError() throws IOException {
        Path out = Files.writeString(tmp.resolve("file-not-folder"), "x");
        CliRun r = run("demo", "--out", out.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains(out.toString()).contains("not a directory");
    }

    @Test
    void unknownOptionAndUnknownCommandAreUsageErrors() {
        CliRun option = run("evaluate", "--model", "m", "--data", "d", "--frobnicate");
        assertThat(option.exitCode()).isEqualTo(2);
        assertOneCleanErrorLine(option);
        assertThat(option.err()).contains("--frobnicate");

        CliRun command = run("bake");
        assertThat(command.exitCode()).isEqualTo(2);
        assertOneCleanErrorLine(command);
        assertThat(command.err()).contains("bake");
    }

    @Test
    void helpListsTheSubcommandsOnStandardOutput() {
        CliRun r = run("--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("demo").contains("train").contains("predict").contains("evaluate");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void noCommandPrintsUsageAndFails() {
        CliRun r = run();

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("segment: error: missing command").contains("Usage:");
    }
}

package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.data.folder.ImageMaskFolder;
import io.medseg.data.phantom.CardiacPhantom;
import io.medseg.io.FileTrees;
import io.medseg.mlops.TrainingRun;
import io.medseg.testdata.TestJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that scores a model says which frames were its training data, by file content against the
 * model's data manifest: {@code evaluate} on the console and in its JSON, the report on its page, {@code validate}
 * by failing the gate unless {@code --allow-training-data} is given. A model trained for one epoch on two of three
 * phantom patients, the third held out.
 */
class TrainingOverlapCliTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path run;
    static Path pkg;

    @BeforeAll
    static void trainAndExport() throws IOException {
        data = tmp.resolve("data");
        ImageMaskFolder.write(CardiacPhantom.builder().imageSize(128).patients(3).framesPerPatient(2).seed(4).build()
                .generate().samples(), data);
        run = tmp.resolve("run");
        CliRun train = CliRun.of("train", "--data", data.toString(), "--out", run.toString(), "--epochs", "1",
                "--patients", "phantom-01,phantom-02", "--val-patients", "phantom-03", "--checkpoint-every", "1",
                "--no-tensorboard");
        assertThat(train.exitCode()).as(train.err()).isZero();
        pkg = tmp.resolve("pkg");
        CliRun export = CliRun.of("export", "--model", run.toString(), "--out", pkg.toString(), "--name", "lv-test");
        assertThat(export.exitCode()).as(export.err()).isZero();
    }

    private static Map<String, Object> overlapOf(String json) {
        return TestJson.getObject(TestJson.object(json), "overlap_with_training");
    }

    @Test
    void evaluateStatesTheTrainingFramesOnTheConsoleAndInTheJson() {
        CliRun all = CliRun.of("evaluate", "--model", run.toString(), "--data", data.toString(), "--json");
        assertThat(all.exitCode()).as(all.err()).isZero();
        assertThat(overlapOf(all.out())).isEqualTo(Map.of("images", 4L, "patients",
                List.of("phantom-01", "phantom-02")));
        assertThat(all.err()).contains("warning: 4 of 6 images (patients phantom-01, phantom-02) were training data "
                + "of the model").contains("these figures are not a held-out score");
        // the key comes last, after the keys of earlier versions
        assertThat(List.copyOf(TestJson.object(all.out()).keySet())).endsWith("overlap_with_training", "precision");

        CliRun heldOut = CliRun.of("evaluate", "--model", pkg.toString(), "--data", data.toString(), "--patients",
                "phantom-03", "--json");
        assertThat(heldOut.exitCode()).as(heldOut.err()).isZero();
        assertThat(overlapOf(heldOut.out())).isEqualTo(Map.of("images", 0L, "patients", List.of()));
        assertThat(heldOut.err()).contains("held out: none of the 2 images was training data of the model")
                .doesNotContain("warning:");
    }

    @Test
    void theReportOfACopiedDataFolderStatesTheTrainingFrames() throws IOException {
        Path copy = tmp.resolve("somewhere/else");
        FileTrees.copyTree(data, copy);
        Path report = tmp.resolve("report-train");
        CliRun r = CliRun.of("evaluate", "--model", pkg.toString(), "--data", copy.toString(), "--patients",
                "phantom-02,phantom-03", "--report", report.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("warning: 2 of 4 images (patient phantom-02) were training data of the model");
        String html = Files.readString(report.resolve("report.html"));
        assertThat(html).contains("<p class=\"warning\"")
                .contains("2 of 4 images (patient phantom-02) were training data of the model: these figures are not "
                        + "a held-out score.")
                .contains("<tr><th>overlap with training data</th><td>2 of 4 images (patients phantom-02)</td></tr>");
        assertThat(Files.readString(report.resolve("summary.md")))
                .contains("> **Warning:** 2 of 4 images (patient phantom-02) were training data of the model");

        Path clean = tmp.resolve("report-held-out");
        CliRun h = CliRun.of("evaluate", "--model", pkg.toString(), "--data", copy.toString(), "--patients",
                "phantom-03", "--report", clean.toString());
        assertThat(h.exitCode()).as(h.err()).isZero();
        assertThat(Files.readString(clean.resolve("report.html"))).doesNotContain("class=\"warning\"")
                .contains("<tr><th>overlap with training data</th><td>none (2 images compared by file content)"
                        + "</td></tr>");
    }

    @Test
    void aBareModelFolderIsNotCheckedAndSaysSo() throws IOException {
        Path bare = tmp.resolve("bare");
        Files.createDirectories(bare);
        try (Stream<Path> s = Files.list(run)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.equals("model.json") || name.equals("saved_model.pb") || name.equals("variables")
                        || name.equals("assets")) {
                    FileTrees.copyTree(p, bare.resolve(name));
                }
            }
        }
        assertThat(bare.resolve(TrainingRun.DATA_MANIFEST)).doesNotExist();
        Path report = tmp.resolve("report-bare");
        CliRun r = CliRun.of("evaluate", "--model", bare.toString(), "--data", data.toString(), "--json",
                "--report", report.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Map<String, Object> json = TestJson.object(r.out());
        assertThat(json).containsKey("overlap_with_training");
        assertThat(json.get("overlap_with_training")).isNull();
        assertThat(r.err()).contains("note: overlap with training data not checked: " + bare + " has no "
                + "data-manifest.json");
        assertThat(Files.readString(report.resolve("report.html")))
                .contains("Overlap with training data not checked")
                .contains("<td>not checked: the model folder has no data-manifest.json</td>");
    }

    private static Map<String, Object> newestRecord(CliRun r) throws IOException {
        String out = r.out();
        Path file = Path.of(out.substring(out.indexOf("record: ") + "record: ".length()).strip());
        return TestJson.object(Files.readString(file));
    }

    @Test
    void validateRefusesTrainingFramesUnlessAllowedAndTheRecordSaysWhich() throws IOException {
        String[] gate = {"validate", "--model", pkg.toString(), "--data", data.toString(), "--min-dice", "0",
                "--samples", "1", "--warmup", "0"};
        CliRun refused = CliRun.of(gate);
        assertThat(refused.exitCode()).as(refused.err()).isEqualTo(Errors.NOT_MET);
        assertThat(refused.out()).contains("refused: 4 of 6 images (patients phantom-01, phantom-02) were training "
                + "data of the model").contains("--allow-training-data").contains("VALIDATION FAILED");
        assertThat(refused.out().lines().filter(l -> l.startsWith("overlap_with_training")).toList())
                .containsExactly("overlap_with_training <=            0          4  FAIL");
        Map<String, Object> record = newestRecord(refused);
        assertThat(record.get("passed")).isEqualTo(false);
        assertThat(record.get("overlap_with_training")).isEqualTo(Map.of("images", 4L, "patients",
                List.of("phantom-01", "phantom-02")));
        assertThat(record.get("allowed_training_data")).isEqualTo(false);

        String[] allowedArgs = Stream.concat(Stream.of(gate), Stream.of("--allow-training-data"))
                .toArray(String[]::new);
        CliRun allowed = CliRun.of(allowedArgs);
        assertThat(allowed.exitCode()).as(allowed.err()).isZero();
        assertThat(allowed.out()).contains("allowed: 4 of 6 images (patients phantom-01, phantom-02) were training "
                + "data of the model (--allow-training-data, stated in the record)").contains("VALIDATION PASSED")
                .doesNotContain("overlap_with_training <=");
        Map<String, Object> allowedRecord = newestRecord(allowed);
        assertThat(allowedRecord.get("passed")).isEqualTo(true);
        assertThat(allowedRecord.get("allowed_training_data")).isEqualTo(true);
        assertThat(allowedRecord.get("overlap_with_training")).isEqualTo(record.get("overlap_with_training"));

        CliRun heldOut = CliRun.of("validate", "--model", pkg.toString(), "--data", data.toString(), "--patients",
                "phantom-03", "--min-dice", "0", "--samples", "1", "--warmup", "0");
        assertThat(heldOut.exitCode()).as(heldOut.err()).isZero();
        assertThat(heldOut.out()).contains("overlap_with_training <=            0          0  PASS")
                .contains("held out: none of the 2 images was training data of the model")
                .contains("VALIDATION PASSED");
        assertThat(newestRecord(heldOut).get("overlap_with_training")).isEqualTo(Map.of("images", 0L,
                "patients", List.of()));
    }
}

package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.data.Mask;
import io.medseg.data.dicom.DicomReader;
import io.medseg.mlops.TrainingRuns;
import io.medseg.testdata.SunnybrookTestData;
import io.medseg.testdata.TestJson;
import io.medseg.viz.MaskPng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line end to end on the real Sunnybrook frames: a short training run, then evaluate and predict with
 * the model it wrote. Checks the contracts other tools rely on (JSON keys and counts, PNG paths, sizes and values),
 * not accuracy: two epochs cannot segment well.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealDataCliTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path model;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @BeforeAll
    static void locateData() {
        data = SunnybrookTestData.dir();
        model = tmp.resolve("model");
    }

    @Test
    @Order(1)
    void trainWritesAModelDirectory() {
        CliRun r = run("train", "--data", data.toString(), "--out", model.toString(), "--epochs", "2",
                "--patients", "SCD0000101", "--seed", "3");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("trained").contains("18 frames").contains("model saved to");
        assertThat(model.resolve("model.json")).isRegularFile();
        assertThat(model.resolve("saved_model.pb")).isRegularFile();
    }

    @Test
    @Order(2)
    void evaluateJsonHasTheContractKeysAndCounts() {
        CliRun r = run("evaluate", "--model", model.toString(), "--data", data.toString(), "--json",
                "--patients", "SCD0000201");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().lines().toList()).hasSize(1);
        Map<String, Object> json = TestJson.object(r.out());
        // the foundation's keys first and unchanged, then the clinical metrics, the training data overlap and the
        // precision the network computed in
        assertThat(json.keySet()).containsExactly("images", "patients", "dice_mean", "dice_global", "per_patient",
                "per_image", "iou_mean", "hd95_mm_mean", "assd_mm_mean", "apd_mm_mean", "good_contours_pct",
                "overlap_with_training", "precision");
        assertThat(json.get("precision")).isEqualTo("fp32");
        // trained on SCD0000101 only: none of SCD0000201's frames was training data
        assertThat(json.get("overlap_with_training")).isEqualTo(Map.of("images", 0L, "patients", List.of()));
        assertThat(r.err()).contains("held out: none of the 18 images was training data of the model");
        double pct = ((Number) json.get("good_contours_pct")).doubleValue();
        assertThat(pct).isBetween(0.0, 100.0);
        assertThat(json.get("images")).isEqualTo(18L);
        assertThat(json.get("patients")).isEqualTo(1L);
        List<Object> perImage = TestJson.array(json.get("per_image"));
        assertThat(perImage).hasSize(18);
        double sum = 0;
        for (Object o : perImage) {
            Map<String, Object> im = TestJson.object(o);
            assertThat(im.get("patient")).isEqualTo("SCD0000201");
            assertThat(((Number) im.get("hd95_mm")).doubleValue()).isGreaterThanOrEqualTo(0.0);
            assertThat(im.get("good_contour")).isInstanceOf(Boolean.class);
            double d = ((Number) im.get("dice")).doubleValue();
            assertThat(d).isBetween(0.0, 1.0);
            sum += d;
        }
        assertThat(((Number) json.get("dice_mean")).doubleValue()).isCloseTo(sum / 18,
                org.assertj.core.data.Offset.offset(1e-12));
        Map<String, Object> patient = TestJson.object(TestJson.object(json.get("per_patient")).get("SCD0000201"));
        assertThat(patient.get("images")).isEqualTo(18L);
    }

    @Test
    @Order(3)
    void predictWritesAMaskAndAnOverlayPerDicomAtTheSameRelativePath() throws Exception {
        Path input = data.resolve("dicoms");
        Path out = tmp.resolve("pred");
        CliRun r = run("predict", "--model", model.toString(), "--input", input.resolve("SCD0000301").toString(),
                "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<Path> dicoms;
        try (var s = Files.list(input.resolve("SCD0000301"))) {
            dicoms = s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
        }
        assertThat(dicoms).isNotEmpty();
        for (Path dcm : dicoms) {
            String name = dcm.getFileName().toString().replaceAll("\\.dcm$", "");
            Path png = out.resolve(name + ".png");
            assertThat(png).isRegularFile();
            assertThat(out.resolve(name + "_overlay.png")).isRegularFile();
            Mask m = MaskPng.read(png);
            var dicom = DicomReader.read(dcm);
            assertThat(m.height()).isEqualTo(dicom.rows());
            assertThat(m.width()).isEqualTo(dicom.columns());
            assertThat(m.maxLabel()).isLessThanOrEqualTo(1);
        }
    }

    @Test
    @Order(4)
    void aDataFolderThatIsNotAModelIsRefusedInOneLine() {
        CliRun r = run("evaluate", "--model", data.toString(), "--data", data.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines().toList()).hasSize(1);
        assertThat(r.err()).contains(data.toString()).contains("not a model folder");
    }

    @Test
    @Order(5)
    void evaluateReportWritesASelfContainedPageWithOverlaysAndTheTrainingCurve() throws Exception {
        assertThat(model.resolve(TrainingRuns.TRAINING_LOG)).isRegularFile();
        Path out = tmp.resolve("report");
        CliRun r = run("evaluate", "--model", model.toString(), "--data", data.toString(), "--json",
                "--patients", "SCD0000201", "--report", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Map<String, Object> json = TestJson.object(r.out());
        String html = Files.readString(out.resolve("report.html"));
        String md = Files.readString(out.resolve("summary.md"));
        // 3 worst and 3 best frames as overlays, embedded: nothing to fetch when the file is opened from disk
        assertThat(html.split("data:image/png;base64,", -1).length - 1).isGreaterThanOrEqualTo(6);
        assertThat(html).doesNotContain("src=\"http").doesNotContain("<script");
        assertThat(html).contains("SCD0000201").contains("HD95").contains("APD").contains("<svg");
        // the training log's two epochs are plotted
        assertThat(html).contains("Training");
        String mean = io.medseg.mlops.report.HtmlReport.fmt(((Number) json.get("dice_mean")).doubleValue());
        assertThat(md).contains(mean);
    }

    @Test
    @Order(6)
    void evaluateOnTheTrainingPatientSaysEveryFrameWasTrainingData() {
        CliRun r = run("evaluate", "--model", model.toString(), "--data", data.toString(), "--json",
                "--patients", "SCD0000101,SCD0000201");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(TestJson.object(r.out()).get("overlap_with_training")).isEqualTo(Map.of("images", 18L,
                "patients", List.of("SCD0000101")));
        assertThat(r.err()).contains("warning: 18 of 36 images (patient SCD0000101) were training data of the "
                + "model");
    }
}

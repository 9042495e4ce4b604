package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Mask;
import io.medseg.data.dicom.DicomTestWriter;
import io.medseg.examples.CardiacRecipe;
import io.medseg.mlops.UncertaintyFigures;
import io.medseg.model.UNet;
import io.medseg.testdata.SunnybrookTestData;
import io.medseg.testdata.TestJson;
import io.medseg.viz.MaskPng;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict --uncertainty} (heat maps beside the masks, scores in the summary), {@code evaluate --uncertainty}
 * (the score per image in the JSON, the report's section) and {@code segment uncertainty} on fold models named after
 * their held-out patients, with the refusals a user can meet.
 */
class UncertaintyCliTest {
    private static final int SIZE = 16;

    @TempDir
    static Path tmp;
    static Path small;
    static Path folds;

    @BeforeAll
    static void models() throws IOException {
        small = tmp.resolve("small");
        try (SegmentationModel m = Backends.load().create(UNet.builder().inputShape(SIZE, SIZE, 1).numClasses(2)
                .depth(1).baseFilters(4).build(), 3)) {
            m.save(small);
        }
        // untrained models of the recipe's network: their figures mean nothing, but every step runs
        folds = tmp.resolve("folds");
        long seed = 1;
        for (String patient : List.of("SCD0000101", "SCD0000201")) {
            try (SegmentationModel m = Backends.load().create(CardiacRecipe.defaults().spec(), seed++)) {
                m.save(folds.resolve(patient));
            }
        }
    }

    private static byte[] dicom(int shift) {
        int[] px = new int[SIZE * SIZE];
        for (int i = 0; i < px.length; i++) {
            int y = i / SIZE;
            int x = i % SIZE - shift;
            px[i] = (y > SIZE / 4 && y < 3 * SIZE / 4 && x > SIZE / 4 && x < 3 * SIZE / 4) ? 900 : 100 + i;
        }
        return DicomTestWriter.explicitVr().us(0x0028_0010, SIZE).us(0x0028_0011, SIZE).us(0x0028_0100, 16)
                .us(0x0028_0103, 0).element(0x7FE0_0010, "OW", DicomTestWriter.words(px)).toBytes();
    }

    @Test
    void predictWritesAHeatMapBesideEachMaskAndTheScoreIntoTheSummary() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("scans/a"));
        Files.write(in.resolve("1.dcm"), dicom(0));
        Files.write(in.resolve("2.dcm"), dicom(2));
        Path out = tmp.resolve("pred");
        CliRun r = CliRun.of("predict", "--model", small.toString(), "--input", in.getParent().toString(), "--out",
                out.toString(), "--uncertainty", "--tta", "flips");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("uncertainty heat maps (-uncertainty.png)");
        for (String f : List.of("1", "2")) {
            Path heat = out.resolve("a/" + f + "-uncertainty.png");
            assertThat(heat).isRegularFile();
            BufferedImage img = javax.imageio.ImageIO.read(heat.toFile());
            assertThat(img.getWidth()).isEqualTo(SIZE);
            assertThat(img.getHeight()).isEqualTo(SIZE);
            // the mask beside it is still the class-index PNG
            Mask mask = MaskPng.read(out.resolve("a/" + f + ".png"));
            assertThat(mask.height()).isEqualTo(SIZE);
        }
        Map<String, Object> summary = TestJson.object(Files.readString(out.resolve(PredictCommand.SUMMARY)));
        List<Object> written = TestJson.getArray(summary, "predictions");
        assertThat(written).hasSize(2);
        for (Object w : written) {
            Map<String, Object> entry = TestJson.object(w);
            assertThat((String) entry.get("uncertainty")).endsWith("-uncertainty.png");
            assertThat(TestJson.getDouble(entry, "uncertainty_score")).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void predictWithoutTheFlagWritesNoHeatMapAndNoScore() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("plain"));
        Files.write(in.resolve("1.dcm"), dicom(0));
        Path out = tmp.resolve("plain-out");
        CliRun r = CliRun.of("predict", "--model", small.toString(), "--input", in.toString(), "--out",
                out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(out.resolve("1-uncertainty.png")).doesNotExist();
        Map<String, Object> entry = TestJson.object(TestJson.getArray(TestJson.object(Files.readString(
                out.resolve(PredictCommand.SUMMARY))), "predictions").get(0));
        assertThat(entry).doesNotContainKeys("uncertainty", "uncertainty_score");
    }

    @Test
    void aFileWhoseMaskWouldBeAnotherFilesHeatMapIsRefusedNamingBoth() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("clash"));
        Files.write(in.resolve("b.dcm"), dicom(0));
        Files.write(in.resolve("b-uncertainty.dcm"), dicom(1));
        Path out = tmp.resolve("clash-out");
        CliRun r = CliRun.of("predict", "--model", small.toString(), "--input", in.toString(), "--out",
                out.toString(), "--uncertainty");
        assertThat(r.exitCode()).isEqualTo(Errors.USAGE);
        assertThat(r.err()).contains("b-uncertainty.dcm").contains("would overwrite those of")
                .contains("b.dcm");
        assertThat(out.resolve("b-uncertainty.png")).isRegularFile();
    }

    @Test
    void evaluateAddsTheScorePerImageToTheJsonAndTheReportListsTheMostUncertainCases() throws IOException {
        Path data = SunnybrookTestData.dir();
        Path model = folds.resolve("SCD0000101");
        Path report = tmp.resolve("report");
        CliRun r = CliRun.of("evaluate", "--model", model.toString(), "--data", data.toString(), "--patients",
                "SCD0000101", "--json", "--uncertainty", "--tta", "flips", "--report", report.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Map<String, Object> json = TestJson.object(r.out().strip());
        assertThat(json.get("uncertainty_passes")).isEqualTo(4L);
        List<Object> perImage = TestJson.getArray(json, "per_image");
        assertThat(perImage).hasSize(18);
        for (Object o : perImage) {
            assertThat(TestJson.getDouble(TestJson.object(o), "uncertainty")).isGreaterThanOrEqualTo(0);
        }
        String html = Files.readString(report.resolve("report.html"));
        assertThat(html).contains("Most uncertain cases").contains("uncertainty heat map");

        CliRun plain = CliRun.of("evaluate", "--model", model.toString(), "--data", data.toString(), "--patients",
                "SCD0000101", "--json");
        assertThat(plain.exitCode()).as(plain.err()).isZero();
        assertThat(plain.out()).doesNotContain("uncertainty");
    }

    @Test
    void theMeasurementScoresEachFoldOnItsHeldOutPatientAndWritesItsFigures() throws IOException {
        Path data = SunnybrookTestData.dir();
        Path out = tmp.resolve("run/" + UncertaintyFigures.FILE);
        Files.createDirectories(out.getParent());
        CliRun r = CliRun.of("uncertainty", "--models", folds.toString(), "--data", data.toString(), "--json",
                "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        UncertaintyFigures f = UncertaintyFigures.read(out);
        assertThat(f.folds()).extracting(UncertaintyFigures.Fold::heldOut)
                .containsExactly("SCD0000101", "SCD0000201");
        assertThat(f.folds()).extracting(UncertaintyFigures.Fold::frames).containsExactly(18, 18);
        assertThat(f.pooled().frames()).isEqualTo(36);
        assertThat(f.pooled().pixels()).isEqualTo(f.folds().get(0).pixels() + f.folds().get(1).pixels());
        assertThat(f.passes()).isEqualTo(1);
        // one pass: no variance to rank by
        assertThat(f.pooled().pixelAurocVariance()).isEmpty();
        assertThat(f.command()).isEqualTo("segment uncertainty --models " + folds + " --data " + data);
        assertThat(TestJson.object(r.out().strip())).containsKeys("folds", "pooled");
    }

    @Test
    void aFoldFolderNamedAfterNoPatientOfTheDataIsRefusedNamingIt() throws IOException {
        Path data = SunnybrookTestData.dir();
        Path bad = tmp.resolve("bad-folds");
        Files.createDirectories(bad);
        try (SegmentationModel m = Backends.load().create(CardiacRecipe.defaults().spec(), 1)) {
            m.save(bad.resolve("fold-1"));
        }
        CliRun r = CliRun.of("uncertainty", "--models", bad.toString(), "--data", data.toString());
        assertThat(r.exitCode()).isEqualTo(Errors.USAGE);
        assertThat(r.err()).contains(bad.resolve("fold-1").toString()).contains("not in " + data);

        CliRun empty = CliRun.of("uncertainty", "--models", tmp.resolve("scans").toString(), "--data",
                data.toString());
        assertThat(empty.exitCode()).isEqualTo(Errors.USAGE);
        assertThat(empty.err()).contains("no fold models");
    }

    @Test
    void nearTheStructureIsASquareNeighbourhoodOfEitherMask() {
        byte[] a = new byte[49];
        a[3 * 7 + 3] = 1;   // the centre of a 7x7 mask
        boolean[] near = UncertaintyCommand.Measured.near(Mask.wrap(7, 7, a), Mask.wrap(7, 7, new byte[49]), 1);
        int count = 0;
        for (int i = 0; i < 49; i++) {
            int y = i / 7;
            int x = i % 7;
            assertThat(near[i]).as("(%d, %d)", y, x).isEqualTo(Math.abs(y - 3) <= 1 && Math.abs(x - 3) <= 1);
            count += near[i] ? 1 : 0;
        }
        assertThat(count).isEqualTo(9);
    }
}

package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.backend.Backends;
import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.dicom.DicomReader;
import io.medseg.data.dicom.DicomTestWriter;
import io.medseg.model.UNet;
import io.medseg.testdata.TestJson;
import io.medseg.viz.MaskPng;
import io.medseg.viz.Overlays;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code segment predict} over a folder with bad files among good ones: it writes every file it can, lists each
 * failure with its reason on stderr and in the summary JSON, and exits with 2; {@code --fail-fast} stops at the
 * first bad file.
 */
class PredictBatchCliTest {
    private static final int SIZE = 16;

    @TempDir
    static Path tmp;
    static Path model;
    static Path scans;

    /** A SIZE x SIZE frame (or {@code size} square), 16-bit unsigned, a bright square in the middle. */
    private static byte[] dicom(int size) {
        return dicom(size, 0);
    }

    /** As {@link #dicom(int)}, the square moved {@code shift} pixels right and the background brighter. */
    private static byte[] dicom(int size, int shift) {
        int[] px = new int[size * size];
        for (int i = 0; i < px.length; i++) {
            int y = i / size;
            int x = i % size - shift;
            px[i] = (y > size / 4 && y < 3 * size / 4 && x > size / 4 && x < 3 * size / 4) ? 900
                    : 100 + i + 7 * shift * (i % 5);
        }
        return DicomTestWriter.explicitVr()
                .us(0x0028_0010, size).us(0x0028_0011, size)
                .us(0x0028_0100, 16).us(0x0028_0103, 0)
                .element(0x7FE0_0010, "OW", DicomTestWriter.words(px))
                .toBytes();
    }

    @BeforeAll
    static void modelAndScans() throws IOException {
        model = tmp.resolve("model");
        try (SegmentationModel m = Backends.load().create(UNet.builder().inputShape(SIZE, SIZE, 1).numClasses(2)
                .depth(1).baseFilters(4).build(), 3)) {
            m.save(model);
        }
        scans = Files.createDirectories(tmp.resolve("scans/series"));
        Files.write(scans.resolve("1.dcm"), dicom(SIZE));
        Files.write(scans.resolve("2.dcm"), dicom(SIZE));
        byte[] whole = dicom(SIZE);
        Files.write(scans.resolve("4.dcm"), Arrays.copyOf(whole, whole.length - 100));    // truncated pixel data
        Files.writeString(scans.resolve("5.dcm"), "a text file with a .dcm name\n", StandardCharsets.US_ASCII);
        Files.write(scans.resolve("6.dcm"), dicom(SIZE / 2));                             // not the model's size
        Files.write(scans.resolve("IM7"), dicom(SIZE));                                    // DICOM, no extension
        Files.write(scans.resolve("IM7.dcm"), dicom(SIZE));                               // same outputs as IM7
        Files.writeString(scans.resolve("notes.txt"), "not a DICOM file, not named like one: ignored\n");
    }

    @AfterEach
    void noStageThreadOutlivesTheCommand() {
        assertThat(PredictPipelineTest.stageThreads()).isEmpty();
    }

    private static List<Path> pngs(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".png") && Files.isRegularFile(p)).sorted().toList();
        }
    }

    @Test
    void goesOnPastBadFilesWritesTheRestAndListsEachFailureWithExitCodeTwo() throws IOException {
        Path out = tmp.resolve("predictions");
        CliRun r = CliRun.of("predict", "--model", model.toString(), "--input", scans.getParent().toString(),
                "--out", out.toString());

        assertThat(r.exitCode()).as(r.err()).isEqualTo(Errors.USAGE);
        Path series = out.resolve("series");
        assertThat(pngs(out)).containsExactly(series.resolve("1.png"), series.resolve("1_overlay.png"),
                series.resolve("2.png"), series.resolve("2_overlay.png"), series.resolve("IM7.png"),
                series.resolve("IM7_overlay.png"));
        Mask mask = MaskPng.read(series.resolve("IM7.png"));
        assertThat(mask.height()).isEqualTo(SIZE);
        assertThat(mask.width()).isEqualTo(SIZE);

        List<String> errors = r.err().lines().filter(l -> l.startsWith(Errors.PREFIX)).toList();
        assertThat(errors).hasSize(4);
        assertThat(errors.get(0)).startsWith(Errors.PREFIX + scans.resolve("4.dcm") + ": ")
                .contains("pixel data");
        assertThat(errors.get(1)).startsWith(Errors.PREFIX + scans.resolve("5.dcm") + ": ")
                .contains("'DICM'");
        assertThat(errors.get(2)).isEqualTo(Errors.PREFIX + scans.resolve("6.dcm") + ": model input shape "
                + "mismatch: the model expects 16x16x1, got 8x8x1");
        assertThat(errors.get(3)).isEqualTo(Errors.PREFIX + scans.resolve("IM7.dcm") + ": its outputs IM7.png and "
                + "IM7_overlay.png would overwrite those of " + scans.resolve("IM7") + "; rename one of them");
        assertThat(r.out()).isEqualTo("wrote 3 masks (.png) and overlays (_overlay.png) under " + out + "; 4 of 7 "
                + "files failed, listed in " + out.resolve(PredictCommand.SUMMARY) + "\n");

        Map<String, Object> summary = TestJson.object(Files.readString(out.resolve(PredictCommand.SUMMARY)));
        assertThat(summary).containsEntry("files", 7L).containsEntry("written", 3L).containsEntry("failed", 4L)
                .containsEntry("stopped_early", false).containsEntry("input", scans.getParent().toString());
        List<Object> written = TestJson.getArray(summary, "predictions");
        assertThat(written).hasSize(3);
        assertThat(TestJson.object(written.get(2))).containsEntry("file", scans.resolve("IM7").toString())
                .containsEntry("mask", series.resolve("IM7.png").toString())
                .containsEntry("overlay", series.resolve("IM7_overlay.png").toString());
        List<Object> failures = TestJson.getArray(summary, "failures");
        assertThat(failures).hasSize(4);
        for (int i = 0; i < failures.size(); i++) {
            Map<String, Object> f = TestJson.object(failures.get(i));
            // the console line is the file and the reason, as in the summary
            assertThat(errors.get(i)).isEqualTo(Errors.PREFIX + f.get("file") + ": " + f.get("reason"));
        }
        assertThat(TestJson.object(failures.get(1))).containsEntry("file", scans.resolve("5.dcm").toString());
    }

    @Test
    void failFastStopsAtTheFirstBadFileWithItsError() throws IOException {
        Path out = tmp.resolve("fail-fast");
        CliRun r = CliRun.of("predict", "--model", model.toString(), "--input", scans.toString(), "--out",
                out.toString(), "--fail-fast");

        assertThat(r.exitCode()).as(r.err()).isEqualTo(Errors.USAGE);
        assertThat(r.out()).isEmpty();
        List<String> errors = r.err().lines().filter(l -> l.startsWith(Errors.PREFIX)).toList();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith(Errors.PREFIX + scans.resolve("4.dcm") + ": ");
        assertThat(pngs(out)).isEmpty();
        Map<String, Object> summary = TestJson.object(Files.readString(out.resolve(PredictCommand.SUMMARY)));
        assertThat(summary).containsEntry("files", 7L).containsEntry("written", 0L).containsEntry("failed", 1L)
                .containsEntry("stopped_early", true);
    }

    @Test
    void aFolderOfGoodFilesExitsZeroWithAnEmptyFailureList() throws IOException {
        Path good = Files.createDirectories(tmp.resolve("good"));
        Files.write(good.resolve("a.dcm"), dicom(SIZE));
        Files.write(good.resolve("b"), dicom(SIZE));
        Path out = tmp.resolve("good-out");
        CliRun r = CliRun.of("predict", "--model", model.toString(), "--input", good.toString(), "--out",
                out.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain(Errors.PREFIX);
        // not a terminal: progress is whole lines, never redrawn with a carriage return
        assertThat(r.err()).doesNotContain("\r").contains("segmented 2/2" + System.lineSeparator());
        assertThat(pngs(out)).containsExactly(out.resolve("a.png"), out.resolve("a_overlay.png"),
                out.resolve("b.png"), out.resolve("b_overlay.png"));
        Map<String, Object> summary = TestJson.object(Files.readString(out.resolve(PredictCommand.SUMMARY)));
        assertThat(summary).containsEntry("written", 2L).containsEntry("failed", 0L);
        assertThat(TestJson.getArray(summary, "failures")).isEmpty();
    }

    @Test
    void writesTheSamePngsAndSummaryAsSegmentingTheGoodFilesInOrderOneBatchAfterAnother() throws Exception {
        // more files than the queues and a batch hold, in two folders, a bad one in the middle
        Path many = Files.createDirectories(tmp.resolve("many"));
        List<Path> good = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            Path f = Files.createDirectories(many.resolve(i < 15 ? "a" : "b")).resolve("f" + i + ".dcm");
            if (i == 12) {
                Files.writeString(f, "not DICOM\n", StandardCharsets.US_ASCII);
            } else {
                Files.write(f, dicom(SIZE, i % 6));
                good.add(f);
            }
        }
        Path out = tmp.resolve("many-out");
        CliRun r = CliRun.of("predict", "--model", model.toString(), "--input", many.toString(), "--out",
                out.toString());
        assertThat(r.exitCode()).as(r.err()).isEqualTo(Errors.USAGE);

        // what one thread does, file after file: read every good file, segment them in order, write each
        Path expected = tmp.resolve("many-expected");
        List<Image> images = new ArrayList<>();
        for (Path f : good) {
            images.add(DicomReader.read(f).toImage());
        }
        List<Mask> masks;
        try (SegmentationModel m = Backends.load().load(model)) {
            masks = new InferenceOptions().segmenter(m).predictAll(images);
        }
        List<Object> expectedWritten = new ArrayList<>();
        for (int i = 0; i < good.size(); i++) {
            Path rel = many.relativize(good.get(i));
            Path[] mine = PredictCommand.outputs(out, rel);
            Path[] theirs = PredictCommand.outputs(expected, rel);
            MaskPng.write(masks.get(i), theirs[0]);
            Overlays.writePng(Overlays.render(images.get(i), masks.get(i), null), theirs[1]);
            for (int k = 0; k < 2; k++) {
                assertThat(Files.mismatch(mine[k], theirs[k])).as(mine[k].toString()).isEqualTo(-1L);
            }
            expectedWritten.add(Map.of("file", good.get(i).toString(), "mask", mine[0].toString(), "overlay",
                    mine[1].toString()));
        }
        assertThat(pngs(out)).hasSize(2 * good.size());

        Map<String, Object> summary = TestJson.object(Files.readString(out.resolve(PredictCommand.SUMMARY)));
        assertThat(summary.keySet()).containsExactly("model", "precision", "input", "output", "files", "written",
                "failed", "stopped_early", "seconds", "images_per_second", "predictions", "failures");
        assertThat(summary).containsEntry("precision", "fp32").containsEntry("files", 30L)
                .containsEntry("written", 29L).containsEntry("failed", 1L).containsEntry("stopped_early", false);
        assertThat(TestJson.getArray(summary, "predictions")).isEqualTo(expectedWritten);
        List<Object> failures = TestJson.getArray(summary, "failures");
        assertThat(failures).hasSize(1);
        assertThat(TestJson.object(failures.get(0))).containsEntry("file", many.resolve("a/f12.dcm").toString());
        double seconds = ((Number) summary.get("seconds")).doubleValue();
        double perSecond = ((Number) summary.get("images_per_second")).doubleValue();
        assertThat(seconds).isPositive();
        assertThat(perSecond).isCloseTo(29 / seconds, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(r.err()).containsPattern("(?m)^segmented 29 images in \\d+\\.\\d s \\(\\d+\\.\\d images/s\\)$");
        assertThat(r.err()).contains("segmented 30/30" + System.lineSeparator());
    }

    @Test
    void aFileThatCannotBeWrittenIsListedUnderItsOutputAndTheOthersAreWritten() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("unwritable"));
        for (String name : List.of("a", "b", "c")) {
            Files.write(in.resolve(name + ".dcm"), dicom(SIZE));
        }
        Path out = tmp.resolve("unwritable-out");
        // folders where b's mask and c's overlay would go
        Files.createDirectories(out.resolve("b.png").resolve("kept"));
        Files.createDirectories(out.resolve("c_overlay.png"));
        CliRun r = CliRun.of("predict", "--model", model.toString(), "--input", in.toString(), "--out",
                out.toString());

        assertThat(r.exitCode()).as(r.err()).isEqualTo(Errors.FAILURE);
        List<String> errors = r.err().lines().filter(l -> l.startsWith(Errors.PREFIX)).toList();
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0)).startsWith(Errors.PREFIX + in.resolve("b.dcm") + ": " + out.resolve("b.png")
                + ": ");
        assertThat(errors.get(1)).startsWith(Errors.PREFIX + in.resolve("c.dcm") + ": "
                + out.resolve("c_overlay.png") + ": ");
        assertThat(r.err()).doesNotContain(".tmp");
        // c's mask was written before its overlay failed, and is taken away: a failed file has no outputs
        assertThat(pngs(out)).containsExactly(out.resolve("a.png"), out.resolve("a_overlay.png"));
        assertThat(out.resolve("b.png").resolve("kept")).isDirectory();
        try (Stream<Path> s = Files.walk(out)) {
            assertThat(s.filter(p -> p.getFileName().toString().startsWith("."))).as("temporary files").isEmpty();
        }
        Map<String, Object> summary = TestJson.object(Files.readString(out.resolve(PredictCommand.SUMMARY)));
        assertThat(summary).containsEntry("written", 1L).containsEntry("failed", 2L);
        assertThat(TestJson.getArray(summary, "failures")).extracting(f -> TestJson.object(f).get("file"))
                .containsExactly(in.resolve("b.dcm").toString(), in.resolve("c.dcm").toString());
    }

    @Test
    void failFastStopsAtAFileThatCannotBeWritten() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("unwritable-ff"));
        for (String name : List.of("a", "b", "c")) {
            Files.write(in.resolve(name + ".dcm"), dicom(SIZE));
        }
        Path out = tmp.resolve("unwritable-ff-out");
        Files.createDirectories(out.resolve("b_overlay.png"));
        CliRun r = CliRun.of("predict", "--model", model.toString(), "--input", in.toString(), "--out",
                out.toString(), "--fail-fast");

        assertThat(r.exitCode()).as(r.err()).isEqualTo(Errors.FAILURE);
        assertThat(r.out()).isEmpty();
        List<String> errors = r.err().lines().filter(l -> l.startsWith(Errors.PREFIX)).toList();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith(Errors.PREFIX + in.resolve("b.dcm") + ": "
                + out.resolve("b_overlay.png") + ": ");
        Map<String, Object> summary = TestJson.object(Files.readString(out.resolve(PredictCommand.SUMMARY)));
        assertThat(summary).containsEntry("stopped_early", true).containsEntry("failed", 1L);
        assertThat(out.resolve("b.png")).doesNotExist();
    }

    @Test
    void precisionIsWhatTheModelRunsAt() throws IOException {
        Path out = tmp.resolve("bf16-out");
        CliRun r = CliRun.of("predict", "--model", model.toString(), "--input", scans.resolve("1.dcm").toString(),
                "--out", out.toString(), "--precision", "bf16");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String runs;
        try (SegmentationModel m = Backends.load().load(model, Precision.BF16)) {
            runs = m.precision().label();
        }
        Map<String, Object> summary = TestJson.object(Files.readString(out.resolve(PredictCommand.SUMMARY)));
        assertThat(summary).containsEntry("precision", runs).containsEntry("written", 1L);

        CliRun bad = CliRun.of("predict", "--model", model.toString(), "--input", scans.toString(), "--out",
                tmp.resolve("fp16-out").toString(), "--precision", "fp16");
        assertThat(bad.exitCode()).isEqualTo(Errors.USAGE);
        assertThat(bad.err()).contains("precision must be fp32 or bf16: 'fp16'");
        assertThat(tmp.resolve("fp16-out")).doesNotExist();
    }
}

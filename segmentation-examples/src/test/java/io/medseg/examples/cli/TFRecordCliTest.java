package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.testdata.SunnybrookTestData;
import io.medseg.testdata.TestJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** {@code segment convert} and {@code segment inspect} on the real Sunnybrook frames, and corrupt TFRecords. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TFRecordCliTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path converted;

    @BeforeAll
    static void locateData() {
        data = SunnybrookTestData.dir();
        converted = tmp.resolve("tfrecords");
    }

    private static Map<String, Object> inspectJson(Path file, String... extra) {
        String[] args = new String[4 + extra.length];
        args[0] = "inspect";
        args[1] = "--data";
        args[2] = file.toString();
        args[3] = "--json";
        System.arraycopy(extra, 0, args, 4, extra.length);
        CliRun r = CliRun.of(args);
        assertThat(r.exitCode()).as(r.err()).isZero();
        return TestJson.object(r.out());
    }

    @Test
    @Order(1)
    void convertSplitsTheFramesByPatientIntoTwoFiles() {
        CliRun r = CliRun.of("convert", "--data", data.toString(), "--to", "tfrecord", "--out", converted.toString(),
                "--seed", "5");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("converted 56 sunnybrook frames").contains("split by patient");
        assertThat(converted.resolve(ConvertCommand.TRAIN)).isRegularFile();
        assertThat(converted.resolve(ConvertCommand.VAL)).isRegularFile();
        try (var files = Files.list(converted)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList())
                    .containsExactlyInAnyOrder(ConvertCommand.TRAIN, ConvertCommand.VAL);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @Order(2)
    void inspectOfBothFilesCountsEveryFrameOnceWithDisjointPatients() {
        Map<String, Object> train = inspectJson(converted.resolve(ConvertCommand.TRAIN));
        Map<String, Object> val = inspectJson(converted.resolve(ConvertCommand.VAL));
        assertThat(train.get("format")).isEqualTo("tfrecord");
        long trainImages = (Long) train.get("images");
        long valImages = (Long) val.get("images");
        assertThat(trainImages + valImages).isEqualTo(56);
        assertThat(valImages).isPositive();
        Set<Object> trainPatients = new HashSet<>(TestJson.array(train.get("patient_ids")));
        List<Object> valPatients = TestJson.array(val.get("patient_ids"));
        assertThat(valPatients).isNotEmpty();
        assertThat(trainPatients).isNotEmpty().doesNotContainAnyElementsOf(valPatients);
        assertThat(trainPatients.size() + valPatients.size()).isEqualTo(3);
    }

    @Test
    @Order(3)
    void inspectTextOfTheSourceFolderNamesTheFormatAndCounts() {
        CliRun r = CliRun.of("inspect", "--data", data.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("format:         sunnybrook").contains("images:         56")
                .contains("patients:       3").contains("pixel spacing:");
    }

    @Test
    @Order(4)
    void convertRefusesToOverwriteAndLeavesTheOldFiles() throws IOException {
        long before = Files.size(converted.resolve(ConvertCommand.TRAIN));
        CliRun r = CliRun.of("convert", "--data", data.toString(), "--to", "tfrecord", "--out", converted.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("already exists");
        assertThat(Files.size(converted.resolve(ConvertCommand.TRAIN))).isEqualTo(before);
    }

    @Test
    @Order(5)
    void aCorruptRecordIsOneErrorLineNamingFileRecordAndOffset() throws IOException {
        Path corrupt = corruptCopy();
        CliRun r = CliRun.of("inspect", "--data", corrupt.toString());
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.err().lines().toList()).hasSize(1);
        assertThat(r.err()).startsWith(Errors.PREFIX).contains(corrupt.getFileName().toString())
                .containsIgnoringCase("record").containsIgnoringCase("offset");
    }

    @Test
    @Order(6)
    void skipCorruptReadsTheRestAndReportsOneSkipped() throws IOException {
        Path corrupt = corruptCopy();
        long all = (Long) inspectJson(converted.resolve(ConvertCommand.TRAIN)).get("images");
        CliRun r = CliRun.of("inspect", "--data", corrupt.toString(), "--json", "--skip-corrupt");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("skipped 1 corrupt record");
        assertThat(TestJson.object(r.out()).get("images")).isEqualTo(all - 1);
    }

    /** The training file with one payload byte of its second record flipped (the record's CRC no longer matches). */
    private static Path corruptCopy() throws IOException {
        Path src = converted.resolve(ConvertCommand.TRAIN);
        Path dst = tmp.resolve("corrupt.tfrecords");
        byte[] b = Files.readAllBytes(src);
        // framing: 8-byte little-endian length, 4-byte CRC of it, payload, 4-byte CRC of the payload
        long firstLength = 0;
        for (int i = 7; i >= 0; i--) {
            firstLength = (firstLength << 8) | (b[i] & 0xff);
        }
        long second = 8 + 4 + firstLength + 4;
        int payload = (int) second + 12 + 100;
        b[payload] ^= 0x5a;
        Files.write(dst, b);
        return dst;
    }

    @Test
    @Order(7)
    void trainingFromTheTfRecordsOrFromTheSunnybrookFolderGivesTheSameModel() {
        Map<String, Object> train = inspectJson(converted.resolve(ConvertCommand.TRAIN));
        List<Object> patients = TestJson.array(train.get("patient_ids"));
        String ids = String.join(",", patients.stream().map(Object::toString).toList());
        Path fromRecords = tmp.resolve("model-tfr");
        Path fromFolder = tmp.resolve("model-sb");
        CliRun a = CliRun.of("train", "--data", converted.resolve(ConvertCommand.TRAIN).toString(), "--out",
                fromRecords.toString(), "--epochs", "2", "--seed", "4");
        CliRun b = CliRun.of("train", "--data", data.toString(), "--patients", ids, "--out", fromFolder.toString(),
                "--epochs", "2", "--seed", "4");
        assertThat(a.exitCode()).as(a.err()).isZero();
        assertThat(b.exitCode()).as(b.err()).isZero();
        // same frames in the same order, deterministic training: the final losses print identically ...
        String lossA = a.out().replaceAll("(?s).*(final loss [0-9.]+).*", "$1");
        assertThat(lossA).startsWith("final loss");
        assertThat(b.out()).contains(lossA);
        // ... and both models score the held-out TFRecords identically
        CliRun evalA = CliRun.of("evaluate", "--model", fromRecords.toString(), "--data",
                converted.resolve(ConvertCommand.VAL).toString(), "--json");
        CliRun evalB = CliRun.of("evaluate", "--model", fromFolder.toString(), "--data",
                converted.resolve(ConvertCommand.VAL).toString(), "--json");
        assertThat(evalA.exitCode()).as(evalA.err()).isZero();
        assertThat(evalA.out()).isEqualTo(evalB.out());
    }
}

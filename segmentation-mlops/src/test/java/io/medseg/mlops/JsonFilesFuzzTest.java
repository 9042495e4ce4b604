package io.medseg.mlops;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.fuzz.FuzzFiles;
import io.medseg.io.FileTrees;
import io.medseg.mlops.drift.DataProfile;
import io.medseg.mlops.registry.ValidationRecord;
import io.medseg.testdata.TinyData;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The JSON files of runs and packages, each through the reader the library uses for it. Seeds: the files medseg
 * 0.1.0 wrote (the compatibility fixtures on the test classpath) and files the current writers produce.
 */
class JsonFilesFuzzTest {
    private static final String COMPAT = "/compat/0.1.0/";

    private static byte[] compat(String path) {
        try (InputStream in = JsonFilesFuzzTest.class.getResourceAsStream(COMPAT + path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + COMPAT + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes something with a library writer into a temporary file and returns its bytes. */
    private interface Writer {
        void write(Path file) throws IOException;
    }

    private static byte[] written(Writer writer) {
        try {
            Path dir = Files.createTempDirectory("json-seed");
            try {
                Path file = dir.resolve("seed.json");
                writer.write(file);
                return Files.readAllBytes(file);
            } finally {
                FileTrees.deleteTree(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Map<String, byte[]>> seedFiles() {
        Map<String, Map<String, byte[]>> seeds = new TreeMap<>();
        seeds.put("dataManifest", Map.of("0.1.0", compat("run-A/data-manifest.json"),
                "current", written(f -> DataManifest.of(PackageFuzzTest.smallPackage(Files.createDirectories(
                        f.resolveSibling("data")))).write(f))));
        seeds.put("provenance", Map.of("0.1.0-A", compat("run-A/provenance.json"),
                "0.1.0-B", compat("run-B/provenance.json")));
        seeds.put("metrics", Map.of("0.1.0", compat("run-A/metrics.json")));
        seeds.put("checkpoint", Map.of("0.1.0", compat("run-A/checkpoints/epoch-0005/checkpoint.json")));
        List<Image> images = TinyData.rectangles(4, 16, 3).stream().map(s -> s.image()).toList();
        List<Mask> masks = TinyData.rectangles(4, 16, 3).stream().map(s -> s.mask()).toList();
        seeds.put("dataProfile", Map.of("0.1.0", compat("run-A/data-profile.json"),
                "current", written(f -> DataProfile.of(images, masks).write(f))));
        seeds.put("validationRecord", Map.of("0.1.0", compat(
                "registry/cardiac-lv/1/package/validations/validation-2026-12-01T07-54-16.230459029Z.json")));
        return seeds;
    }

    static Stream<Arguments> dataManifestSeeds() {
        return FuzzFiles.seedsWithCuts(seedFiles().get("dataManifest"));
    }

    static Stream<Arguments> provenanceSeeds() {
        return FuzzFiles.seedsWithCuts(seedFiles().get("provenance"));
    }

    static Stream<Arguments> metricsSeeds() {
        return FuzzFiles.seedsWithCuts(seedFiles().get("metrics"));
    }

    static Stream<Arguments> checkpointSeeds() {
        return FuzzFiles.seedsWithCuts(seedFiles().get("checkpoint"));
    }

    static Stream<Arguments> dataProfileSeeds() {
        return FuzzFiles.seedsWithCuts(seedFiles().get("dataProfile"));
    }

    static Stream<Arguments> validationRecordSeeds() {
        return FuzzFiles.seedsWithCuts(seedFiles().get("validationRecord"));
    }

    /** A reader of the file at a path. */
    private interface Reader {
        Object read(Path file) throws Exception;
    }

    /** Writes the bytes to {@code relative} in the scratch folder and reads them with {@code reader}. */
    private static void read(String relative, byte[] data, Reader reader) throws Exception {
        Path file = FuzzFiles.write("json/" + relative, data);
        FuzzFiles.badInputOnly(() -> reader.read(file));
    }

    @MethodSource("dataManifestSeeds")
    @FuzzTest(maxDuration = "5m")
    void dataManifest(byte[] data) throws Exception {
        read("data-manifest.json", data, DataManifest::read);
    }

    @MethodSource("provenanceSeeds")
    @FuzzTest(maxDuration = "5m")
    void provenance(byte[] data) throws Exception {
        read("run/" + TrainingRun.PROVENANCE, data, file -> TrainingProvenance.read(file.getParent()));
    }

    @MethodSource("metricsSeeds")
    @FuzzTest(maxDuration = "5m")
    void metrics(byte[] data) throws Exception {
        read("metrics.json", data, ModelMetrics::read);
    }

    @MethodSource("checkpointSeeds")
    @FuzzTest(maxDuration = "5m")
    void checkpoint(byte[] data) throws Exception {
        read("checkpoint/checkpoint.json", data, file -> RunCheckpoints.read(file.getParent()));
    }

    @MethodSource("dataProfileSeeds")
    @FuzzTest(maxDuration = "5m")
    void dataProfile(byte[] data) throws Exception {
        read("data-profile.json", data, DataProfile::read);
    }

    @MethodSource("validationRecordSeeds")
    @FuzzTest(maxDuration = "5m")
    void validationRecord(byte[] data) throws Exception {
        read("validation.json", data, ValidationRecord::read);
    }

    @Test
    void theSeedsAreReadByTheirReaders() throws Exception {
        Map<String, Map<String, byte[]>> seeds = seedFiles();
        for (byte[] b : seeds.get("dataManifest").values()) {
            assertThat(DataManifest.read(FuzzFiles.write("seeds/dm.json", b)).files()).isNotEmpty();
        }
        for (byte[] b : seeds.get("provenance").values()) {
            assertThat(TrainingProvenance.read(FuzzFiles.write("seeds/run/" + TrainingRun.PROVENANCE, b)
                    .getParent())).isNotNull();
        }
        assertThat(ModelMetrics.read(FuzzFiles.write("seeds/m.json", seeds.get("metrics").get("0.1.0"))))
                .isNotNull();
        for (byte[] b : seeds.get("dataProfile").values()) {
            assertThat(DataProfile.read(FuzzFiles.write("seeds/p.json", b)).imageCount()).isPositive();
        }
        assertThat(ValidationRecord.read(FuzzFiles.write("seeds/v.json",
                seeds.get("validationRecord").get("0.1.0")))).isNotNull();
    }
}

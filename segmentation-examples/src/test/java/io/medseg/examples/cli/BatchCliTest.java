package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.mlops.ModelPackage;
import io.medseg.mlops.PackageManifest;
import io.medseg.model.InputFit;
import io.medseg.model.UNet;
import io.medseg.testdata.SunnybrookTestData;
import io.medseg.testdata.TestJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code segment batch} on a local Spark: Parquet rows for the DICOM files (one truncated: its row has the reason),
 * the README beside them skipped and counted, the summary, one model load; {@code --strict} fails naming the file.
 */
class BatchCliTest {
    @TempDir
    Path tmp;

    @Test
    void aFolderBecomesParquetRowsWithErrorsNamedAndOtherFilesSkipped() throws Exception {
        Path pkg = tmp.resolve("pkg");
        try (SegmentationModel m = Backends.load("tensorflow").create(UNet.builder().inputShape(64, 64, 1)
                .numClasses(2).depth(1).baseFilters(2).inputFit(InputFit.CENTRE_CROP).build(), 1)) {
            m.save(pkg);
        }
        Files.writeString(pkg.resolve(ModelPackage.PROVENANCE), "{}\n", StandardCharsets.UTF_8);
        Files.writeString(pkg.resolve(ModelPackage.METRICS), "{}\n", StandardCharsets.UTF_8);
        Files.writeString(pkg.resolve(ModelPackage.MODEL_CARD), "# batch test\n", StandardCharsets.UTF_8);
        PackageManifest.write(pkg);
        Path scans = Files.createDirectories(tmp.resolve("scans/nested"));
        List<Path> dicoms;
        try (Stream<Path> s = Files.walk(SunnybrookTestData.dir().resolve("dicoms/SCD0000301"))) {
            dicoms = s.filter(p -> p.toString().endsWith(".dcm")).sorted().limit(6).toList();
        }
        for (Path d : dicoms) {
            Files.copy(d, scans.resolve(d.getFileName()));
        }
        byte[] b = Files.readAllBytes(dicoms.get(0));
        Files.write(scans.resolve("broken.dcm"), java.util.Arrays.copyOf(b, 200));
        Files.writeString(tmp.resolve("scans/README.txt"), "not a scan\n");

        Path out = tmp.resolve("out");
        CliRun r = CliRun.of("batch", "--model", pkg.toString(), "--input", tmp.resolve("scans").toString(), "--out",
                out.toString(), "--master", "local[2]", "--partition-mb", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("segmented 6 files").contains("1 errors").contains("1 skipped");
        assertThat(out.resolve("predictions.parquet")).isDirectory();
        Map<String, Object> summary = TestJson.object(Files.readString(out.resolve("summary.json")));
        assertThat(summary.get("rows")).isEqualTo(7L);
        assertThat(summary.get("errors")).isEqualTo(1L);
        assertThat(summary.get("skipped_not_dicom")).isEqualTo(1L);
        assertThat(TestJson.getObject(summary, "model_loads_per_jvm").values()).containsOnly(1L);
        List<Object> errors = TestJson.getArray(summary, "first_errors");
        assertThat(errors).hasSize(1);
        assertThat(TestJson.object(errors.get(0)).get("error").toString()).contains("broken.dcm");

        CliRun strict = CliRun.of("batch", "--model", pkg.toString(), "--input", tmp.resolve("scans").toString(),
                "--out", tmp.resolve("out-strict").toString(), "--master", "local[2]", "--strict");
        assertThat(strict.exitCode()).isEqualTo(2);
        assertThat(strict.err()).contains("segment: error: ").contains("broken.dcm");
    }
}

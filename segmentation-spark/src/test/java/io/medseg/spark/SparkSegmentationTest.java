package io.medseg.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.sunnybrook.SunnybrookDataset;
import io.medseg.inference.Segmenter;
import io.medseg.inference.TestTimeAugmentation;
import io.medseg.mlops.EvaluationReport;
import io.medseg.mlops.ModelPackage;
import io.medseg.mlops.PackageManifest;
import io.medseg.model.InputFit;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.optim.Optimizers;
import io.medseg.postprocess.PostProcessing;
import io.medseg.testdata.SunnybrookTestData;
import io.medseg.train.Trainer;
import io.medseg.viz.MaskPng;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segmentation on a {@code local[2]} Spark, TensorFlow and Spark in one JVM: masks bit-identical to the
 * {@link Segmenter}'s, metrics identical to the report {@code segment evaluate} computes, one model load however
 * many partitions, bad rows as errors naming their file, other files skipped and counted, strict mode failing the job.
 */
class SparkSegmentationTest {
    private static final PostProcessing POST = PostProcessing.largestComponentAndFillHoles();

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Path data;
    static Path pkg;
    static SegmentationDataset frames;

    @BeforeAll
    static void trainAPackageAndStartSpark() throws Exception {
        data = SunnybrookTestData.dir();
        frames = SunnybrookDataset.load(data);
        pkg = tmp.resolve("pkg");
        UNetSpec spec = UNet.builder().inputShape(128, 128, 1).numClasses(2).depth(2).baseFilters(8)
                .inputFit(InputFit.CENTRE_CROP).build();
        try (SegmentationModel m = Backends.load("tensorflow").create(spec, 3)) {
            Trainer.builder().epochs(4).batchSize(8).optimizer(Optimizers.adam(3e-3)).seed(1).build()
                    .fit(m, frames.samples(), List.of());
            m.save(pkg);
        }
        Files.writeString(pkg.resolve(ModelPackage.PROVENANCE), "{\"seed\": 3}\n", StandardCharsets.UTF_8);
        Files.writeString(pkg.resolve(ModelPackage.METRICS), "{\"dice_mean\": 0.5}\n", StandardCharsets.UTF_8);
        Files.writeString(pkg.resolve(ModelPackage.MODEL_CARD), "# spark test model\n", StandardCharsets.UTF_8);
        PackageManifest.write(pkg);
        spark = SparkSession.builder().master("local[2]").appName("medseg-test").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "8").getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static SparkSegmentation.Options options() {
        return SparkSegmentation.Options.of(pkg.toString()).withInference(POST, TestTimeAugmentation.NONE);
    }

    @Test
    void masksAreTheSegmentersAndMetricsTheEvaluateReportsToEveryDigitWithOneModelLoad() throws Exception {
        Dataset<Row> rows = SparkEvaluation.sunnybrookRows(spark, data, 8);
        assertThat(rows.rdd().getNumPartitions()).isEqualTo(8);
        SparkSegmentation.Result result = SparkSegmentation.segment(rows,
                options().withEvaluation("expert_mask", "id", "patient"));
        Dataset<Row> out = result.rows().cache();
        List<Row> collected = out.select("id", SparkSegmentation.MASK_PNG, SparkSegmentation.ERROR,
                SparkSegmentation.LV_AREA_MM2, SparkSegmentation.MANIFEST_SHA256).collectAsList();
        assertThat(collected).hasSize(56);

        List<Mask> expected;
        try (SegmentationModel m = ModelPackage.load(Backends.load("tensorflow"), pkg)) {
            Segmenter segmenter = new Segmenter(m, POST, TestTimeAugmentation.NONE);
            expected = segmenter.predictAll(frames.samples().stream().map(Sample::image).toList());
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < frames.size(); i++) {
            index.put(frames.get(i).id(), i);
        }
        String manifest = PackageManifest.sha256(pkg);
        long foreground = 0;
        for (Row r : collected) {
            int i = index.get(r.getString(0));
            assertThat(r.isNullAt(2)).as(r.getString(0)).isTrue();
            assertThat((byte[]) r.get(1)).as(r.getString(0)).isEqualTo(MaskPng.encode(expected.get(i)));
            Image image = frames.get(i).image();
            long lv = expected.get(i).count(1);
            foreground += lv;
            assertThat(r.getDouble(3)).isEqualTo(lv * image.spacing().orElseThrow().pixelAreaMm2());
            assertThat(r.getString(4)).isEqualTo(manifest);
        }
        assertThat(foreground).as("a trained model: some LV predicted").isPositive();

        EvaluationReport local = EvaluationReport.compute(frames.samples(), expected, 2);
        EvaluationReport distributed = SparkEvaluation.report(out, "id", "patient", "index");
        assertThat(distributed.toJson()).isEqualTo(local.toJson());
        Row all = SparkEvaluation.summary(spark, distributed).filter("scope = 'all'").first();
        assertThat(all.getDouble(2)).isEqualTo(local.diceMean());

        // a second job over the same package: still the one model of this JVM
        SparkSegmentation.segment(rows, options()).rows().count();
        assertThat(ModelCache.loads()).isEqualTo(1);
        out.unpersist();
    }

    @Test
    void aFolderWithOnePercentCorruptFilesGivesExactlyThoseErrorsAndSkipsWhatIsNotDicom() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("scans"));
        List<Path> dicoms = new ArrayList<>();
        try (var s = Files.walk(data.resolve("dicoms"))) {
            s.filter(p -> p.toString().endsWith(".dcm")).sorted().forEach(dicoms::add);
        }
        for (int i = 0; i < 99; i++) {
            Files.copy(dicoms.get(i % dicoms.size()), dir.resolve(String.format("frame-%03d.dcm", i)));
        }
        byte[] good = Files.readAllBytes(dicoms.get(0));
        Path truncated = dir.resolve("frame-099.dcm");
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length / 3));
        Files.writeString(dir.resolve("README.md"), "scans of the cohort\n");
        Dataset<Row> files = spark.read().format("binaryFile").load(dir.toString()).repartition(8);
        SparkSegmentation.Result result = SparkSegmentation.segment(files, options());
        List<Row> rows = result.rows().select("path", SparkSegmentation.ERROR, SparkSegmentation.MASK_PNG)
                .collectAsList();
        assertThat(rows).hasSize(100);
        List<Row> errors = rows.stream().filter(r -> !r.isNullAt(1)).toList();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).getString(0)).endsWith("frame-099.dcm");
        assertThat(errors.get(0).getString(1)).contains("frame-099.dcm").doesNotContain("\n");
        assertThat(errors.get(0).isNullAt(2)).isTrue();
        assertThat(result.skipped().value()).isEqualTo(1L);

        SparkSegmentation.Result strict = SparkSegmentation.segment(files, options().withStrict(true));
        assertThatThrownBy(() -> strict.rows().count()).hasMessageContaining("frame-099.dcm");
    }

    @Test
    void theTransformerIsTheSameSegmentationAsAnMlStage() {
        Dataset<Row> files = spark.read().format("binaryFile").load(data.resolve("dicoms/SCD0000301").toString());
        SegmentationTransformer t = new SegmentationTransformer().setPackagePath(pkg.toString()).setPostProcess("lcc")
                .setBatchSize(4);
        assertThat(t.transformSchema(files.schema()).fieldNames()).contains(SparkSegmentation.MASK_PNG,
                SparkSegmentation.LV_AREA_MM2, SparkSegmentation.ERROR);
        List<Row> viaTransformer = t.transform(files).orderBy("path").select("path", SparkSegmentation.MASK_PNG)
                .collectAsList();
        List<Row> direct = SparkSegmentation.segment(files, options()).rows().orderBy("path")
                .select("path", SparkSegmentation.MASK_PNG).collectAsList();
        assertThat(viaTransformer).hasSize(direct.size()).isNotEmpty();
        for (int i = 0; i < direct.size(); i++) {
            assertThat((byte[]) viaTransformer.get(i).get(1)).isEqualTo((byte[]) direct.get(i).get(1));
        }
        assertThatThrownBy(() -> new SegmentationTransformer().transform(files))
                .hasMessageContaining("packagePath");
    }

    @Test
    void rowsOfPathsAloneAreReadThroughTheFileSystemAndGiveTheSameMasks() {
        Dataset<Row> files = spark.read().format("binaryFile").load(data.resolve("dicoms/SCD0000201").toString());
        List<Row> fromBytes = SparkSegmentation.segment(files, options()).rows().orderBy("path")
                .select("path", SparkSegmentation.MASK_PNG).collectAsList();
        List<Row> fromPaths = SparkSegmentation.segment(files.select("path"), options().withoutContentColumn())
                .rows().orderBy("path").select("path", SparkSegmentation.MASK_PNG).collectAsList();
        assertThat(fromPaths).hasSize(fromBytes.size()).isNotEmpty();
        for (int i = 0; i < fromBytes.size(); i++) {
            assertThat(fromPaths.get(i).getString(0)).isEqualTo(fromBytes.get(i).getString(0));
            assertThat((byte[]) fromPaths.get(i).get(1)).isEqualTo((byte[]) fromBytes.get(i).get(1));
        }
    }
}

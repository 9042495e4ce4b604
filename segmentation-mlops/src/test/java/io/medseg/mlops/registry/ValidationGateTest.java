package io.medseg.mlops.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.DataFormat;
import io.medseg.data.DataSources;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.folder.ImageMaskFolder;
import io.medseg.data.phantom.CardiacPhantom;
import io.medseg.inference.Segmenter;
import io.medseg.io.Json;
import io.medseg.mlops.DataManifest;
import io.medseg.mlops.Environment;
import io.medseg.mlops.ModelPackage;
import io.medseg.mlops.PackageManifest;
import io.medseg.mlops.TestPackages;
import io.medseg.mlops.TrainingOverlap;
import io.medseg.mlops.TrainingRun;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.testdata.FakeSegmentationModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The gate on data the package was trained on: refused unless allowed, and the record says which it was and how
 * many images were training data.
 */
class ValidationGateTest {
    private static final UNetSpec SPEC = UNet.builder().inputShape(32, 32, 1).numClasses(2).depth(2).baseFilters(4)
            .build();
    /** Any Dice and latency pass: only the overlap decides. */
    private static final ValidationGate GATE = new ValidationGate(OptionalDouble.of(0), OptionalDouble.empty(),
            OptionalDouble.empty(), 1, 0, 1);

    @TempDir
    Path tmp;
    Path data;
    Path pkgDir;
    final List<String> notices = new ArrayList<>();

    @BeforeEach
    void packageTrainedOnTwoOfThreePatients() throws IOException {
        data = tmp.resolve("data");
        ImageMaskFolder.write(CardiacPhantom.builder().imageSize(32).patients(3).framesPerPatient(2).seed(3).build()
                .generate().samples(), data);
        pkgDir = TestPackages.create(tmp.resolve("pkg"), "lv", "a");
        Files.write(pkgDir.resolve("saved_model.pb"), new byte[] {1, 2, 3});
        DataManifest.of(data).write(pkgDir.resolve(TrainingRun.DATA_MANIFEST));
        Files.writeString(pkgDir.resolve(TrainingRun.PROVENANCE), "{\"format\": \"medseg-run\", \"config\": "
                + "{\"train_patients\": [\"phantom-01\", \"phantom-02\"], \"val_patients\": [\"phantom-03\"]}}\n",
                StandardCharsets.UTF_8);
        PackageManifest.write(pkgDir);
    }

    private ValidationGate.Result validate(ValidationGate gate, List<String> patients) throws IOException {
        SegmentationDataset ds = DataSources.load(data, null, false, patients);
        ModelPackage pkg = ModelPackage.open(pkgDir);
        Optional<TrainingOverlap> overlap = TrainingOverlap.check(pkg.dir(), data, DataFormat.IMAGE_MASK_FOLDER,
                ds.samples());
        return gate.validate(pkg, new Segmenter(new FakeSegmentationModel(SPEC)), ds, DataManifest.of(data), overlap,
                "default", Environment.current("fake", "fake backend"), notices::add);
    }

    private static JsonNode record(ValidationGate.Result r) throws IOException {
        return Json.tree(Files.readString(r.recordFile()));
    }

    @Test
    void trainingDataFailsTheGateAndTheRecordSaysHowMuch() throws IOException {
        ValidationGate.Result r = validate(GATE, List.of("phantom-02", "phantom-03"));
        assertThat(r.passed()).isFalse();
        ValidationGate.Verdict overlap = r.verdicts().get(r.verdicts().size() - 1);
        assertThat(overlap.name()).isEqualTo(ValidationGate.OVERLAP_REQUIREMENT);
        assertThat(overlap.measured()).isEqualTo(2);
        assertThat(overlap.passed()).isFalse();
        assertThat(r.verdicts().get(0).passed()).as("dice").isTrue();

        JsonNode json = record(r);
        assertThat(Json.writeCompact(json.get("overlap_with_training")))
                .isEqualTo("{\"images\":2,\"patients\":[\"phantom-02\"]}");
        assertThat(json.get("allowed_training_data").booleanValue()).isFalse();
        List<String> keys = new ArrayList<>(json.propertyNames());
        assertThat(keys.subList(keys.indexOf("data"), keys.indexOf("data") + 3))
                .containsExactly("data", "overlap_with_training", "allowed_training_data");

        ValidationRecord read = ValidationRecord.read(r.recordFile());
        assertThat(read.passed()).isFalse();
        assertThat(read.failedRequirements()).containsExactly(ValidationGate.OVERLAP_REQUIREMENT);
        assertThat(read.overlapWithTraining()).contains(new TrainingOverlap.Summary(2, List.of("phantom-02")));
        assertThat(read.allowedTrainingData()).isFalse();
    }

    @Test
    void allowedTrainingDataPassesAndTheRecordSaysSo() throws IOException {
        ValidationGate.Result r = validate(GATE.allowingTrainingData(), List.of("phantom-01"));
        assertThat(r.passed()).isTrue();
        assertThat(r.verdicts()).extracting(ValidationGate.Verdict::name).containsExactly("dice_mean");
        assertThat(r.overlap().orElseThrow().images()).isEqualTo(2);
        ValidationRecord read = ValidationRecord.read(r.recordFile());
        assertThat(read.passed()).isTrue();
        assertThat(read.allowedTrainingData()).isTrue();
        assertThat(read.overlapWithTraining()).contains(new TrainingOverlap.Summary(2, List.of("phantom-01")));
    }

    @Test
    void heldOutDataPassesWithTheOverlapRequirementMet() throws IOException {
        ValidationGate.Result r = validate(GATE, List.of("phantom-03"));
        assertThat(r.passed()).isTrue();
        assertThat(r.verdicts()).extracting(ValidationGate.Verdict::name)
                .containsExactly("dice_mean", ValidationGate.OVERLAP_REQUIREMENT);
        assertThat(Json.writeCompact(record(r).get("overlap_with_training")))
                .isEqualTo("{\"images\":0,\"patients\":[]}");
    }

    @Test
    void aPackageWithoutADataManifestIsNotCheckedAndTheRecordHoldsNull() throws IOException {
        Files.delete(pkgDir.resolve(TrainingRun.DATA_MANIFEST));
        PackageManifest.write(pkgDir);
        ValidationGate.Result r = validate(GATE, null);
        assertThat(r.passed()).isTrue();
        assertThat(r.overlap()).isEmpty();
        assertThat(record(r).get("overlap_with_training").isNull()).isTrue();
        assertThat(ValidationRecord.read(r.recordFile()).overlapWithTraining()).isEmpty();
    }

    @Test
    void theShortFormChecksTheOverlapOnTheManifestsFolder() throws IOException {
        SegmentationDataset ds = DataSources.load(data);
        ValidationGate.Result r = GATE.validate(ModelPackage.open(pkgDir), new Segmenter(
                new FakeSegmentationModel(SPEC)), ds, DataManifest.of(data), "default",
                Environment.current("fake", "fake backend"), notices::add);
        assertThat(r.passed()).isFalse();
        assertThat(r.overlap().orElseThrow().patients()).containsExactly("phantom-01", "phantom-02");
    }

    @Test
    void aVersionRefusedForTrainingDataCannotGoToProduction() throws IOException {
        validate(GATE, null);
        ModelRegistry registry = ModelRegistry.open(tmp.resolve("registry"));
        ModelVersion v = registry.register(pkgDir);
        assertThatThrownBy(() -> registry.promote(v.name(), v.version(), Stage.PRODUCTION))
                .isInstanceOf(PromotionRefusedException.class)
                .hasMessageContaining("failed on " + ValidationGate.OVERLAP_REQUIREMENT);
    }

    @Test
    void aMalformedOverlapMakesTheRecordUnreadableNamingTheKey() throws IOException {
        Path file = validate(GATE, null).recordFile();
        String text = Files.readString(file);
        Files.writeString(file, text.replaceFirst("\"images\": 4", "\"images\": \"four\""));
        assertThatThrownBy(() -> ValidationRecord.read(file)).isInstanceOf(io.medseg.data.DataFormatException.class)
                .hasMessageContaining("overlap_with_training");
    }
}

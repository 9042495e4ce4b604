package io.medseg.mlops;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.io.FileTrees;
import io.medseg.io.Json;
import io.medseg.mlops.drift.DataProfile;
import io.medseg.mlops.drift.DriftDetector;
import io.medseg.mlops.drift.DriftReport;
import io.medseg.mlops.registry.HistoryEvent;
import io.medseg.mlops.registry.ModelRegistry;
import io.medseg.mlops.registry.ModelVersion;
import io.medseg.mlops.registry.PackageValidations;
import io.medseg.mlops.registry.Stage;
import io.medseg.mlops.registry.ValidationRecord;
import io.medseg.model.UNetSpec;
import io.medseg.testdata.TestJson;
import io.medseg.train.EpochResult;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Files written by medseg 0.1.0 (the fixtures in {@code compat/0.1.0}, see its README) are read by this version,
 * and what this version writes from them is byte for byte what 0.1.0 wrote: the schema of every file is unchanged.
 */
class CompatibilityTest {
    @TempDir
    Path tmp;

    private static Path fixture(String relative) {
        try {
            return Path.of(CompatibilityTest.class.getResource("/compat/0.1.0/" + relative).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static String text(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    @Test
    void provenanceOfOldRunsReadsAndWritesBackByteForByte() throws IOException {
        for (String run : List.of("run-A", "run-B")) {
            Path dir = fixture(run);
            TrainingProvenance p = TrainingProvenance.read(dir);
            assertThat(p.run().status()).isEqualTo(TrainingProvenance.RunStatus.COMPLETED);
            assertThat(p.config().recipeAsText()).as("0.1.0 recorded the recipe as text").isTrue();
            assertThat(Json.write(p)).as(run).isEqualTo(text(dir.resolve("provenance.json")));
        }
        TrainingProvenance b = TrainingProvenance.read(fixture("run-B"));
        assertThat(b.config().valPatients()).containsExactly("SCD0000301");
        assertThat(b.result().orElseThrow().bestValidationDice()).isPresent();
        assertThat(b.config().lossText()).startsWith("WeightedSum[terms=[Term[weight=1.0, loss=CrossEntropy");
    }

    @Test
    void everyOtherRunFileRoundTripsByteForByte() throws IOException {
        for (String run : List.of("run-A", "run-B")) {
            Path dir = fixture(run);
            assertThat(Json.write(ModelMetrics.read(dir.resolve("metrics.json"))))
                    .isEqualTo(text(dir.resolve("metrics.json")));
            assertThat(Json.write(Json.read(dir.resolve("training-log.json"), TrainingRuns.TrainingLog.class)))
                    .isEqualTo(text(dir.resolve("training-log.json")));
            Path checkpoint = dir.resolve("checkpoints/epoch-0005/checkpoint.json");
            assertThat(Json.write(Json.read(checkpoint, RunCheckpoints.CheckpointJson.class)))
                    .isEqualTo(text(checkpoint));
            StringBuilder lines = new StringBuilder();
            for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
                lines.append(Json.writeCompact(Json.parse(line, EpochResult.class))).append('\n');
            }
            assertThat(lines.toString()).isEqualTo(text(dir.resolve("metrics.jsonl")));
            // 56 frames (A) or 36 (B) in batches of 8, five epochs
            assertThat(TrainingRun.readLosses(dir)).hasSize(run.equals("run-A") ? 35 : 25);
        }
        Path a = fixture("run-A");
        assertThat(Json.write(DataManifest.read(a.resolve("data-manifest.json"))))
                .isEqualTo(text(a.resolve("data-manifest.json")));
        assertThat(DataProfile.read(a.resolve("data-profile.json")).toJson())
                .isEqualTo(text(a.resolve("data-profile.json")));
        assertThat(Json.write(Json.read(a.resolve("reproduction.json"), Reproduction.class)))
                .isEqualTo(text(a.resolve("reproduction.json")));
    }

    @Test
    void theModelCardAndModelDescriptionOfAPackageAreWrittenAsBefore() throws IOException {
        Path run = fixture("run-B");
        Path pkg = fixture("package-B");
        TrainingProvenance provenance = TrainingProvenance.read(run);
        ObjectNode runModel = ModelPackage.readObject(run.resolve("model.json"));
        ObjectNode described = ModelPackage.describe(run.resolve("model.json"), runModel, "cardiac-lv", provenance);
        ObjectNode old = ModelPackage.readObject(pkg.resolve("model.json"));
        // the export time is the only thing that differs
        described.set("exported", old.get("exported"));
        assertThat(Json.write(described)).isEqualTo(text(pkg.resolve("model.json")));
        UNetSpec spec = ModelPackage.spec(run.resolve("model.json"), runModel);
        assertThat(ModelCard.render(described, spec, provenance, ModelMetrics.read(run.resolve("metrics.json"))))
                .isEqualTo(text(pkg.resolve("MODEL_CARD.md")));
    }

    /** The 0.1.0 registry, with each package's metrics.json put back from the run it was exported from. */
    private Path oldRegistry() throws IOException {
        Path reg = tmp.resolve("registry");
        FileTrees.copyTree(fixture("registry"), reg);
        Files.delete(reg.resolve("models.json"));
        Files.delete(reg.resolve("models-history.txt"));
        for (Map.Entry<Integer, String> e : Map.of(1, "run-B", 2, "run-A").entrySet()) {
            Path pkg = reg.resolve("cardiac-lv/" + e.getKey() + "/package");
            Path metrics = fixture(e.getValue()).resolve("metrics.json");
            assertThat(PackageManifest.read(pkg).entries()).containsEntry("metrics.json", Hashing.sha256(metrics));
            Files.copy(metrics, pkg.resolve("metrics.json"));
        }
        return reg;
    }

    @Test
    void anOldRegistryListsTheSameVersionsStagesAndVerdicts() throws IOException {
        ModelRegistry registry = ModelRegistry.open(oldRegistry());
        List<Object> before = TestJson.array(TestJson.parse(text(fixture("registry/models.json"))));
        List<ModelVersion> now = registry.list();
        assertThat(now).hasSize(before.size());
        for (int i = 0; i < now.size(); i++) {
            Map<String, Object> was = TestJson.object(before.get(i));
            ModelVersion v = now.get(i);
            assertThat(v.name()).isEqualTo(was.get("name"));
            assertThat((long) v.version()).isEqualTo(was.get("version"));
            assertThat(v.stage().id()).isEqualTo(was.get("stage"));
            assertThat(v.registered().toString()).isEqualTo(was.get("registered"));
            assertThat(v.meanDice().getAsDouble()).isEqualTo(was.get("dice_mean"));
            assertThat(v.metricsSplit()).contains((String) was.get("dice_split"));
            assertThat(v.validationVerdict()).isEqualTo(was.get("validation"));
            assertThat(v.manifestSha256()).isEqualTo(was.get("manifest_sha256"));
        }
        List<String> history = new ArrayList<>();
        for (HistoryEvent e : registry.history("cardiac-lv")) {
            history.add(e.time() + "  " + e.name() + " " + e.version() + ": "
                    + (e.from() == null ? "registered" : e.from().id()) + " -> " + e.to().id() + "  by " + e.user());
        }
        assertThat(String.join("\n", history) + "\n").isEqualTo(text(fixture("registry/models-history.txt")));
        Path historyFile = fixture("registry/cardiac-lv/history.jsonl");
        StringBuilder lines = new StringBuilder();
        for (String line : Files.readAllLines(historyFile)) {
            lines.append(Json.writeCompact(Json.parse(line, HistoryEvent.class))).append('\n');
        }
        assertThat(lines.toString()).isEqualTo(text(historyFile));
    }

    @Test
    void aStageChangeRewritesAnOldEntryInTheSameSchema() throws IOException {
        Path reg = oldRegistry();
        Path entry = reg.resolve("cardiac-lv/1/version.json");
        List<String> before = Files.readAllLines(entry);
        ModelRegistry.open(reg).promote("cardiac-lv", 1, Stage.ARCHIVED);
        List<String> after = Files.readAllLines(entry);
        assertThat(after).hasSameSizeAs(before);
        List<String> changed = new ArrayList<>();
        for (int i = 0; i < before.size(); i++) {
            if (!before.get(i).equals(after.get(i))) {
                changed.add(after.get(i).strip().replaceFirst(":.*", ""));
            }
        }
        assertThat(changed).containsExactly("\"stage\"", "\"stageChanged\"");
        assertThat(after.get(5)).isEqualTo("  \"stage\": \"archived\",");
    }

    @Test
    void oldValidationRecordsKeepTheirVerdicts() throws IOException {
        PackageValidations v1 = PackageValidations.read(fixture("registry/cardiac-lv/1/package"));
        assertThat(v1.unreadable()).isEmpty();
        assertThat(v1.records()).extracting(ValidationRecord::passed).containsExactly(true, false);
        assertThat(v1.records().get(1).failedRequirements()).containsExactly("dice_mean");
        assertThat(v1.records().get(0).requirements().get(0).comparison()).contains(">=");
        // written before the gate checked for training data: no overlap stated, training data not allowed
        assertThat(v1.records()).allSatisfy(r -> {
            assertThat(r.overlapWithTraining()).isEmpty();
            assertThat(r.allowedTrainingData()).isFalse();
        });
        PackageValidations v2 = PackageValidations.read(fixture("registry/cardiac-lv/2/package"));
        assertThat(v2.records()).extracting(ValidationRecord::passed).containsExactly(true);
    }

    @Test
    void aDriftReportHasTheKeysOfAnOldOne() throws IOException {
        JsonNode old = Json.tree(text(fixture("drift-report.json")));
        DataProfile profile = DataProfile.read(fixture("run-A/data-profile.json"));
        // the same profile against itself: every feature is compared
        DriftReport report = DriftDetector.defaults().compare(profile, profile);
        JsonNode now = Json.tree(report.toJson());
        assertThat(new TreeSet<>(now.propertyNames())).isEqualTo(new TreeSet<>(old.propertyNames()));
        assertThat(now.propertyNames()).containsExactlyElementsOf(old.propertyNames());
        assertThat(now.get("features").get(0).propertyNames())
                .containsExactlyElementsOf(old.get("features").get(0).propertyNames());
        assertThat(now.get("thresholds").propertyNames()).containsExactlyElementsOf(old.get("thresholds")
                .propertyNames());
    }
}

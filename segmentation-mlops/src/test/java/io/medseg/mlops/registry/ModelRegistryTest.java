package io.medseg.mlops.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.DataFormatException;
import io.medseg.mlops.PackageIntegrityException;
import io.medseg.mlops.PackageManifest;
import io.medseg.mlops.TestPackages;
import io.medseg.testdata.TestJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    @TempDir
    Path tmp;
    ModelRegistry registry;

    @BeforeEach
    void openRegistry() throws IOException {
        registry = ModelRegistry.open(tmp.resolve("registry"));
    }

    private Path pkg(String name, String variant) throws IOException {
        return TestPackages.create(tmp.resolve("packages").resolve(name + "-" + variant), name, variant);
    }

    @Test
    void registersNumberedVersionsInStaging() throws IOException {
        Path a = pkg("cardiac-lv", "a");
        Path b = pkg("cardiac-lv", "b");
        Path c = pkg("cardiac-lv", "c");
        Path record = TestPackages.writeValidation(a, PackageManifest.sha256(a), true, T0);
        Files.writeString(record.resolveSibling(".validation-being-written.json.tmp"), "{\"format\"");

        ModelVersion v1 = registry.register(a);
        ModelVersion v2 = registry.register(b);
        ModelVersion v3 = registry.register(c);

        assertThat(List.of(v1.version(), v2.version(), v3.version())).containsExactly(1, 2, 3);
        assertThat(registry.list("cardiac-lv")).extracting(ModelVersion::version).containsExactly(1, 2, 3);
        assertThat(registry.names()).containsExactly("cardiac-lv");

        ModelVersion listed = registry.list("cardiac-lv").get(0);
        assertThat(listed.name()).isEqualTo("cardiac-lv");
        assertThat(listed.stage()).isEqualTo(Stage.STAGING);
        assertThat(listed.source()).isEqualTo(a.toRealPath().toString());
        assertThat(listed.manifestSha256()).isEqualTo(PackageManifest.sha256(a));
        assertThat(listed.registeredBy()).isEqualTo(System.getProperty("user.name"));
        assertThat(listed.registered()).isNotNull().isEqualTo(listed.stageChanged());
        assertThat(listed.metrics().get("dice_mean").doubleValue()).isEqualTo(0.912);
        assertThat(listed.metrics().has("per_class")).isTrue();
        assertThat(listed.meanDice()).hasValue(0.912);
        assertThat(listed.validationVerdict()).isEqualTo("passed");
        assertThat(registry.list("cardiac-lv").get(1).validationVerdict()).isEqualTo("none");
        assertThat(listed.toString()).isEqualTo("cardiac-lv 1 [staging]");

        // the registered copy is the package, validations included, and verifies on its own
        Path copy = registry.get("cardiac-lv", 1);
        assertThat(copy).isEqualTo(registry.root().resolve("cardiac-lv/1/package")).isEqualTo(listed.path());
        assertThat(PackageManifest.verify(copy).sha256()).isEqualTo(listed.manifestSha256());
        try (var records = Files.list(copy.resolve("validations"))) {
            assertThat(records.map(f -> f.getFileName().toString())).containsExactly(record.getFileName().toString());
        }
        assertThat(Files.readAllBytes(copy.resolve("saved_model/variables/variables.data-00000-of-00001")))
                .isEqualTo(Files.readAllBytes(a.resolve("saved_model/variables/variables.data-00000-of-00001")));
        assertThat(copy.resolve("saved_model/assets")).isDirectory();

        Map<String, Object> entry = TestJson.object(Files.readString(
                registry.root().resolve("cardiac-lv/2/version.json")));
        assertThat(entry).containsEntry("format", "medseg-registry-version").containsEntry("version", 2L)
                .containsEntry("stage", "staging").containsEntry("manifest_sha256", v2.manifestSha256());

        assertThat(registry.history("cardiac-lv")).extracting(HistoryEvent::version, HistoryEvent::from,
                HistoryEvent::to).containsExactly(tuple(1, null, Stage.STAGING), tuple(2, null, Stage.STAGING),
                tuple(3, null, Stage.STAGING));
        assertThat(tmp.resolve("packages/cardiac-lv-a/MANIFEST")).exists();
    }

    @Test
    void listsAllNamesInOrder() throws IOException {
        registry.register(pkg("cardiac-rv", "a"));
        registry.register(pkg("cardiac-lv", "a"));
        registry.register(pkg("cardiac-lv", "b"));

        assertThat(registry.list()).extracting(ModelVersion::toString)
                .containsExactly("cardiac-lv 1 [staging]", "cardiac-lv 2 [staging]", "cardiac-rv 1 [staging]");
        assertThat(registry.list("unknown")).isEmpty();
        assertThat(registry.history("unknown")).isEmpty();
    }

    @Test
    void refusesTamperedPackagesNamingTheFile() throws IOException {
        Path a = pkg("cardiac-lv", "a");
        Path weights = a.resolve("saved_model/variables/variables.index").toRealPath();
        byte[] bytes = Files.readAllBytes(weights);
        bytes[10] ^= 0x40;
        Files.write(weights, bytes);

        assertThatThrownBy(() -> registry.register(a)).isInstanceOf(PackageIntegrityException.class)
                .hasMessageStartingWith(weights + ": modified");

        Path b = pkg("cardiac-lv", "b");
        Files.delete(b.resolve("data-profile.json"));
        assertThatThrownBy(() -> registry.register(b)).isInstanceOf(PackageIntegrityException.class)
                .hasMessageStartingWith(b.toRealPath().resolve("data-profile.json") + ": listed in MANIFEST but "
                        + "missing");

        Path c = pkg("cardiac-lv", "c");
        Files.writeString(c.resolve("extra.txt"), "not exported");
        assertThatThrownBy(() -> registry.register(c)).isInstanceOf(PackageIntegrityException.class)
                .hasMessageContaining("extra.txt: not listed in MANIFEST");

        Path unsealed = pkg("cardiac-lv", "d");
        Files.delete(unsealed.resolve("MANIFEST"));
        assertThatThrownBy(() -> registry.register(unsealed)).isInstanceOf(PackageIntegrityException.class)
                .hasMessageContaining("MANIFEST: missing");

        assertThat(registry.list()).isEmpty();
        assertThat(registry.names()).isEmpty();
    }

    @Test
    void refusesPackagesWithoutAValidName() throws IOException {
        Path bad = pkg("Cardiac LV", "a");
        assertThatThrownBy(() -> registry.register(bad)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("model.json: model name \"Cardiac LV\" is not valid");

        Path unnamed = pkg("cardiac-lv", "b");
        Files.writeString(unnamed.resolve("model.json"), "{\"format\": \"medseg-model\"}");
        PackageManifest.write(unnamed);
        assertThatThrownBy(() -> registry.register(unnamed)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("model.json: has no \"name\"");

        Path noModel = pkg("cardiac-lv", "c");
        Files.delete(noModel.resolve("model.json"));
        PackageManifest.write(noModel);
        assertThatThrownBy(() -> registry.register(noModel)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("model.json: missing");

        Path badMetrics = pkg("cardiac-lv", "d");
        Files.writeString(badMetrics.resolve("metrics.json"), "[0.9]");
        PackageManifest.write(badMetrics);
        assertThatThrownBy(() -> registry.register(badMetrics)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("metrics.json: not a json object");
        assertThat(registry.list()).isEmpty();
    }

    @Test
    void refusesContentThatIsAlreadyRegistered() throws IOException {
        Path a = pkg("cardiac-lv", "a");
        registry.register(a);
        registry.register(pkg("cardiac-lv", "b"));
        Path sameBytes = TestPackages.create(tmp.resolve("copy-of-a"), "cardiac-lv", "a");

        assertThatThrownBy(() -> registry.register(sameBytes)).isInstanceOf(RegistryException.class)
                .hasMessageContaining("is already registered as cardiac-lv 1 (same MANIFEST sha256 "
                        + PackageManifest.sha256(a) + ")");
        assertThatThrownBy(() -> registry.register(a)).isInstanceOf(RegistryException.class);
        assertThat(registry.list("cardiac-lv")).hasSize(2);
        try (var incoming = Files.list(registry.root().resolve("cardiac-lv/.incoming"))) {
            assertThat(incoming).isEmpty();
        }
    }

    @Test
    void promotionNeedsAPassingRecordForThePackagesManifest() throws IOException {
        Path a = pkg("cardiac-lv", "a");
        registry.register(a);

        assertThatThrownBy(() -> registry.promote("cardiac-lv", 1, Stage.PRODUCTION))
                .isInstanceOf(PromotionRefusedException.class)
                .hasMessage("cardiac-lv 1 has no passing validation record: run segment validate first");
        assertThat(registry.version("cardiac-lv", 1).stage()).isEqualTo(Stage.STAGING);
        assertThat(registry.history("cardiac-lv")).hasSize(1);

        // the gate writes its record into the registered copy; promote reads it at call time
        Path copy = registry.get("cardiac-lv", 1);
        TestPackages.writeValidation(copy, PackageManifest.sha256(copy), true, T0);
        ModelVersion promoted = registry.promote("cardiac-lv", 1, Stage.PRODUCTION);

        assertThat(promoted.stage()).isEqualTo(Stage.PRODUCTION);
        assertThat(promoted.stageChanged()).isAfterOrEqualTo(promoted.registered());
        assertThat(registry.production("cardiac-lv")).contains(registry.version("cardiac-lv", 1));
        HistoryEvent last = registry.history("cardiac-lv").get(1);
        assertThat(last.from()).isEqualTo(Stage.STAGING);
        assertThat(last.to()).isEqualTo(Stage.PRODUCTION);
        assertThat(last.user()).isEqualTo(System.getProperty("user.name"));
        assertThat(last.name()).isEqualTo("cardiac-lv");
    }

    @Test
    void promotionAcceptsARecordWrittenBeforeRegistration() throws IOException {
        Path a = pkg("cardiac-lv", "a");
        TestPackages.writeValidation(a, PackageManifest.sha256(a), true, T0);
        registry.register(a);

        assertThat(registry.promote("cardiac-lv", 1, Stage.PRODUCTION).stage()).isEqualTo(Stage.PRODUCTION);
    }

    @Test
    void promotionRefusesAPassingRecordOfAnotherPackage() throws IOException {
        Path a = pkg("cardiac-lv", "a");
        Path b = pkg("cardiac-lv", "b");
        // b's record, copied into a: it passed, but for other content
        TestPackages.writeValidation(a, PackageManifest.sha256(b), true, T0);
        registry.register(a);

        assertThatThrownBy(() -> registry.promote("cardiac-lv", 1, Stage.PRODUCTION))
                .isInstanceOf(PromotionRefusedException.class)
                .hasMessageStartingWith("cardiac-lv 1 has no passing validation record: run segment validate first")
                .hasMessageContaining("1 record in ")
                .hasMessageContaining("is for another package: manifest_sha256 differs from this package's "
                        + PackageManifest.sha256(a));
        assertThat(registry.version("cardiac-lv", 1).validationVerdict()).isEqualTo("none");
    }

    @Test
    void promotionFollowsTheLatestRecord() throws IOException {
        Path a = pkg("cardiac-lv", "a");
        String sha = PackageManifest.sha256(a);
        TestPackages.writeValidation(a, sha, true, T0);
        TestPackages.writeValidation(a, sha, false, T0.plusSeconds(3600));
        registry.register(a);

        assertThat(registry.version("cardiac-lv", 1).validationVerdict()).isEqualTo("failed");
        assertThatThrownBy(() -> registry.promote("cardiac-lv", 1, Stage.PRODUCTION))
                .isInstanceOf(PromotionRefusedException.class)
                .hasMessageStartingWith("cardiac-lv 1 did not pass validation: its latest validation record "
                        + "validation-20240501T130000.000Z.json (created 2024-05-01T13:00:00Z) failed on dice_mean");

        TestPackages.writeValidation(registry.get("cardiac-lv", 1), sha, true, T0.plusSeconds(7200));
        assertThat(registry.promote("cardiac-lv", 1, Stage.PRODUCTION).stage()).isEqualTo(Stage.PRODUCTION);
    }

    @Test
    void promotionNamesUnusableRecords() throws IOException {
        registry.register(pkg("cardiac-lv", "a"));
        Path validations = Files.createDirectories(registry.get("cardiac-lv", 1).resolve("validations"));
        Files.writeString(validations.resolve("validation-broken.json"), "{\"format\": \"medseg-validation\"");
        Files.writeString(validations.resolve("validation-future.json"), "{\"format\": \"medseg-validation\", "
                + "\"formatVersion\": 2}");

        assertThatThrownBy(() -> registry.promote("cardiac-lv", 1, Stage.PRODUCTION))
                .isInstanceOf(PromotionRefusedException.class)
                .hasMessageContaining("(not usable: validation-broken.json: not a json object: invalid json: ")
                .hasMessageContaining("validation-future.json: unsupported formatVersion 2");
    }

    @Test
    void promotionRefusesATamperedRegisteredCopy() throws IOException {
        Path a = pkg("cardiac-lv", "a");
        TestPackages.writeValidation(a, PackageManifest.sha256(a), true, T0);
        registry.register(a);
        Path card = registry.get("cardiac-lv", 1).resolve("MODEL_CARD.md");
        Files.writeString(card, "# cardiac-lv\n\nEdited in the registry.\n");

        assertThatThrownBy(() -> registry.promote("cardiac-lv", 1, Stage.PRODUCTION))
                .isInstanceOf(PackageIntegrityException.class).hasMessageStartingWith(card + ": modified");

        // resealing the copy does not help: its MANIFEST is no longer the registered one
        PackageManifest.write(registry.get("cardiac-lv", 1));
        assertThatThrownBy(() -> registry.promote("cardiac-lv", 1, Stage.PRODUCTION))
                .isInstanceOf(PackageIntegrityException.class)
                .hasMessageContaining("MANIFEST: rewritten after cardiac-lv 1 was registered");
        assertThat(registry.version("cardiac-lv", 1).stage()).isEqualTo(Stage.STAGING);
    }

    @Test
    void promotingANewProductionVersionArchivesThePreviousOne() throws IOException {
        for (String variant : List.of("a", "b", "c")) {
            Path p = pkg("cardiac-lv", variant);
            TestPackages.writeValidation(p, PackageManifest.sha256(p), true, T0);
            registry.register(p);
        }
        registry.promote("cardiac-lv", 1, Stage.PRODUCTION);
        registry.promote("cardiac-lv", 2, Stage.PRODUCTION);

        assertThat(registry.list("cardiac-lv")).extracting(ModelVersion::stage)
                .containsExactly(Stage.ARCHIVED, Stage.PRODUCTION, Stage.STAGING);
        assertThat(registry.production("cardiac-lv").orElseThrow().version()).isEqualTo(2);

        // rolling back to 1 archives 2
        registry.promote("cardiac-lv", 1, Stage.PRODUCTION);
        assertThat(registry.list("cardiac-lv")).extracting(ModelVersion::stage)
                .containsExactly(Stage.PRODUCTION, Stage.ARCHIVED, Stage.STAGING);

        assertThat(registry.history("cardiac-lv")).extracting(HistoryEvent::version, HistoryEvent::from,
                HistoryEvent::to).containsExactly(
                        tuple(1, null, Stage.STAGING), tuple(2, null, Stage.STAGING), tuple(3, null, Stage.STAGING),
                        tuple(1, Stage.STAGING, Stage.PRODUCTION),
                        tuple(1, Stage.PRODUCTION, Stage.ARCHIVED), tuple(2, Stage.STAGING, Stage.PRODUCTION),
                        tuple(2, Stage.PRODUCTION, Stage.ARCHIVED), tuple(1, Stage.ARCHIVED, Stage.PRODUCTION));
    }

    @Test
    void otherStageChangesNeedNoValidationAndRepeatsChangeNothing() throws IOException {
        Path a = pkg("cardiac-lv", "a");
        TestPackages.writeValidation(a, PackageManifest.sha256(a), true, T0);
        registry.register(a);
        registry.register(pkg("cardiac-lv", "b"));

        assertThat(registry.promote("cardiac-lv", 2, Stage.ARCHIVED).stage()).isEqualTo(Stage.ARCHIVED);
        assertThat(registry.promote("cardiac-lv", 2, Stage.STAGING).stage()).isEqualTo(Stage.STAGING);
        registry.promote("cardiac-lv", 1, Stage.PRODUCTION);
        assertThat(registry.promote("cardiac-lv", 1, Stage.STAGING).stage()).isEqualTo(Stage.STAGING);
        assertThat(registry.production("cardiac-lv")).isEmpty();

        int events = registry.history("cardiac-lv").size();
        registry.promote("cardiac-lv", 1, Stage.STAGING);
        assertThat(registry.history("cardiac-lv")).hasSize(events);
    }

    @Test
    void refusesUnknownVersionsAndBadArguments() throws IOException {
        registry.register(pkg("cardiac-lv", "a"));

        assertThatThrownBy(() -> registry.promote("cardiac-lv", 7, Stage.ARCHIVED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no version 7 of model cardiac-lv in registry " + registry.root() + " (versions: [1])");
        assertThatThrownBy(() -> registry.get("cardiac-rv", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(no versions)");
        assertThatThrownBy(() -> registry.get("cardiac-lv", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("version must be 1 or more: 0");
        assertThatThrownBy(() -> registry.list("../etc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid model name \"../etc\"");
        assertThatThrownBy(() -> registry.promote("cardiac-lv", 1, null)).isInstanceOf(NullPointerException.class);
        assertThat(Stage.parse("Production")).isEqualTo(Stage.PRODUCTION);
        assertThatThrownBy(() -> Stage.parse("prod")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown stage \"prod\": expected one of [staging, production, archived]");
    }

    @Test
    void incompleteVersionsAreNotListedAndTheirNumbersAreSkipped() throws IOException {
        registry.register(pkg("cardiac-lv", "a"));
        // what a registration killed after claiming number 2 leaves behind
        Path claimed = Files.createDirectories(registry.root().resolve("cardiac-lv/2/package"));
        Files.writeString(claimed.resolve("model.json"), "{");
        Files.createDirectories(registry.root().resolve("cardiac-lv/.incoming/register-123/package"));

        assertThat(registry.list("cardiac-lv")).extracting(ModelVersion::version).containsExactly(1);
        assertThatThrownBy(() -> registry.get("cardiac-lv", 2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(registry.register(pkg("cardiac-lv", "b")).version()).isEqualTo(3);
        assertThat(registry.list("cardiac-lv")).extracting(ModelVersion::version).containsExactly(1, 3);
    }

    @Test
    void opensOnlyRegistriesOrEmptyDirectories() throws IOException {
        registry.register(pkg("cardiac-lv", "a"));
        ModelRegistry again = ModelRegistry.open(tmp.resolve("registry"));
        assertThat(again.list()).hasSize(1);
        assertThat(registry.root().resolve(".medseg-registry.json")).exists();

        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(home.resolve("notes.txt"), "x");
        assertThatThrownBy(() -> ModelRegistry.open(home)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not a model registry: " + home.toRealPath() + " holds [notes.txt]");
        assertThatThrownBy(() -> ModelRegistry.open(home.resolve("notes.txt")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a directory");

        Path hiddenOnly = Files.createDirectories(tmp.resolve("fresh"));
        Files.writeString(hiddenOnly.resolve(".keep"), "");
        assertThat(ModelRegistry.open(hiddenOnly).list()).isEmpty();
    }

    @Test
    void defaultLocationIsTheEnvironmentVariableElseUnderHome() {
        assertThat(ModelRegistry.defaultLocation(Map.of("MEDSEG_REGISTRY", "/srv/models"), "/home/ana"))
                .isEqualTo(Path.of("/srv/models"));
        assertThat(ModelRegistry.defaultLocation(Map.of("MEDSEG_REGISTRY", " "), "/home/ana"))
                .isEqualTo(Path.of("/home/ana/.medseg/registry"));
        assertThat(ModelRegistry.defaultLocation(Map.of(), "/home/ana"))
                .isEqualTo(Path.of("/home/ana/.medseg/registry"));
        assertThat(ModelRegistry.defaultLocation()).isAbsolute();
    }

    @Test
    void historyToleratesAnUnfinishedLastLine() throws IOException {
        registry.register(pkg("cardiac-lv", "a"));
        Path history = registry.root().resolve("cardiac-lv/history.jsonl");
        Files.writeString(history, Files.readString(history) + "{\"time\": \"2024-", java.nio.file.StandardOpenOption
                .TRUNCATE_EXISTING);
        assertThat(registry.history("cardiac-lv")).hasSize(1);

        // the next append drops the cut-short line first
        registry.register(pkg("cardiac-lv", "b"));
        assertThat(registry.history("cardiac-lv")).extracting(HistoryEvent::version).containsExactly(1, 2);
        assertThat(Files.readAllLines(history)).hasSize(2).allMatch(l -> l.startsWith("{\"time\"") && l.endsWith("}"));
    }

    private static org.assertj.core.groups.Tuple tuple(Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }
}

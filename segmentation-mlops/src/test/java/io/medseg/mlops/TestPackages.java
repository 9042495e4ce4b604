package io.medseg.mlops;

import io.medseg.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Small but complete model packages for tests: every file of an export (random "weights"), sealed by a MANIFEST. */
public final class TestPackages {
    private static final DateTimeFormatter RECORD_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private TestPackages() {
    }

    /**
     * Writes a package for model {@code name} into {@code dir} and its MANIFEST; {@code variant} changes the
     * weights, so packages of different variants differ.
     */
    public static Path create(Path dir, String name, String variant) throws IOException {
        SplittableRandom rng = new SplittableRandom(variant.hashCode() * 31L + name.hashCode());
        Path savedModel = dir.resolve("saved_model");
        Files.createDirectories(savedModel.resolve("variables"));
        Files.createDirectories(savedModel.resolve("assets"));
        Files.write(savedModel.resolve("saved_model.pb"), randomBytes(rng, 3_000));
        Files.write(savedModel.resolve("variables/variables.data-00000-of-00001"), randomBytes(rng, 150_000));
        Files.write(savedModel.resolve("variables/variables.index"), randomBytes(rng, 700));

        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("inputHeight", 128);
        spec.put("inputWidth", 128);
        spec.put("numClasses", 2);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("format", "medseg-model");
        model.put("formatVersion", 1);
        model.put("name", name);
        model.put("spec", spec);
        writeJson(dir.resolve("model.json"), model);
        writeJson(dir.resolve("provenance.json"), Map.of("variant", variant, "seed", 7, "epochs", 40));
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("dice_mean", 0.912);
        metrics.put("per_class", Map.of("lv", Map.of("dice", 0.912, "hd95_mm", 4.1)));
        writeJson(dir.resolve("metrics.json"), metrics);
        writeJson(dir.resolve("data-profile.json"), Map.of("intensity_mean", 0.31, "intensity_sd", 0.12));
        Files.writeString(dir.resolve("MODEL_CARD.md"), "# " + name + "\n\nVariant " + variant + ".\n",
                StandardCharsets.UTF_8);
        PackageManifest.write(dir);
        return dir;
    }

    /**
     * Writes a validation record into {@code pkg/validations/}, named after its {@code created} time, for the
     * package whose MANIFEST has SHA-256 {@code manifestSha256}.
     */
    public static Path writeValidation(Path pkg, String manifestSha256, boolean passed, Instant created)
            throws IOException {
        List<Object> requirements = new ArrayList<>();
        requirements.add(requirement("dice_mean", 0.85, passed ? 0.91 : 0.80, passed));
        requirements.add(requirement("hd95_mm", 10, 4.2, true));
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("format", "medseg-validation");
        record.put("formatVersion", 1);
        record.put("manifest_sha256", manifestSha256);
        record.put("passed", passed);
        record.put("created", created.toString());
        record.put("requirements", requirements);
        Path file = pkg.resolve("validations").resolve("validation-" + RECORD_TIME.format(created) + ".json");
        Files.createDirectories(file.getParent());
        writeJson(file, record);
        return file;
    }

    private static Map<String, Object> requirement(String name, double threshold, double measured, boolean passed) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", name);
        r.put("threshold", threshold);
        r.put("measured", measured);
        r.put("passed", passed);
        return r;
    }

    private static void writeJson(Path file, Object value) throws IOException {
        Files.writeString(file, Json.write(value) + "\n", StandardCharsets.UTF_8);
    }

    private static byte[] randomBytes(SplittableRandom rng, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rng.nextInt(256);
        }
        return b;
    }
}

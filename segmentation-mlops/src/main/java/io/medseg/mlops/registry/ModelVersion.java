package io.medseg.mlops.registry;

import io.medseg.io.Json;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import tools.jackson.databind.JsonNode;

/**
 * A registered model version as listed by {@link ModelRegistry}: its registry entry, plus the package's
 * {@code metrics.json} and current validation verdict, read when the version was listed.
 *
 * @param name the model name (from the package's {@code model.json})
 * @param version the version number, 1, 2, 3... per name
 * @param stage the current stage
 * @param registered when it was registered
 * @param registeredBy the {@code user.name} that registered it
 * @param source the package directory it was copied from
 * @param manifestSha256 the SHA-256 of its {@code MANIFEST}
 * @param stageChanged when the stage last changed (the registration time if never)
 * @param path the registered copy of the package
 * @param metrics the package's {@code metrics.json} object, empty if it has none
 * @param latestValidation the newest validation record for this package's MANIFEST, if any
 * @param signedByKey the fingerprint of the key whose signature it was registered with, where the registry required
 *     one ({@link TrustPolicy})
 * @param approvedByKey the fingerprint of the key that approved it for production (four eyes), where required
 */
public record ModelVersion(String name, int version, Stage stage, Instant registered, String registeredBy,
        String source, String manifestSha256, Instant stageChanged, Path path, JsonNode metrics,
        Optional<ValidationRecord> latestValidation, Optional<String> signedByKey, Optional<String> approvedByKey) {

    public ModelVersion {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(path, "path");
        metrics = metrics == null ? Json.mapper().createObjectNode() : metrics.deepCopy();
        latestValidation = latestValidation == null ? Optional.empty() : latestValidation;
        signedByKey = signedByKey == null ? Optional.empty() : signedByKey;
        approvedByKey = approvedByKey == null ? Optional.empty() : approvedByKey;
    }

    /** The package's {@code metrics.json} (a copy). */
    @Override
    public JsonNode metrics() {
        return metrics.deepCopy();
    }

    /**
     * The mean Dice from {@link #metrics()}, where the package's {@code metrics.json} has one in a usual place: a
     * top-level number under {@code dice_mean}, {@code mean_dice}, {@code meanDice} or {@code dice}, or a
     * {@code "dice"} object with a numeric {@code "mean"}.
     */
    public OptionalDouble meanDice() {
        for (String key : new String[] {"dice_mean", "mean_dice", "meanDice", "dice"}) {
            JsonNode n = metrics.get(key);
            if (n != null && n.isNumber() && Double.isFinite(n.doubleValue(Double.NaN))) {
                return OptionalDouble.of(n.doubleValue());
            }
        }
        JsonNode mean = metrics.path("dice").path("mean");
        return mean.isNumber() && Double.isFinite(mean.doubleValue(Double.NaN)) ? OptionalDouble.of(mean.doubleValue())
                : OptionalDouble.empty();
    }

    /** The {@code split.kind} of {@link #metrics()} ({@code validation}, {@code training}), if it has one. */
    public Optional<String> metricsSplit() {
        JsonNode kind = metrics.path("split").path("kind");
        return kind.isString() ? Optional.of(kind.asString()) : Optional.empty();
    }

    /** {@code "passed"}, {@code "failed"} or {@code "none"}: the verdict of {@link #latestValidation()}. */
    public String validationVerdict() {
        return latestValidation.map(r -> r.passed() ? "passed" : "failed").orElse("none");
    }

    @Override
    public String toString() {
        return name + " " + version + " [" + stage.id() + "]";
    }
}

package io.medseg.mlops.registry;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

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
 */
public record ModelVersion(String name, int version, Stage stage, Instant registered, String registeredBy,
        String source, String manifestSha256, Instant stageChanged, Path path, Map<String, Object> metrics,
        Optional<ValidationRecord> latestValidation) {

    public ModelVersion {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(path, "path");
        metrics = metrics == null ? Map.of() : Collections.unmodifiableMap(metrics);
        latestValidation = latestValidation == null ? Optional.empty() : latestValidation;
    }

    /**
     * The mean Dice from {@link #metrics()}, where the package's {@code metrics.json} has one in a usual place: a
     * top-level number under {@code dice_mean}, {@code mean_dice}, {@code meanDice} or {@code dice}, or a
     * {@code "dice"} object with a numeric {@code "mean"}.
     */
    public OptionalDouble meanDice() {
        for (String key : new String[] {"dice_mean", "mean_dice", "meanDice", "dice"}) {
            if (metrics.get(key) instanceof Number n) {
                return OptionalDouble.of(n.doubleValue());
            }
        }
        if (metrics.get("dice") instanceof Map<?, ?> dice && dice.get("mean") instanceof Number n) {
            return OptionalDouble.of(n.doubleValue());
        }
        return OptionalDouble.empty();
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

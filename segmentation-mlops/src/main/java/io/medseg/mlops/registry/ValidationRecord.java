package io.medseg.mlops.registry;

import io.medseg.backend.Precision;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.OptBoolean;
import io.medseg.data.DataFormatException;
import io.medseg.io.Json;
import io.medseg.io.TextFields;
import io.medseg.mlops.Hashing;
import io.medseg.mlops.Robustness;
import io.medseg.mlops.TrainingOverlap;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * One validation-gate record of a model package, {@code validations/validation-<UTC time>.json}: a JSON object
 * with {@code "format": "medseg-validation"}, {@code "formatVersion": 1}, {@code "manifest_sha256"} (the SHA-256 of
 * the validated package's {@code MANIFEST}), {@code "passed"}, {@code "created"} (ISO-8601 with offset, e.g.
 * {@code 2024-05-01T12:00:00Z}) and {@code "requirements"}, an array of objects with {@code name},
 * {@code threshold}, {@code measured} and {@code passed}. Other keys are kept in {@link #json()}; among them, records
 * written since the gate checks for training data hold {@code "overlap_with_training"} ({@code {"images": n,
 * "patients": [...]}}, or {@code null} when the package records no training data) and
 * {@code "allowed_training_data"} ({@link #overlapWithTraining()}, {@link #allowedTrainingData()}); older records
 * have neither.
 *
 * <p>A record counts for a package only when its {@code manifest_sha256} equals the SHA-256 of that package's
 * {@code MANIFEST} ({@link #isFor(String)}).
 *
 * @param file the record file
 * @param manifestSha256 the SHA-256 of the MANIFEST it validated, lower-case hex
 * @param passed the gate's verdict
 * @param created when the gate ran
 * @param requirements the checked requirements (may be empty)
 * @param json the whole record
 */
public record ValidationRecord(Path file, String manifestSha256, boolean passed, Instant created,
        List<Requirement> requirements, JsonNode json) {
    /** The {@code "format"} value of a validation record. */
    public static final String FORMAT = "medseg-validation";
    /** The newest {@code "formatVersion"} this library reads. */
    public static final int FORMAT_VERSION = 1;

    public ValidationRecord {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(created, "created");
        if (!Hashing.isSha256Hex(manifestSha256)) {
            throw new IllegalArgumentException("manifest sha256 must be 64 lower-case hex digits: "
                    + manifestSha256);
        }
        requirements = List.copyOf(requirements);
        json = json.deepCopy();
    }

    /**
     * One checked requirement.
     *
     * @param comparison {@code ">="} or {@code "<="}, when the record says
     * @param measured the measured value; null when it could not be measured
     */
    public record Requirement(String name, Optional<String> comparison, double threshold, Double measured,
            boolean passed) {
        public Requirement {
            Objects.requireNonNull(name, "name");
            comparison = comparison == null ? Optional.empty() : comparison;
        }
    }

    /** The keys this reader needs; everything else stays in {@link #json()}. */
    private record Header(String format, long formatVersion, @JsonProperty("manifest_sha256") String manifestSha256,
            boolean passed, String created,
            @JsonProperty(isRequired = OptBoolean.FALSE) List<Requirement> requirements,
            @JsonProperty(value = TrainingOverlap.JSON_KEY, isRequired = OptBoolean.FALSE)
            TrainingOverlap.Summary overlapWithTraining,
            @JsonProperty(value = "allowed_training_data", isRequired = OptBoolean.FALSE)
            Boolean allowedTrainingData) {
    }

    /** The whole record (a copy). */
    @Override
    public JsonNode json() {
        return json.deepCopy();
    }

    /** Whether this record validated the package whose MANIFEST has SHA-256 {@code packageManifestSha256}. */
    public boolean isFor(String packageManifestSha256) {
        return manifestSha256.equals(packageManifestSha256);
    }

    /**
     * How many of the validated images were the package's training data, and their patients; empty in a record
     * that does not say (written before the check existed, or for a package without a data manifest).
     */
    public Optional<TrainingOverlap.Summary> overlapWithTraining() {
        JsonNode v = json.get(TrainingOverlap.JSON_KEY);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        // read() checked the shape
        return Optional.of(Json.mapper().treeToValue(v, TrainingOverlap.Summary.class));
    }

    /**
     * The precision the network computed at while the figures were measured ({@code fp32}, {@code bf16}): a model
     * deployed at one precision is certified by a record of that precision. Records written before precision was a
     * choice say nothing and were measured in fp32.
     */
    public Precision precision() {
        JsonNode v = json.get("precision");
        return v == null || !v.isString() ? Precision.FP32 : Precision.parse(v.asString());
    }

    /**
     * The robustness figures and thresholds ({@code "robustness"}, written by {@code segment validate --robustness});
     * empty in a record without them, as all records written before robustness was measured are.
     *
     * @throws IllegalArgumentException when the record's {@code "robustness"} is not of that shape
     */
    public Optional<Robustness.Report> robustness() {
        JsonNode v = json.get("robustness");
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.mapper().treeToValue(v, Robustness.Report.class));
        } catch (JacksonException e) {
            throw new IllegalArgumentException(file + ": malformed \"robustness\": " + Json.describe(e), e);
        }
    }

    /** Whether the gate was told to pass also on training data; false in records that do not say. */
    public boolean allowedTrainingData() {
        JsonNode v = json.get("allowed_training_data");
        return v != null && v.isBoolean() && v.booleanValue();
    }

    /** Names of the requirements recorded as not passed, in record order. */
    public List<String> failedRequirements() {
        return requirements.stream().filter(r -> !r.passed()).map(Requirement::name).toList();
    }

    /**
     * Reads one record.
     *
     * @throws DataFormatException naming the file if it is not a readable {@value #FORMAT} record of a supported
     *     format version
     */
    public static ValidationRecord read(Path file) throws IOException {
        String text = Json.readUtf8(file);
        JsonNode json;
        try {
            json = Json.tree(text);
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(file, "not a json object: " + e.getMessage(), e);
        }
        if (!json.isObject()) {
            throw new DataFormatException(file, "not a json object");
        }
        JsonNode format = json.get("format");
        if (format == null || !format.isString() || !FORMAT.equals(format.asString())) {
            throw new DataFormatException(file, "not a validation record: \"format\" is " + describe(format)
                    + ", expected \"" + FORMAT + "\"");
        }
        JsonNode version = json.get("formatVersion");
        if (version != null && version.isIntegralNumber() && (!version.canConvertToLong()
                || version.longValue() < 1 || version.longValue() > FORMAT_VERSION)) {
            throw new DataFormatException(file, "unsupported formatVersion " + (version.canConvertToLong()
                    ? String.valueOf(version.longValue()) : TextFields.excerpt(version.toString()))
                    + " (this library reads 1 to " + FORMAT_VERSION + ")");
        }
        Header h;
        try {
            h = Json.mapper().treeToValue(json, Header.class);
        } catch (JacksonException e) {
            throw new DataFormatException(file, "malformed validation record: " + Json.describe(e), e);
        }
        String sha = String.valueOf(h.manifestSha256()).toLowerCase(Locale.ROOT);
        if (!Hashing.isSha256Hex(sha)) {
            throw new DataFormatException(file, "\"manifest_sha256\" is not a sha-256 in hex: " + sha);
        }
        Instant created;
        try {
            created = OffsetDateTime.parse(String.valueOf(h.created())).toInstant();
        } catch (DateTimeParseException e) {
            throw new DataFormatException(file, "\"created\" is not an ISO-8601 time with offset: " + h.created(), e);
        }
        return new ValidationRecord(file, sha, h.passed(), created,
                h.requirements() == null ? List.of() : h.requirements(), json);
    }

    private static String describe(JsonNode v) {
        return v == null ? "null" : Json.writeCompact(v);
    }
}

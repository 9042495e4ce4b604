package io.medseg.mlops.registry;

import io.medseg.data.DataFormatException;
import io.medseg.io.Json;
import io.medseg.mlops.Hashing;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One validation-gate record of a model package, {@code validations/validation-<UTC time>.json}: a JSON object
 * with {@code "format": "medseg-validation"}, {@code "formatVersion": 1}, {@code "manifest_sha256"} (the SHA-256 of
 * the validated package's {@code MANIFEST}), {@code "passed"}, {@code "created"} (ISO-8601 with offset, e.g.
 * {@code 2024-05-01T12:00:00Z}) and {@code "requirements"}, an array of objects with {@code name},
 * {@code threshold}, {@code measured} and {@code passed}. Other keys are kept in {@link #json()}.
 *
 * <p>A record counts for a package only when its {@code manifest_sha256} equals the SHA-256 of that package's
 * {@code MANIFEST} ({@link #isFor(String)}).
 *
 * @param file the record file
 * @param manifestSha256 the SHA-256 of the MANIFEST it validated, lower-case hex
 * @param passed the gate's verdict
 * @param created when the gate ran
 * @param requirements the checked requirements, each a JSON object (may be empty)
 * @param json the whole record
 */
public record ValidationRecord(Path file, String manifestSha256, boolean passed, Instant created,
        List<Map<String, Object>> requirements, Map<String, Object> json) {
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
        json = Collections.unmodifiableMap(json);
    }

    /** Whether this record validated the package whose MANIFEST has SHA-256 {@code packageManifestSha256}. */
    public boolean isFor(String packageManifestSha256) {
        return manifestSha256.equals(packageManifestSha256);
    }

    /** Names of the requirements recorded as not passed, in record order. */
    public List<String> failedRequirements() {
        List<String> failed = new ArrayList<>();
        for (Map<String, Object> r : requirements) {
            if (Boolean.FALSE.equals(r.get("passed"))) {
                failed.add(String.valueOf(r.get("name")));
            }
        }
        return failed;
    }

    /**
     * Reads one record.
     *
     * @throws DataFormatException naming the file if it is not a readable {@value #FORMAT} record of a supported
     *     format version
     */
    public static ValidationRecord read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new DataFormatException(file, "not utf-8 text", e);
        }
        Map<String, Object> json;
        try {
            json = Json.object(Json.parse(text));
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(file, "not a json object: " + e.getMessage(), e);
        }
        try {
            Object format = json.get("format");
            if (!FORMAT.equals(format)) {
                throw new DataFormatException(file, "not a validation record: \"format\" is " + describe(format)
                        + ", expected \"" + FORMAT + "\"");
            }
            long version = Json.getLong(json, "formatVersion");
            if (version < 1 || version > FORMAT_VERSION) {
                throw new DataFormatException(file, "unsupported formatVersion " + version + " (this library reads "
                        + "1 to " + FORMAT_VERSION + ")");
            }
            String sha = Json.getString(json, "manifest_sha256").toLowerCase(Locale.ROOT);
            if (!Hashing.isSha256Hex(sha)) {
                throw new DataFormatException(file, "\"manifest_sha256\" is not a sha-256 in hex: " + sha);
            }
            boolean passed = Json.getBoolean(json, "passed");
            String createdText = Json.getString(json, "created");
            Instant created;
            try {
                created = OffsetDateTime.parse(createdText).toInstant();
            } catch (DateTimeParseException e) {
                throw new DataFormatException(file, "\"created\" is not an ISO-8601 time with offset: "
                        + createdText, e);
            }
            List<Map<String, Object>> requirements = new ArrayList<>();
            if (json.get("requirements") != null) {
                for (Object r : Json.getArray(json, "requirements")) {
                    requirements.add(Json.object(r));
                }
            }
            return new ValidationRecord(file, sha, passed, created, requirements, json);
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(file, "malformed validation record: " + e.getMessage(), e);
        }
    }

    private static String describe(Object v) {
        return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
    }
}

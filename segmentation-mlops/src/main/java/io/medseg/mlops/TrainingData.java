package io.medseg.mlops;

import io.medseg.data.DataFormatException;
import io.medseg.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * What a model was trained on, as its run directory or model package records it: the {@code data-manifest.json}
 * (every file of the training data folder with its SHA-256) and, from {@code provenance.json}, which patients
 * of that folder were trained on.
 *
 * <p>The manifest lists the whole data folder, held-out patients included, so a file in it was training data only
 * when its patient was trained on ({@link #trainedOn}). The training patients are {@code config.train_patients}
 * of the provenance; where a run does not record them, {@code config.patients} less {@code config.val_patients};
 * where neither is recorded (or there is no provenance), every patient but the {@code val_patients} counts as
 * trained on, which errs on the side of reporting an overlap.
 *
 * @param manifest the training data's manifest
 * @param patients the patients trained on, when recorded
 * @param heldOut the patients held out of training ({@code config.val_patients})
 */
public record TrainingData(DataManifest manifest, Optional<Set<String>> patients, Set<String> heldOut) {
    /** {@code dicoms/<patient>/<file>} in a Sunnybrook-layout folder. */
    private static final Pattern SUNNYBROOK_DICOM = Pattern.compile("dicoms/([^/]+)/[^/]+");
    /** {@code images/<name>.png} in the split image/mask layout. */
    private static final Pattern SPLIT_IMAGE = Pattern.compile("images/([^/]+)\\.[pP][nN][gG]");
    /** {@code <name>.png} at the top of the suffixed image/mask layout. */
    private static final Pattern TOP_PNG = Pattern.compile("([^/]+)\\.[pP][nN][gG]");

    public TrainingData {
        Objects.requireNonNull(manifest, "manifest");
        patients = patients == null ? Optional.empty() : patients.map(Set::copyOf);
        heldOut = Set.copyOf(Objects.requireNonNull(heldOut, "heldOut"));
    }

    /**
     * The training data recorded in {@code modelDir} (a run directory or a model package); empty when the folder
     * has no {@code data-manifest.json} (a bare saved model), so an overlap cannot be checked.
     *
     * @throws DataFormatException naming the file when the manifest or the provenance cannot be read
     */
    public static Optional<TrainingData> read(Path modelDir) throws IOException {
        Path manifestFile = modelDir.resolve(TrainingRun.DATA_MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            return Optional.empty();
        }
        DataManifest manifest = DataManifest.read(manifestFile);
        Path provenance = modelDir.resolve(TrainingRun.PROVENANCE);
        if (!Files.isRegularFile(provenance)) {
            return Optional.of(new TrainingData(manifest, Optional.empty(), Set.of()));
        }
        JsonNode root;
        try {
            root = Json.tree(Json.readUtf8(provenance));
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(provenance, "not a json object: " + e.getMessage(), e);
        }
        JsonNode config = root.isObject() ? root.get("config") : null;
        if (config == null || !config.isObject()) {
            return Optional.of(new TrainingData(manifest, Optional.empty(), Set.of()));
        }
        Set<String> heldOut = new TreeSet<>(strings(provenance, config, "val_patients"));
        List<String> trained = strings(provenance, config, "train_patients");
        if (!trained.isEmpty()) {
            return Optional.of(new TrainingData(manifest, Optional.of(new TreeSet<>(trained)), heldOut));
        }
        JsonNode selected = config.get("patients");
        if (selected != null && selected.isArray()) {
            Set<String> patients = new TreeSet<>(strings(provenance, config, "patients"));
            patients.removeAll(heldOut);
            return Optional.of(new TrainingData(manifest, Optional.of(patients), heldOut));
        }
        return Optional.of(new TrainingData(manifest, Optional.empty(), heldOut));
    }

    private static List<String> strings(Path file, JsonNode config, String key) throws DataFormatException {
        JsonNode v = config.get(key);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new DataFormatException(file, "config." + key + " is not an array of patient ids");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isString()) {
                throw new DataFormatException(file, "config." + key + " holds a value that is not a patient id: "
                        + Json.writeCompact(e));
            }
            out.add(e.asString());
        }
        return out;
    }

    /** Whether the model was trained on frames of {@code patient} (see the class description). */
    public boolean trainedOn(String patient) {
        return patients.map(p -> p.contains(patient)).orElse(!heldOut.contains(patient));
    }

    /**
     * The patient that the manifest's file {@code path} belonged to in the training folder, where the layout tells
     * it from the path alone: {@code dicoms/<patient>/...} in a Sunnybrook folder (one with {@code link.csv}), and
     * the image's name in an image/mask folder without {@code patients.csv} (where each image is its own patient).
     * Empty otherwise (a TFRecord file, an image/mask folder with {@code patients.csv}): then the patient is what
     * the scored copy of the file says.
     */
    public Optional<String> patientOf(String path) {
        return pathPatients().apply(path);
    }

    /** {@link #patientOf} for many paths: the layout is judged once. */
    Function<String, Optional<String>> pathPatients() {
        Set<String> paths = paths();
        if (paths.contains("link.csv")) {
            return path -> group(SUNNYBROOK_DICOM.matcher(path));
        }
        if (paths.contains("patients.csv")) {
            return path -> Optional.empty();
        }
        return path -> {
            Optional<String> split = group(SPLIT_IMAGE.matcher(path));
            return split.isPresent() ? split : group(TOP_PNG.matcher(path)).filter(n -> !n.endsWith("_mask"));
        };
    }

    private static Optional<String> group(Matcher m) {
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private Set<String> paths() {
        Set<String> out = new HashSet<>();
        manifest.files().forEach(e -> out.add(e.path()));
        return out;
    }
}

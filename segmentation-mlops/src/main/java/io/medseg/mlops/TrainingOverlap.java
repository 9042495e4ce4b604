package io.medseg.mlops;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.medseg.data.DataFormat;
import io.medseg.data.Sample;
import io.medseg.data.folder.ImageMaskFolder;
import io.medseg.data.sunnybrook.SunnybrookDataset;
import io.medseg.data.tfrecord.LabSchema;
import io.medseg.data.tfrecord.TFRecordDataset;
import io.medseg.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

/**
 * Which of the images a model is scored on were its training data. Every command that scores a model on labelled
 * data states it, so that a figure measured on training frames is never read as a held-out score, and the
 * validation gate refuses such data unless told otherwise.
 *
 * <p>An image counts as a training image when the SHA-256 of the file it was read from equals that of a file in
 * the model's {@code data-manifest.json} and that file's patient was trained on ({@link TrainingData#trainedOn}).
 * The comparison is by content, not by path, so a copied, moved or renamed data folder is still recognised. The
 * file's patient is the one its path names in the training folder where the layout tells it
 * ({@link TrainingData#patientOf}), else the patient the scored image belongs to.
 *
 * <p>The file an image was read from: {@code dicoms/<patient>/<N>.dcm} for a Sunnybrook sample
 * {@code <patient>/<N>}; {@code images/<name>.png} (or {@code <name>.png}) for an image/mask sample; the
 * {@code .tfrecord} file holding the record for a TFRecord sample (a whole file is compared: the records of a
 * training file that belong to trained-on patients count). In a folder of several TFRecord files that cannot be
 * re-read with the lab schema, every file that was training data is taken to hold every scored record.
 *
 * <p>JSON form ({@link #summary()}, {@link #json(Optional)}): {@code {"images": n, "patients": [...]}}, or
 * {@code null} where the model records no training data (a bare saved model) and no check was possible.
 *
 * @param checkedImages how many images were compared
 * @param matches the images that were training data, in the order given
 */
public record TrainingOverlap(int checkedImages, List<Match> matches) {
    /** The key of the overlap in the JSON of an evaluation and of a validation record. */
    public static final String JSON_KEY = "overlap_with_training";

    /**
     * One scored image that was training data.
     *
     * @param id the sample id
     * @param patient the patient it belongs to in the scored data
     * @param file the file it was read from
     * @param sha256 that file's SHA-256
     * @param trainingFile the same content's path in the training data manifest
     */
    public record Match(String id, String patient, Path file, String sha256, String trainingFile) {
        public Match {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(patient, "patient");
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(trainingFile, "trainingFile");
        }
    }

    /** The JSON form: how many scored images were training data, and their patients (sorted). */
    @JsonPropertyOrder({"images", "patients"})
    public record Summary(int images, List<String> patients) {
        public Summary {
            patients = List.copyOf(patients);
        }
    }

    public TrainingOverlap {
        if (checkedImages < 0) {
            throw new IllegalArgumentException("checkedImages must be >= 0: " + checkedImages);
        }
        matches = List.copyOf(matches);
        if (matches.size() > checkedImages) {
            throw new IllegalArgumentException(matches.size() + " matches of " + checkedImages + " images");
        }
    }

    /** How many scored images were training data. */
    public int images() {
        return matches.size();
    }

    /** Whether any scored image was training data. */
    public boolean any() {
        return !matches.isEmpty();
    }

    /** The patients (of the scored data) of those images, sorted. */
    public List<String> patients() {
        return List.copyOf(new TreeSet<>(matches.stream().map(Match::patient).toList()));
    }

    public Summary summary() {
        return new Summary(images(), patients());
    }

    /**
     * One line for people, e.g. {@code "18 of 20 images (patient SCD0000101) were training data of the model"} or
     * {@code "none of the 20 images was training data of the model"}.
     */
    public String describe() {
        if (!any()) {
            return (checkedImages == 1 ? "the one image was not" : "none of the " + checkedImages + " images was")
                    + " training data of the model";
        }
        List<String> p = patients();
        return images() + " of " + checkedImages + " image" + (checkedImages == 1 ? "" : "s") + " (patient"
                + (p.size() == 1 ? " " : "s ") + String.join(", ", p) + ") " + (images() == 1 ? "was" : "were")
                + " training data of the model";
    }

    /** {@code overlap} in its JSON form: {@link #summary()}, or {@code null} when it could not be checked. */
    public static JsonNode json(Optional<TrainingOverlap> overlap) {
        return overlap.<JsonNode>map(o -> Json.mapper().valueToTree(o.summary())).orElse(NullNode.getInstance());
    }

    /**
     * The overlap of {@code samples} (read from {@code data} as {@code format}) with the training data recorded in
     * {@code modelDir} (a run directory or model package); empty when the model records none
     * ({@link TrainingData#read}).
     */
    public static Optional<TrainingOverlap> check(Path modelDir, Path data, DataFormat format, List<Sample> samples)
            throws IOException {
        Optional<TrainingData> training = TrainingData.read(modelDir);
        if (training.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(of(training.get(), data, format, samples));
    }

    /** The overlap of {@code samples}, read from {@code data} as {@code format}, with {@code training}. */
    public static TrainingOverlap of(TrainingData training, Path data, DataFormat format, List<Sample> samples)
            throws IOException {
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(format, "format");
        Map<String, List<String>> trainingPaths = new HashMap<>();
        for (DataManifest.Entry e : training.manifest().files()) {
            trainingPaths.computeIfAbsent(e.sha256(), k -> new ArrayList<>()).add(e.path());
        }
        Function<String, Optional<String>> pathPatients = training.pathPatients();
        Map<Path, String> hashes = new HashMap<>();
        Sources sources = new Sources(data, format);
        List<Match> matches = new ArrayList<>();
        try {
            for (Sample s : samples) {
                match(training, pathPatients, trainingPaths, hashes, sources, s).ifPresent(matches::add);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return new TrainingOverlap(samples.size(), matches);
    }

    private static Optional<Match> match(TrainingData training, Function<String, Optional<String>> pathPatients,
            Map<String, List<String>> trainingPaths, Map<Path, String> hashes, Sources sources, Sample s)
            throws IOException {
        for (Path file : sources.filesOf(s, f -> trainingPaths.containsKey(hash(hashes, f)))) {
            String sha = hash(hashes, file);
            for (String trainingFile : trainingPaths.getOrDefault(sha, List.of())) {
                String patient = pathPatients.apply(trainingFile).orElse(s.patientId());
                if (training.trainedOn(patient)) {
                    return Optional.of(new Match(s.id(), s.patientId(), file, sha, trainingFile));
                }
            }
        }
        return Optional.empty();
    }

    private static String hash(Map<Path, String> cache, Path file) {
        return cache.computeIfAbsent(file, f -> {
            try {
                return Hashing.sha256(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** A test on a file that may read it. */
    private interface FileTest {
        boolean test(Path file);
    }

    /** Where each sample of a dataset was read from. */
    private static final class Sources {
        private final Path data;
        private final DataFormat format;
        private Map<String, Path> pngs;
        private List<Path> records;
        private Map<String, List<Path>> recordIds;
        /** Training files whose records could not be listed: any record may be in them. */
        private final List<Path> unlisted = new ArrayList<>();

        Sources(Path data, DataFormat format) {
            this.data = data;
            this.format = format;
        }

        /** The candidate files of {@code s}; for TFRecord folders {@code training} says which files to open. */
        List<Path> filesOf(Sample s, FileTest training) throws IOException {
            try {
                return switch (format) {
                    case SUNNYBROOK -> existing(SunnybrookDataset.dicomFile(data, s.id()));
                    case IMAGE_MASK_FOLDER -> Optional.ofNullable(pngs().get(s.id())).map(List::of).orElse(List.of());
                    case TFRECORD -> recordFilesOf(s, training);
                };
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }

        private static List<Path> existing(Path file) {
            return Files.isRegularFile(file) ? List.of(file) : List.of();
        }

        /** Image name to file, as the image/mask loader pairs them. */
        private Map<String, Path> pngs() throws IOException {
            if (pngs == null) {
                pngs = ImageMaskFolder.imageFiles(data);
            }
            return pngs;
        }

        private List<Path> recordFilesOf(Sample s, FileTest training) throws IOException {
            if (records == null) {
                records = TFRecordDataset.files(data);
            }
            if (records.size() == 1) {
                return records;
            }
            if (recordIds == null) {
                recordIds = new LinkedHashMap<>();
                for (Path file : records) {
                    if (!training.test(file)) {
                        continue;
                    }
                    try (Stream<Sample> st = TFRecordDataset.stream(file, LabSchema.create(), true)) {
                        st.forEachOrdered(r -> recordIds.computeIfAbsent(r.id(), k -> new ArrayList<>()).add(file));
                    } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
                        unlisted.add(file);
                    }
                }
            }
            List<Path> out = new ArrayList<>(recordIds.getOrDefault(s.id(), List.of()));
            out.addAll(unlisted);
            return out;
        }
    }

}

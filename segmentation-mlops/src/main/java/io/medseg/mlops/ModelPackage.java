package io.medseg.mlops;

import io.medseg.backend.Backend;
import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.DataFormatException;
import io.medseg.data.ReadLimits;
import io.medseg.io.AtomicFile;
import io.medseg.io.FileTrees;
import io.medseg.io.Json;
import io.medseg.io.TextFields;
import io.medseg.io.WriteFailures;
import io.medseg.model.UNetSpec;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A model package: one self-describing folder (or zip of it) holding everything needed to run and to trust a model.
 *
 * <pre>
 * PKG/
 *   saved_model.pb, variables/   the TensorFlow SavedModel (tag "serve", signature "serving_default")
 *   model.json                   name, spec, input/output signature, normalisation, class names, pixel spacing
 *   provenance.json              how the model was made (the training run's record)
 *   data-manifest.json           every training input file with its SHA-256
 *   metrics.json                 the model's evaluation, with the split it came from
 *   training-metrics.jsonl       the run's per-epoch metrics
 *   data-profile.json            the training data's profile, the reference for drift checks (when recorded)
 *   model.onnx                   the same network as ONNX (when exported with it: segmentation-onnx's OnnxExport)
 *   MODEL_CARD.md                intended use, training data, metrics with their split, limitations
 *   uncertainty.json             (when the run has one) how far the uncertainty maps can be trusted, measured by
 *                                segment uncertainty on the recipe's leave-one-patient-out folds; also in the card
 *   MANIFEST                     SHA-256 of every file above ({@code sha256sum -c MANIFEST} checks it too)
 *   validations/                 validation-gate records added later, each tied to the MANIFEST's hash
 * </pre>
 *
 * <p>{@link #open} verifies the manifest and refuses a tampered or incomplete package, naming the file;
 * {@link #load(Backend, Path)} does the same before handing the model folder to a backend.
 */
public final class ModelPackage {
    public static final String MODEL_JSON = "model.json";
    public static final String PROVENANCE = "provenance.json";
    public static final String METRICS = "metrics.json";
    public static final String TRAINING_METRICS = "training-metrics.jsonl";
    public static final String DATA_MANIFEST = TrainingRun.DATA_MANIFEST;
    public static final String DATA_PROFILE = "data-profile.json";
    public static final String MODEL_CARD = "MODEL_CARD.md";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private final Path dir;
    private final ObjectNode model;
    private final JsonNode provenance;
    private final JsonNode metrics;
    private final String manifestSha256;

    private ModelPackage(Path dir, ObjectNode model, JsonNode provenance, JsonNode metrics, String manifestSha256) {
        this.dir = dir;
        this.model = model;
        this.provenance = provenance;
        this.metrics = metrics;
        this.manifestSha256 = manifestSha256;
    }

    /**
     * Packages a completed training run (or any folder with a saved model plus the run's {@code provenance.json}
     * and {@code metrics.json}) into {@code out}: a new folder, or a zip file when {@code out} ends in
     * {@code .zip}. The package is assembled beside {@code out} and moved into place when complete.
     *
     * @param name the model's name in registries: lower-case letters, digits, {@code . _ -}, at most 64
     * @throws IllegalArgumentException for a bad name, or when {@code out} exists and is not an empty folder
     * @throws DataFormatException when the run lacks a file the package needs (named) or is not completed
     */
    public static Path export(Path runDir, Path out, String name) throws IOException {
        return export(runDir, out, name, List.of());
    }

    /**
     * Something more to put into a package as it is exported: files written into the staged package folder, which
     * already holds the model, {@code model.json} (with the package's name and class names) and the model card,
     * and then hashed into the MANIFEST with the rest. The ONNX export is one
     * ({@code staged -> OnnxExport.intoModelFolder(tensorflow, staged)}).
     */
    @FunctionalInterface
    public interface Addition {
        /** Writes the addition's files into {@code stagedPackage}; a failure aborts the export. */
        void addTo(Path stagedPackage) throws IOException;
    }

    /**
     * As {@link #export(Path, Path, String)}, with {@code additions} written into the package before its MANIFEST,
     * in order. Nothing is left at {@code out} when one fails.
     */
    public static Path export(Path runDir, Path out, String name, List<Addition> additions) throws IOException {
        Objects.requireNonNull(name, "name");
        List<Addition> extra = List.copyOf(additions);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("model name must match " + NAME.pattern() + ": '" + name + "'");
        }
        Path run = runDir.toAbsolutePath().normalize();
        Path target = out.toAbsolutePath().normalize();
        boolean zip = target.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip");
        if (Files.exists(target) && (zip || !isEmptyDirectory(target))) {
            throw new IllegalArgumentException(target + ": already exists"
                    + (zip ? "" : " and is not an empty folder"));
        }
        for (String required : List.of(MODEL_JSON, "saved_model.pb", "variables", TrainingRun.PROVENANCE,
                METRICS)) {
            if (!Files.exists(run.resolve(required))) {
                throw new DataFormatException(run.resolve(required), "missing: " + run
                        + " is not a completed training run (export needs the model, its provenance and metrics)");
            }
        }
        TrainingProvenance provenance = TrainingRun.readProvenance(run);
        if (provenance.run().status() != TrainingProvenance.RunStatus.COMPLETED) {
            throw new DataFormatException(run.resolve(TrainingRun.PROVENANCE), "the run is not completed (status "
                    + provenance.run().status().id() + "): finish it with train --resume");
        }
        ModelMetrics metrics = ModelMetrics.read(run.resolve(METRICS));
        ObjectNode modelJson = readObject(run.resolve(MODEL_JSON));

        Files.createDirectories(target.getParent());
        Path stage = Files.createDirectory(target.resolveSibling("." + target.getFileName() + ".export-"
                + Long.toUnsignedString(System.nanoTime(), 36)));
        try {
            Files.copy(run.resolve("saved_model.pb"), stage.resolve("saved_model.pb"));
            FileTrees.copyTree(run.resolve("variables"), stage.resolve("variables"));
            if (Files.isDirectory(run.resolve("assets"))) {
                FileTrees.copyTree(run.resolve("assets"), stage.resolve("assets"));
            }
            Files.copy(run.resolve(TrainingRun.PROVENANCE), stage.resolve(PROVENANCE));
            if (Files.isRegularFile(run.resolve(TrainingRun.DATA_MANIFEST))) {
                Files.copy(run.resolve(TrainingRun.DATA_MANIFEST), stage.resolve(DATA_MANIFEST));
            }
            Files.copy(run.resolve(METRICS), stage.resolve(METRICS));
            if (Files.isRegularFile(run.resolve(TrainingRun.METRICS))) {
                Files.copy(run.resolve(TrainingRun.METRICS), stage.resolve(TRAINING_METRICS));
            }
            if (Files.isRegularFile(run.resolve(DATA_PROFILE))) {
                Files.copy(run.resolve(DATA_PROFILE), stage.resolve(DATA_PROFILE));
            }
            ObjectNode described = describe(run.resolve(MODEL_JSON), modelJson, name, provenance);
            Files.writeString(stage.resolve(MODEL_JSON), Json.write(described), StandardCharsets.UTF_8);
            String card = ModelCard.render(described, spec(run.resolve(MODEL_JSON), modelJson), provenance, metrics);
            if (UncertaintyFigures.in(run)) {
                // written by segment uncertainty: into the package, and its figures into the card
                Files.copy(run.resolve(UncertaintyFigures.FILE), stage.resolve(UncertaintyFigures.FILE));
                card += ModelCard.uncertainty(UncertaintyFigures.read(run.resolve(UncertaintyFigures.FILE)));
            }
            Files.writeString(stage.resolve(MODEL_CARD), card, StandardCharsets.UTF_8);
            for (Addition a : extra) {
                a.addTo(stage);
            }
            PackageManifest.write(stage);
            if (zip) {
                AtomicFile.write(target, os -> zipTree(stage, os));
            } else {
                if (Files.exists(target)) {
                    Files.delete(target); // an empty folder
                }
                Files.move(stage, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            // a full disk is reported by the copy under its source or the hidden staging folder: name the package
            throw WriteFailures.naming(target, e);
        } finally {
            FileTrees.deleteTree(stage);
        }
        return target;
    }

    /** model.json as the run wrote it, plus the package's name and what a caller needs to feed the model. */
    static ObjectNode describe(Path file, ObjectNode modelJson, String name, TrainingProvenance provenance)
            throws IOException {
        UNetSpec spec = spec(file, modelJson);
        ObjectNode m = Json.mapper().createObjectNode();
        m.put("name", name);
        m.setAll(modelJson);
        ArrayNode classNames = m.putArray("class_names");
        int classes = spec.numClasses();
        for (int c = 0; c < classes; c++) {
            classNames.add(classes == 2 ? (c == 0 ? "background" : "left_ventricle") : "class_" + c);
        }
        ObjectNode input = m.putObject("input");
        JsonNode specJson = modelJson.get("spec");
        input.set("channels", specJson.get("inputChannels"));
        input.putArray("network_size").add(specJson.get("inputHeight")).add(specJson.get("inputWidth"));
        input.set("fit", specJson.get("inputFit"));
        input.set("normalization", specJson.get("normalization"));
        TrainingProvenance.SpacingSummary spacing = provenance.config().trainPixelSpacing();
        if (spacing != null) {
            input.set("expected_pixel_spacing_mm", Json.mapper().valueToTree(spacing));
        }
        m.put("run_id", provenance.run().id());
        m.put("exported", Instant.now().toString());
        return m;
    }

    /** The spec in a model.json, checked. */
    static UNetSpec spec(Path file, JsonNode modelJson) throws DataFormatException {
        JsonNode spec = modelJson.get("spec");
        if (spec == null || !spec.isObject()) {
            throw new DataFormatException(file, "has no \"spec\" object");
        }
        try {
            return Json.mapper().treeToValue(spec, UNetSpec.class);
        } catch (JacksonException e) {
            throw new DataFormatException(file, "spec: " + Json.describe(e), e);
        }
    }

    /**
     * Opens a package folder after verifying its manifest.
     *
     * @throws PackageIntegrityException naming the missing, modified or unlisted file
     */
    public static ModelPackage open(Path pkg) throws IOException {
        Path dir = pkg.toAbsolutePath().normalize();
        if (Files.isRegularFile(dir)) {
            throw new DataFormatException(dir, "a zipped package: unpack it first (ModelPackage.unzip)");
        }
        PackageManifest manifest = PackageManifest.verify(dir);
        for (String required : List.of(MODEL_JSON, PROVENANCE, METRICS, MODEL_CARD, "saved_model.pb")) {
            if (!manifest.entries().containsKey(required)) {
                throw new PackageIntegrityException(dir.resolve(required), "missing from the package's MANIFEST: "
                        + "not a complete model package");
            }
        }
        return new ModelPackage(dir, readObject(dir.resolve(MODEL_JSON)), readObject(dir.resolve(PROVENANCE)),
                readObject(dir.resolve(METRICS)), manifest.sha256());
    }

    /**
     * Verifies the package in {@code pkg} against its MANIFEST ({@link #open}) and only then loads its model with
     * {@code backend}, so a tampered or incomplete package is refused, naming the file, before the backend reads any
     * of it. Close the model when done.
     *
     * @throws PackageIntegrityException naming the missing, modified or unlisted file
     */
    public static SegmentationModel load(Backend backend, Path pkg) throws IOException {
        return load(backend, pkg, Precision.FP32);
    }

    /**
     * As {@link #load(Backend, Path)}, the model computing at {@code precision} where this machine can
     * ({@link SegmentationModel#precision()} says what it got).
     */
    public static SegmentationModel load(Backend backend, Path pkg, Precision precision) throws IOException {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(precision, "precision");
        return backend.load(open(pkg).dir(), precision);
    }

    /** Whether {@code dir} looks like a package (has a MANIFEST); {@link #open} still verifies it. */
    public static boolean isPackage(Path dir) {
        return Files.isRegularFile(dir.resolve(PackageManifest.FILE_NAME));
    }

    public Path dir() {
        return dir;
    }

    /** The model's name in registries, from {@code model.json}. */
    public String name() {
        return model.path("name").asString("");
    }

    /** {@code model.json} as it is in the package (a copy). */
    public ObjectNode modelJson() {
        return model.deepCopy();
    }

    /** {@code provenance.json} as it is in the package (a copy). */
    public JsonNode provenance() {
        return provenance.deepCopy();
    }

    /** {@code metrics.json} as it is in the package (a copy). */
    public JsonNode metrics() {
        return metrics.deepCopy();
    }

    /** SHA-256 of the MANIFEST file: identifies the package's exact content; validation records carry it. */
    public String manifestSha256() {
        return manifestSha256;
    }

    /**
     * How two packages differ in what made them and what they measured: provenance (minus per-run identifiers and
     * times), the model description (minus export time) and the metrics summary.
     */
    public static List<JsonDiff.Change> diff(ModelPackage a, ModelPackage b) {
        return JsonDiff.diff(comparable(a), comparable(b));
    }

    private static ObjectNode comparable(ModelPackage p) {
        ObjectNode m = Json.mapper().createObjectNode();
        ObjectNode model = p.model.deepCopy();
        model.remove("exported");
        model.remove("run_id");
        m.set("model", model);
        JsonNode prov = p.provenance.deepCopy();
        if (prov instanceof ObjectNode o) {
            if (o.get("run") instanceof ObjectNode run) {
                run.remove("id");
                run.remove("started");
                run.remove("ended");
            }
            if (o.get("result") instanceof ObjectNode result) {
                result.remove("training_seconds");
            }
        }
        m.set("provenance", prov);
        ObjectNode metrics = m.putObject("metrics");
        for (String k : List.of("split", "dice_mean", "dice_global")) {
            if (p.metrics.has(k)) {
                metrics.set(k, p.metrics.get(k));
            }
        }
        return m;
    }

    /** The most entries a zipped package may hold. */
    static final int MAX_ZIP_ENTRIES = 100_000;

    /**
     * Unpacks a zipped package into {@code dir} (created; must not exist). Each entry name is checked before it is
     * resolved (relative, no {@code ..}, no control character, not twice), and the entries may hold at most
     * {@value #MAX_ZIP_ENTRIES} files and {@link ReadLimits#maxDecompressedBytes()} bytes in all.
     *
     * @throws DataFormatException naming the zip and the entry when the zip is unreadable or breaks a rule
     */
    public static Path unzip(Path zip, Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        Files.createDirectories(root);
        long budget = ReadLimits.defaults().maxDecompressedBytes();
        Set<String> seen = new HashSet<>();
        try (ZipInputStream in = new ZipInputStream(new BufferedInputStream(Files.newInputStream(zip)))) {
            ZipEntry e;
            byte[] buffer = new byte[1 << 16];
            while ((e = in.getNextEntry()) != null) {
                String name = e.getName();
                String path = e.isDirectory() && name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
                String unsafe = PackageManifest.unsafeRelativePath(path);
                if (unsafe != null) {
                    throw new DataFormatException(zip, "zip entry " + TextFields.excerpt(name, 80) + " " + unsafe);
                }
                if (!seen.add(path)) {
                    throw new DataFormatException(zip, "zip entry " + TextFields.excerpt(name, 80) + " appears twice");
                }
                if (seen.size() > MAX_ZIP_ENTRIES) {
                    throw new DataFormatException(zip, "more than " + MAX_ZIP_ENTRIES + " zip entries");
                }
                Path p = root.resolve(path);
                if (e.isDirectory()) {
                    Files.createDirectories(p);
                    continue;
                }
                Files.createDirectories(p.getParent());
                try (OutputStream out = Files.newOutputStream(p, StandardOpenOption.CREATE_NEW)) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        budget -= n;
                        if (budget < 0) {
                            throw new DataFormatException(zip, "unpacks to more than "
                                    + ReadLimits.defaults().maxDecompressedBytes() + " bytes (raise the limit with -D"
                                    + ReadLimits.PROPERTY_PREFIX + "maxDecompressedBytes)");
                        }
                        out.write(buffer, 0, n);
                    }
                }
            }
            if (seen.isEmpty()) {
                throw new DataFormatException(zip, "not a zip file, or one without entries");
            }
        } catch (java.util.zip.ZipException | EOFException | IllegalArgumentException e) {
            // ZipInputStream reports a bad name encoding as IllegalArgumentException ("MALFORMED")
            throw new DataFormatException(zip, "not a readable zip: " + TextFields.excerpt(
                    String.valueOf(e.getMessage()), 120), e);
        } catch (FileAlreadyExistsException e) {
            throw new DataFormatException(zip, "zip entries " + TextFields.excerpt(String.valueOf(e.getFile()), 80)
                    + " collide (a file and a folder of the same name?)", e);
        }
        return root;
    }

    private static void zipTree(Path root, OutputStream os) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(os); Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString)).toList()) {
                zip.putNextEntry(new ZipEntry(root.relativize(p).toString().replace(java.io.File.separatorChar,
                        '/')));
                try (InputStream in = Files.newInputStream(p)) {
                    in.transferTo(zip);
                }
                zip.closeEntry();
            }
        }
    }

    private static boolean isEmptyDirectory(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            return false;
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.findAny().isEmpty();
        }
    }

    static ObjectNode readObject(Path file) throws IOException {
        JsonNode node = Json.read(file, JsonNode.class);
        if (node instanceof ObjectNode o) {
            return o;
        }
        throw new DataFormatException(file, "unreadable JSON: expected an object, found " + node.getNodeType()
                .name().toLowerCase(Locale.ROOT));
    }
}

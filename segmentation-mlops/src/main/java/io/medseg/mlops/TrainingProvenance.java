package io.medseg.mlops;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.medseg.data.DataFormat;
import io.medseg.data.DataFormatException;
import io.medseg.inference.TestTimeAugmentation;
import io.medseg.io.Json;
import io.medseg.loss.LossSpec;
import io.medseg.model.UNetSpec;
import io.medseg.optim.OptimizerSpec;
import io.medseg.postprocess.PostProcessing;
import io.medseg.recipe.Recipe;
import io.medseg.train.TrainingResult;
import io.medseg.transform.Augmentation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * A training run's {@code provenance.json}: how the model was made, as a typed record. Two provenances of the same
 * config on the same data differ only in identifiers, times and environment.
 *
 * <pre>
 * {"format": "medseg-run", "formatVersion": 1,
 *  "run": {"id", "status", "started", "resumed": [...], "ended", "error"},
 *  "seed": 1, "config": {...}, "spec": {...}, "data": {...}, "environment": {...}, "git": {...},
 *  "result": {...}}
 * </pre>
 *
 * <p>{@link #trainingConfig} turns the record back into the {@link TrainingConfig} that made it. Runs written
 * before the loss, optimiser and augmentation were recorded as JSON hold them as text; their recipe is rebuilt from
 * this library's recipe of the recorded name ({@link RecipeCatalog}), as it always was.
 *
 * @param format always {@value #FORMAT}
 * @param formatVersion {@value #FORMAT_VERSION}
 * @param git the source checkout, when the run was started inside one
 * @param result what the finished run did, absent until it completes
 */
@JsonPropertyOrder({"format", "formatVersion", "run", "seed", "config", "spec", "data", "environment", "git",
        "result"})
public record TrainingProvenance(String format, int formatVersion, RunInfo run, long seed, Config config,
        UNetSpec spec, DataSummary data, Environment environment, Optional<GitInfo> git,
        Optional<RunResult> result) {
    /** The {@code "format"} of {@code provenance.json}. */
    public static final String FORMAT = "medseg-run";
    public static final int FORMAT_VERSION = 1;

    public TrainingProvenance {
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("not a training run's provenance (format: " + format + ")");
        }
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(environment, "environment");
        git = git == null ? Optional.empty() : git;
        result = result == null ? Optional.empty() : result;
    }

    /** A run's status. */
    public enum RunStatus {
        @JsonProperty("running")
        RUNNING,
        @JsonProperty("completed")
        COMPLETED,
        @JsonProperty("failed")
        FAILED;

        /** As written in the file: {@code running}, {@code completed}, {@code failed}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The run as an event: its id, status and times.
     *
     * @param resumed every resume, oldest first
     * @param ended when it completed or failed; absent while it runs
     * @param error the failure's message, for a failed run
     */
    public record RunInfo(String id, RunStatus status, Instant started, List<Resume> resumed, Optional<Instant> ended,
            Optional<String> error) {
        public RunInfo {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(started, "started");
            resumed = List.copyOf(resumed);
            ended = ended == null ? Optional.empty() : ended;
            error = error == null ? Optional.empty() : error;
        }
    }

    /** One {@code train --resume}: when, after which epoch, and the status it found. */
    public record Resume(Instant time, @JsonProperty("from_epoch") int fromEpoch,
            @JsonProperty("previous_status") RunStatus previousStatus) {
    }

    /**
     * The recorded config, key for key as in the file. {@code loss}, {@code optimizer} and {@code augmentation} are
     * JSON objects (or, in runs of earlier versions, their text); {@code inference} is absent in those runs.
     */
    public record Config(String command, String recipe, String data, String format,
            @JsonProperty("skip_corrupt") boolean skipCorrupt, List<String> patients,
            @JsonProperty("val_patients") List<String> valPatients, int epochs,
            @JsonProperty("epochs_option") Integer epochsOption, @JsonProperty("batch_size") int batchSize,
            JsonNode loss, JsonNode optimizer, JsonNode augmentation, Optional<Inference> inference,
            @JsonProperty("checkpoint_every") int checkpointEvery, boolean tensorboard, boolean histograms,
            Optional<String> reproduces, @JsonProperty("reproduces_run_id") Optional<String> reproducesRunId,
            @JsonProperty("train_patients") List<String> trainPatients,
            @JsonProperty("train_frames") int trainFrames,
            @JsonProperty("validation_frames") int validationFrames,
            @JsonProperty("train_pixel_spacing_mm") SpacingSummary trainPixelSpacing) {
        public Config {
            Objects.requireNonNull(recipe, "recipe");
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(loss, "loss");
            Objects.requireNonNull(optimizer, "optimizer");
            Objects.requireNonNull(augmentation, "augmentation");
            valPatients = valPatients == null ? List.of() : List.copyOf(valPatients);
            trainPatients = trainPatients == null ? List.of() : List.copyOf(trainPatients);
            inference = inference == null ? Optional.empty() : inference;
            reproduces = reproduces == null ? Optional.empty() : reproduces;
            reproducesRunId = reproducesRunId == null ? Optional.empty() : reproducesRunId;
        }

        /** Whether the recipe is recorded as text (a run of an earlier version), not as JSON. */
        public boolean recipeAsText() {
            return !loss.isObject() || !optimizer.isObject() || !augmentation.isObject();
        }

        /** The loss as people read it: its recorded text, or the decoded spec's. */
        public String lossText() {
            return text(loss, LossSpec.class);
        }

        public String optimizerText() {
            return text(optimizer, OptimizerSpec.class);
        }

        public String augmentationText() {
            return text(augmentation, Augmentation.class);
        }

        private static String text(JsonNode node, Class<?> type) {
            if (node.isString()) {
                return node.stringValue();
            }
            try {
                return String.valueOf(Json.mapper().treeToValue(node, type));
            } catch (JacksonException | IllegalArgumentException e) {
                return Json.writeCompact(node);
            }
        }
    }

    /** The inference settings the run's metrics were measured with. */
    public record Inference(@JsonProperty("test_time_augmentation") TestTimeAugmentation testTimeAugmentation,
            @JsonProperty("post_processing") PostProcessing postProcessing) {
    }

    /** Minimum, median and maximum. */
    public record Range(double min, double median, double max) {
        /** Of {@code values}, which must not be empty; the median is the upper one of an even count. */
        public static Range of(List<Double> values) {
            List<Double> sorted = values.stream().sorted().toList();
            return new Range(sorted.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
        }
    }

    /** Row and column pixel spacing of the training images, in mm, and how many images had one. */
    public record SpacingSummary(Range row, Range col, @JsonProperty("images_with_spacing") int imagesWithSpacing) {
    }

    /** The data manifest's summary; every file is in {@code data-manifest.json}. */
    public record DataSummary(String root, @JsonProperty("file_count") int fileCount,
            @JsonProperty("total_bytes") long totalBytes, @JsonProperty("aggregate_sha256") String aggregateSha256,
            String manifest) {
        static DataSummary of(DataManifest m) {
            return new DataSummary(m.root(), m.fileCount(), m.totalBytes(), m.aggregateSha256(),
                    TrainingRun.DATA_MANIFEST);
        }
    }

    /** What a completed run did. */
    public record RunResult(int epochs, long steps, @JsonProperty("final_loss") double finalLoss,
            @JsonProperty("best_epoch") int bestEpoch,
            @JsonProperty("best_validation_dice") OptionalDouble bestValidationDice,
            @JsonProperty("training_seconds") double trainingSeconds, Optional<String> metrics) {
        public RunResult {
            bestValidationDice = bestValidationDice == null ? OptionalDouble.empty() : bestValidationDice;
            metrics = metrics == null ? Optional.empty() : metrics;
        }

        /** The summary of {@code r}; {@code metrics} names the file holding the final model's evaluation. */
        public static RunResult of(TrainingResult r, Optional<String> metrics) {
            return new RunResult(r.history().size(), r.steps(), r.history().get(r.history().size() - 1).trainLoss(),
                    r.bestEpoch(), r.bestValidationDice(),
                    r.history().stream().mapToDouble(io.medseg.train.EpochResult::seconds).sum(), metrics);
        }
    }

    /** What a config's data selection resolved to, recorded with it. */
    public record DataUsed(List<String> trainPatients, int trainFrames, int validationFrames,
            SpacingSummary trainPixelSpacing) {
    }

    /** The provenance of a run starting now. */
    static TrainingProvenance start(TrainingConfig c, DataUsed used, DataManifest manifest, Environment environment,
            Optional<GitInfo> git, Optional<String> reproduces, Optional<String> reproducesRunId) {
        RunInfo run = new RunInfo(java.util.UUID.randomUUID().toString(), RunStatus.RUNNING, Instant.now(), List.of(),
                Optional.empty(), Optional.empty());
        Recipe r = c.recipe();
        TrainingConfig.DataSelection d = c.data();
        Config config = new Config("train", r.name(), d.path().toString(), d.format().map(DataFormat::id).orElse(null),
                d.skipCorrupt(), d.patients().orElse(null), d.validationPatients(), r.epochs(),
                c.requestedEpochs().isPresent() ? c.requestedEpochs().getAsInt() : null, r.batchSize(),
                tree(r.loss()), tree(r.optimizer()), augmentationTree(r.augmentation()),
                Optional.of(new Inference(r.testTimeAugmentation(), r.postProcessing())), c.checkpointEvery(),
                c.tensorboard(), c.histograms(), reproduces, reproducesRunId, used.trainPatients(),
                used.trainFrames(), used.validationFrames(), used.trainPixelSpacing());
        return new TrainingProvenance(FORMAT, FORMAT_VERSION, run, c.seed(), config, r.spec(),
                DataSummary.of(manifest), environment, git, Optional.empty());
    }

    private static JsonNode tree(Object value) {
        return Json.mapper().valueToTree(value);
    }

    /** A custom augmentation is code: it is recorded by its description and cannot be rebuilt. */
    private static JsonNode augmentationTree(Augmentation a) {
        if (Augmentation.isBuiltIn(a)) {
            return tree(a);
        }
        ObjectNode custom = Json.mapper().createObjectNode();
        custom.put("type", "custom");
        custom.put("class", a.getClass().getName());
        custom.put("description", String.valueOf(a));
        return custom;
    }

    /** The run with another status block. */
    TrainingProvenance withRun(RunInfo newRun) {
        return new TrainingProvenance(format, formatVersion, newRun, seed, config, spec, data, environment, git,
                result);
    }

    TrainingProvenance withResult(RunResult newResult) {
        return new TrainingProvenance(format, formatVersion, run, seed, config, spec, data, environment, git,
                Optional.of(newResult));
    }

    /**
     * The config that made this run. A recipe recorded as JSON is decoded as it is; a recipe recorded as text (a
     * run of an earlier version) is this library's recipe of that name from {@code legacy}, with the recorded
     * epoch option.
     *
     * @throws DataFormatException if the recorded recipe cannot be decoded, is custom code, or (as text) names a
     *     recipe {@code legacy} does not know
     */
    public TrainingConfig trainingConfig(Path file, RecipeCatalog legacy) throws DataFormatException {
        Config c = config;
        Recipe recipe;
        if (c.recipeAsText()) {
            Recipe known = legacy.find(c.recipe()).orElseThrow(() -> new DataFormatException(file, "the run records "
                    + "its recipe \"" + c.recipe() + "\" as text (written by an earlier version), and this library "
                    + "has no recipe of that name to rebuild it from"));
            recipe = c.epochsOption() == null ? known : known.withEpochs(c.epochsOption());
        } else {
            Inference inference = c.inference().orElse(new Inference(TestTimeAugmentation.NONE,
                    PostProcessing.none()));
            recipe = new Recipe(c.recipe(), spec, c.epochs(), c.batchSize(), decode(file, c.loss(), LossSpec.class,
                    "loss"), decode(file, c.optimizer(), OptimizerSpec.class, "optimizer"),
                    decode(file, c.augmentation(), Augmentation.class, "augmentation"),
                    inference.testTimeAugmentation(), inference.postProcessing());
        }
        Optional<DataFormat> format;
        try {
            format = Optional.ofNullable(c.format()).map(DataFormat::parse);
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(file, "config.format: " + e.getMessage(), e);
        }
        TrainingConfig.DataSelection data = new TrainingConfig.DataSelection(Path.of(c.data()), format,
                c.skipCorrupt(), Optional.ofNullable(c.patients()), c.valPatients());
        return new TrainingConfig(recipe, seed, data, c.epochsOption() == null ? OptionalInt.empty()
                : OptionalInt.of(c.epochsOption()), c.checkpointEvery(), c.tensorboard(), c.histograms());
    }

    private static <T> T decode(Path file, JsonNode node, Class<T> type, String key) throws DataFormatException {
        if (node.isObject() && "custom".equals(node.path("type").asString(""))) {
            throw new DataFormatException(file, "config." + key + " is custom code (" + node.path("description")
                    .asString("") + "): it cannot be rebuilt from the record");
        }
        try {
            return Json.mapper().treeToValue(node, type);
        } catch (JacksonException e) {
            throw new DataFormatException(file, "config." + key + ": " + Json.describe(e), e);
        }
    }

    /**
     * What defines the training computation, in the form the run recorded it: the network spec and the recipe's
     * settings. Two runs of the same computation give equal trees.
     */
    public ObjectNode recipeTree() {
        ObjectNode m = Json.mapper().createObjectNode();
        m.set("spec", tree(spec));
        m.put("recipe", config.recipe());
        m.put("epochs", config.epochs());
        m.put("batch_size", config.batchSize());
        m.set("loss", config.loss());
        m.set("optimizer", config.optimizer());
        m.set("augmentation", config.augmentation());
        return m;
    }

    /** {@link #recipeTree} of {@code recipe}, its loss, optimiser and augmentation as text when {@code asText}. */
    public static ObjectNode recipeTree(Recipe recipe, boolean asText) {
        ObjectNode m = Json.mapper().createObjectNode();
        m.set("spec", tree(recipe.spec()));
        m.put("recipe", recipe.name());
        m.put("epochs", recipe.epochs());
        m.put("batch_size", recipe.batchSize());
        m.set("loss", asText ? StringNode.valueOf(String.valueOf(recipe.loss())) : tree(recipe.loss()));
        m.set("optimizer", asText ? StringNode.valueOf(String.valueOf(recipe.optimizer())) : tree(recipe.optimizer()));
        m.set("augmentation", asText ? StringNode.valueOf(String.valueOf(recipe.augmentation()))
                : augmentationTree(recipe.augmentation()));
        return m;
    }

    /** Where the run ran: environment and git commit. */
    public ObjectNode whereTree() {
        ObjectNode m = Json.mapper().createObjectNode();
        m.set("environment", tree(environment));
        m.set("git", git.map(TrainingProvenance::tree).orElse(null));
        return m;
    }

    /** Reads a run's {@code provenance.json}. */
    public static TrainingProvenance read(Path runDir) throws IOException {
        Path file = runDir.resolve(TrainingRun.PROVENANCE);
        if (!Files.isRegularFile(file)) {
            throw new DataFormatException(runDir, "not a training run directory: " + TrainingRun.PROVENANCE
                    + " is missing");
        }
        return Json.read(file, TrainingProvenance.class);
    }

    /** Writes it as {@code file}, atomically. */
    void write(Path file) throws IOException {
        Json.writeFile(file, this);
    }
}

package io.medseg.examples.cli;

import io.medseg.backend.Backend;
import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.DataFormat;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.examples.CardiacRecipe;
import io.medseg.io.AtomicFile;
import io.medseg.io.Json;
import io.medseg.io.SpecJson;
import io.medseg.mlops.DataManifest;
import io.medseg.mlops.TrainingRun;
import io.medseg.mlops.drift.DataProfile;
import io.medseg.recipe.Recipe;
import io.medseg.tf.tensorboard.TensorBoardListener;
import io.medseg.train.Trainer;
import io.medseg.train.TrainingListeners;
import io.medseg.train.TrainingResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One {@code segment train} run as the command line asked for it: the settings recorded in the run's provenance
 * ({@link #toConfig}) are exactly what {@code train --resume} and {@code reproduce} read back ({@link #fromConfig})
 * to run it again.
 */
final class TrainingJob {
    /** Name of the per-epoch training log written beside the model; {@code evaluate --report} plots it. */
    static final String TRAINING_LOG = "training-log.json";
    /** TensorBoard event files of the run: {@code steps/} (per-step scalars) and {@code epochs/}. */
    static final String TENSORBOARD_DIR = "tensorboard";
    /** Frames pictured in TensorBoard every epoch. */
    static final int PICTURED_FRAMES = 4;
    /** The training data's profile, the reference for {@code segment drift}. */
    static final String DATA_PROFILE = io.medseg.mlops.ModelPackage.DATA_PROFILE;
    /** Validation metrics of the final model, with the split they came from. */
    static final String METRICS_JSON = "metrics.json";

    final Path data;
    final DataFormat format;
    final boolean skipCorrupt;
    final List<String> patients;
    final List<String> valPatients;
    final Integer epochs;
    final long seed;
    final int checkpointEvery;
    final boolean tensorboard;
    final boolean histograms;

    TrainingJob(Path data, DataFormat format, boolean skipCorrupt, List<String> patients, List<String> valPatients,
            Integer epochs, long seed, int checkpointEvery, boolean tensorboard, boolean histograms) {
        this.data = data.toAbsolutePath().normalize();
        this.format = format;
        this.skipCorrupt = skipCorrupt;
        this.patients = patients == null ? null : List.copyOf(patients);
        this.valPatients = valPatients == null ? List.of() : List.copyOf(valPatients);
        this.epochs = epochs;
        this.seed = seed;
        this.checkpointEvery = checkpointEvery;
        this.tensorboard = tensorboard;
        this.histograms = histograms;
    }

    Recipe recipe() {
        Recipe r = CardiacRecipe.defaults();
        return epochs == null ? r : r.withEpochs(Inputs.positive(epochs, "--epochs"));
    }

    /** What the run records as its config: these settings plus the recipe they resolve to. */
    Map<String, Object> toConfig() {
        Recipe r = recipe();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("command", "train");
        c.put("recipe", r.name());
        c.put("data", data.toString());
        c.put("format", format == null ? null : DataOptions.name(format));
        c.put("skip_corrupt", skipCorrupt);
        c.put("patients", patients);
        c.put("val_patients", valPatients);
        c.put("epochs", r.epochs());
        c.put("epochs_option", epochs);
        c.put("batch_size", r.batchSize());
        c.put("loss", String.valueOf(r.loss()));
        c.put("optimizer", String.valueOf(r.optimizer()));
        c.put("augmentation", String.valueOf(r.augmentation()));
        c.put("checkpoint_every", checkpointEvery);
        c.put("tensorboard", tensorboard);
        c.put("histograms", histograms);
        return c;
    }

    /** The settings a run recorded, to run it again. */
    static TrainingJob fromConfig(Map<String, Object> c, long seed) {
        String f = (String) c.get("format");
        DataFormat format = f == null ? null : new DataOptions.FormatConverter().convert(f);
        Object ep = c.get("epochs_option");
        return new TrainingJob(Path.of(Json.getString(c, "data")), format, Json.getBoolean(c, "skip_corrupt"),
                strings(c.get("patients")), strings(c.get("val_patients")),
                ep == null ? null : ((Number) ep).intValue(), seed, Json.getInt(c, "checkpoint_every"),
                Json.getBoolean(c, "tensorboard"), Json.getBoolean(c, "histograms"));
    }

    private static List<String> strings(Object o) {
        if (o == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Object v : Json.array(o)) {
            out.add(String.valueOf(v));
        }
        return out;
    }

    /** What a finished run did, for the command's summary line. */
    record Outcome(TrainingResult result, String recipe, int frames, int patients) {
    }

    /** The training and validation data. */
    record Split(SegmentationDataset train, SegmentationDataset validation) {
    }

    Split load(PrintStream err) throws IOException {
        DataOptions options = new DataOptions();
        options.format = format;
        options.skipCorrupt = skipCorrupt;
        Set<String> val = new LinkedHashSet<>(valPatients);
        Set<String> ids = null;
        if (patients != null) {
            // validation patients are loaded too, whether or not they were also listed in --patients
            ids = new LinkedHashSet<>(patients);
            ids.addAll(val);
        }
        SegmentationDataset all = options.load(data, ids, err);
        SegmentationDataset validation = val.isEmpty() ? null : all.forPatients(val);
        SegmentationDataset train = all.withoutPatients(val);
        if (train.isEmpty()) {
            throw new UsageException(data + ": no labelled frames left to train on"
                    + (val.isEmpty() ? "" : " (every patient is in --val-patients)"));
        }
        return new Split(train, validation);
    }

    /** Starts a new run in {@code out}; {@code extraConfig} entries are recorded with the config. */
    Outcome start(Path out, Map<String, Object> extraConfig, PrintStream err) throws IOException {
        Split split = load(err);
        Backend backend = Backends.load();
        Recipe recipe = recipe();
        Map<String, Object> config = toConfig();
        config.putAll(extraConfig);
        config.put("train_patients", split.train().patients());
        config.put("train_frames", split.train().size());
        config.put("validation_frames", split.validation() == null ? 0 : split.validation().size());
        config.put("train_pixel_spacing_mm", spacingSummary(split.train()));
        TrainingRun run = TrainingRun.create(out, config, recipe.spec(), seed, DataManifest.of(data),
                backend.name(), backend.description());
        return execute(run, backend, split, err);
    }

    /**
     * Hashes the data again and refuses to go on when it differs from the run's data manifest, naming up to three
     * changed files.
     *
     * @return the current manifest (equal to the recorded one)
     */
    DataManifest requireRecordedData(Path runDir, String consequence) throws IOException {
        DataManifest then = DataManifest.read(runDir.resolve(TrainingRun.DATA_MANIFEST));
        DataManifest now = DataManifest.of(data);
        if (!now.aggregateSha256().equals(then.aggregateSha256())) {
            List<String> diff = now.differencesFrom(then);
            throw new UsageException(data + ": the data differ from the run's manifest (" + diff.size()
                    + " files: " + String.join(", ", diff.subList(0, Math.min(3, diff.size())))
                    + (diff.size() > 3 ? ", ..." : "") + "); " + consequence);
        }
        return now;
    }

    /** Continues the run in {@code runDir} from its newest complete checkpoint. */
    static Outcome resume(Path runDir, PrintStream err) throws IOException {
        TrainingRun run = TrainingRun.resume(runDir, w -> err.println("warning: skipping checkpoint " + w));
        TrainingJob job = fromConfig(run.config(), run.seed());
        job.requireRecordedData(run.dir(), "cannot resume on different data");
        if (!job.recipe().spec().equals(run.spec())) {
            throw new UsageException(runDir + ": the recorded spec differs from this library's recipe "
                    + job.recipe().name() + "; cannot resume with a different network");
        }
        err.println(run.resumeState().map(s -> "resuming " + runDir + " after epoch " + s.completedEpochs())
                .orElse("no complete checkpoint in " + runDir + ": starting it again from epoch 1"));
        Split split = job.load(err);
        return job.execute(run, Backends.load(), split, err);
    }

    private Outcome execute(TrainingRun run, Backend backend, Split split, PrintStream err)
            throws IOException {
        Recipe recipe = recipe();
        err.println("training " + recipe.name() + " on " + split.train().size() + " frames of "
                + split.train().patients().size() + " patients " + split.train().patients()
                + (split.validation() == null ? "" : "; selecting the best epoch on "
                        + split.validation().patients()) + "; run directory " + run.dir());
        try (SegmentationModel model = backend.create(recipe.spec(), seed);
                TensorBoardListener board = tensorboard ? TensorBoardListener.builder()
                        .logDir(run.dir().resolve(TENSORBOARD_DIR)).model(model).frames(pictureFrames(split))
                        .histograms(histograms).build() : null) {
            run.track(model);
            Trainer.Builder trainer = recipe.trainer(seed).keepBest(split.validation() != null)
                    .listener(TrainingListeners.progressBar(err)).listener(run)
                    .checkpointer(run, checkpointEvery);
            if (board != null) {
                trainer.listener(board);
            }
            TrainingResult result;
            try {
                result = trainer.build().fit(model, split.train().samples(),
                        split.validation() == null ? List.of() : split.validation().samples(),
                        run.resumeState().orElse(null));
                model.save(run.dir());
                writeTrainingLog(run.dir().resolve(TRAINING_LOG), recipe, seed, split.train(), result);
                Map<String, Object> metrics = validationMetrics(model, recipe, split);
                AtomicFile.writeString(run.dir().resolve(METRICS_JSON), Json.write(metrics));
                // the drift reference: the training images and the final model's predictions on them
                List<Image> trainImages = split.train().samples().stream().map(Sample::image).toList();
                DataProfile.of(trainImages, recipe.segmenter(model).predictAll(trainImages))
                        .write(run.dir().resolve(DATA_PROFILE));
                run.finish(result, Map.of("metrics", METRICS_JSON));
            } catch (IOException | RuntimeException | Error e) {
                run.fail(e);
                throw e;
            }
            return new Outcome(result, recipe.name(), split.train().size(), split.train().patients().size());
        }
    }

    /**
     * The final model's evaluation on the validation patients (or, when none were held out, on the training data,
     * said plainly in {@code split.kind}), through the recipe's inference (post-processing included).
     */
    static Map<String, Object> validationMetrics(SegmentationModel model, Recipe recipe, Split split) {
        boolean held = split.validation() != null;
        SegmentationDataset ds = held ? split.validation() : split.train();
        List<Mask> predicted = recipe.segmenter(model).predictAll(ds.samples().stream().map(Sample::image).toList());
        EvaluationReport report = EvaluationReport.compute(ds.samples(), predicted, model.spec().numClasses());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "medseg-metrics");
        m.put("formatVersion", 1);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("kind", held ? "validation" : "training");
        s.put("description", held ? "patients held out of training (--val-patients), used to pick the best epoch"
                : "no patients were held out: these are training-set figures and overstate accuracy on new patients");
        s.put("patients", ds.patients());
        s.put("frames", ds.size());
        m.put("split", s);
        m.put("dice_mean", report.diceMean());
        m.put("dice_global", report.diceGlobal());
        m.put("evaluation", report.toJsonMap());
        m.put("spec", SpecJson.toMap(model.spec()));
        return m;
    }

    /**
     * A fixed set of frames to picture each epoch: spread evenly over the validation frames (over the training
     * frames when nothing is held out), so basal and apical slices both appear.
     */
    static List<Sample> pictureFrames(Split split) {
        List<Sample> from = split.validation() != null ? split.validation().samples() : split.train().samples();
        List<Sample> out = new ArrayList<>();
        int n = Math.min(PICTURED_FRAMES, from.size());
        for (int i = 0; i < n; i++) {
            out.add(from.get((int) ((long) i * from.size() / n)));
        }
        return out;
    }

    /** Row and column pixel spacing of the training images: min, median, max (null when none has a spacing). */
    static Map<String, Object> spacingSummary(SegmentationDataset ds) {
        List<Double> rows = new ArrayList<>();
        List<Double> cols = new ArrayList<>();
        for (Sample s : ds.samples()) {
            s.image().spacing().ifPresent(sp -> {
                rows.add(sp.rowMm());
                cols.add(sp.colMm());
            });
        }
        if (rows.isEmpty()) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("row", range(rows));
        m.put("col", range(cols));
        m.put("images_with_spacing", rows.size());
        return m;
    }

    private static Map<String, Object> range(List<Double> v) {
        List<Double> sorted = v.stream().sorted().toList();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("min", sorted.get(0));
        m.put("median", sorted.get(sorted.size() / 2));
        m.put("max", sorted.get(sorted.size() - 1));
        return m;
    }

    static void writeTrainingLog(Path file, Recipe recipe, long seed, SegmentationDataset train,
            TrainingResult result) throws IOException {
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("recipe", recipe.name());
        log.put("seed", seed);
        log.put("train_images", train.size());
        log.put("train_patients", train.patients());
        log.put("best_epoch", result.bestEpoch());
        log.put("epochs", io.medseg.mlops.RunCheckpoints.historyToJson(result.history()));
        AtomicFile.writeString(file, Json.write(log));
    }
}

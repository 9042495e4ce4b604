package io.medseg.mlops;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.medseg.backend.Backend;
import io.medseg.backend.BackendUnavailableException;
import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.DataSources;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.io.Json;
import io.medseg.mlops.drift.DataProfile;
import io.medseg.recipe.Recipe;
import io.medseg.train.EpochResult;
import io.medseg.train.Trainer;
import io.medseg.train.TrainingListener;
import io.medseg.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training runs as library calls: {@link #start} trains a {@link TrainingConfig} into a run directory
 * ({@link TrainingRun}), {@link #resume} continues an interrupted run from its newest checkpoint, and
 * {@link #reproduce} trains a finished run again from its provenance and compares every step's loss. Each writes
 * the model, {@value #TRAINING_LOG}, {@value #METRICS_JSON} (the final model's evaluation with its split) and
 * {@value #DATA_PROFILE} (the drift reference) beside the run's own records.
 *
 * <pre>{@code
 * TrainingConfig config = TrainingConfig.of(recipe, 1, TrainingConfig.DataSelection.all(dataDir));
 * TrainingRuns.Outcome done = TrainingRuns.start(config, Path.of("runs/lv"), TrainingRuns.Hooks.defaults());
 * Reproduction again = TrainingRuns.reproduce(Path.of("runs/lv"), Path.of("runs/lv-again"), RecipeCatalog.none(),
 *         TrainingRuns.Hooks.defaults());
 * }</pre>
 *
 * <p>What a caller adds (console output, how data is read, TensorBoard, which backend) comes in through
 * {@link Hooks}.
 */
public final class TrainingRuns {
    /** The per-epoch training log written beside the model. */
    public static final String TRAINING_LOG = "training-log.json";
    /** The final model's evaluation, with the split it came from. */
    public static final String METRICS_JSON = "metrics.json";
    /** The training data's profile, the reference for drift checks. */
    public static final String DATA_PROFILE = "data-profile.json";
    /** A reproduction's comparison, in the reproduction's run directory. */
    public static final String REPRODUCTION = "reproduction.json";
    /** Frames pictured every epoch ({@link RunContext#picturedFrames}). */
    public static final int PICTURED_FRAMES = 4;

    private static final Logger LOG = LoggerFactory.getLogger(TrainingRuns.class);

    private TrainingRuns() {
    }

    /** What a caller plugs into a run. Every method has a default; override what you need. */
    public interface Hooks {
        /** A line for people: what the run is doing, a checkpoint skipped. Default: logged at INFO. */
        default void notice(String line) {
            LOG.info(line);
        }

        /**
         * Loads the selected data: every labelled frame of {@code selection.path()}, of {@code patients} only when
         * that is not null. Default: {@link DataSources#load(Path, io.medseg.data.DataFormat, boolean, Collection)}.
         */
        default SegmentationDataset load(TrainingConfig.DataSelection selection, Collection<String> patients)
                throws IOException {
            return DataSources.load(selection.path(), selection.format().orElse(null), selection.skipCorrupt(),
                    patients);
        }

        /** The backend to train with, asked for once the data is loaded. Default: {@link Backends#load()}. */
        default Backend backend() throws BackendUnavailableException {
            return Backends.load();
        }

        /**
         * Listeners of this run besides its own records (a progress bar, TensorBoard). Those that are
         * {@link AutoCloseable} are closed when training ends.
         */
        default List<TrainingListener> listeners(RunContext context) throws IOException {
            return List.of();
        }

        /** The defaults. */
        static Hooks defaults() {
            return new Hooks() {
            };
        }
    }

    /**
     * What a run's listeners may need.
     *
     * @param picturedFrames up to {@value #PICTURED_FRAMES} frames spread over the validation frames (over the
     *     training frames when nothing is held out), so basal and apical slices both appear
     */
    public record RunContext(Path runDir, TrainingConfig config, SegmentationModel model,
            List<Sample> picturedFrames) {
    }

    /** A finished run: its directory, the trainer's result and what it trained on. */
    public record Outcome(TrainingRun run, TrainingResult result, String recipe, int frames, int patients) {
    }

    /** The data a run trains and validates on; {@code validation} is null when nothing is held out. */
    record Split(SegmentationDataset train, SegmentationDataset validation) {
    }

    /** {@code training-log.json}: the recipe, seed, training data and every epoch. */
    record TrainingLog(String recipe, long seed, @JsonProperty("train_images") int trainImages,
            @JsonProperty("train_patients") List<String> trainPatients, @JsonProperty("best_epoch") int bestEpoch,
            List<EpochResult> epochs) {
    }

    /**
     * Starts a new run of {@code config} in {@code runDir} and trains it to the end.
     *
     * @throws IllegalArgumentException if the data selection names patients the data lacks or leaves nothing to
     *     train on
     * @throws IllegalStateException if {@code runDir} already holds a run
     */
    public static Outcome start(TrainingConfig config, Path runDir, Hooks hooks) throws IOException {
        return start(config, runDir, hooks, Optional.empty());
    }

    private static Outcome start(TrainingConfig config, Path runDir, Hooks hooks,
            Optional<TrainingRun.Reproduces> reproduces) throws IOException {
        Objects.requireNonNull(config, "config");
        Split split = load(config.data(), hooks);
        Backend backend = hooks.backend();
        TrainingRun run = TrainingRun.create(runDir, config, used(split), DataManifest.of(config.data().path()),
                Environment.current(backend.name(), backend.description()), reproduces);
        return execute(run, config, backend, split, hooks);
    }

    /**
     * Continues the run in {@code runDir} from its newest complete checkpoint, with its recorded config, on the
     * same data (verified by hash).
     *
     * @param legacy recipes by name, for runs of earlier versions that recorded their recipe as text
     * @throws IllegalArgumentException if the data no longer match the run's manifest, or the rebuilt recipe's
     *     network differs from the recorded one
     */
    public static Outcome resume(Path runDir, RecipeCatalog legacy, Hooks hooks) throws IOException {
        TrainingRun run = TrainingRun.resume(runDir, w -> hooks.notice("warning: skipping checkpoint " + w));
        TrainingConfig config = run.provenance().trainingConfig(run.dir().resolve(TrainingRun.PROVENANCE), legacy);
        requireRecordedData(run.dir(), config.data().path(), "cannot resume on different data");
        if (!config.recipe().spec().equals(run.spec())) {
            throw new IllegalArgumentException(runDir + ": the recorded spec differs from this library's recipe "
                    + config.recipe().name() + "; cannot resume with a different network");
        }
        hooks.notice(run.resumeState().map(s -> "resuming " + runDir + " after epoch " + s.completedEpochs())
                .orElse("no complete checkpoint in " + runDir + ": starting it again from epoch 1"));
        Split split = load(config.data(), hooks);
        return execute(run, config, hooks.backend(), split, hooks);
    }

    /**
     * Trains the completed run in {@code runDir} again from its provenance (same config, seed and, verified by
     * hash, the same data) into {@code target}, and compares the two runs' losses step by step. The comparison is
     * also written to {@code target}/{@value #REPRODUCTION}.
     *
     * @param legacy recipes by name, for runs of earlier versions that recorded their recipe as text; when such a
     *     recipe no longer matches the record, each difference is a warning through {@link Hooks#notice}
     * @throws IllegalArgumentException if the run is not completed or the data differ from its manifest
     */
    public static Reproduction reproduce(Path runDir, Path target, RecipeCatalog legacy, Hooks hooks)
            throws IOException {
        Path dir = runDir.toAbsolutePath().normalize();
        TrainingProvenance provenance = TrainingProvenance.read(dir);
        if (provenance.run().status() != TrainingProvenance.RunStatus.COMPLETED) {
            throw new IllegalArgumentException(dir + ": the run is not completed (status "
                    + provenance.run().status().id() + "): resume it before reproducing it");
        }
        TrainingConfig config = provenance.trainingConfig(dir.resolve(TrainingRun.PROVENANCE), legacy);
        DataManifest now = requireRecordedData(dir, config.data().path(), "a reproduction needs the same data");
        // a recipe rebuilt from this library: say so up front when it no longer matches what was recorded
        List<JsonDiff.Change> recipeChanges = JsonDiff.diff(provenance.recipeTree(),
                TrainingProvenance.recipeTree(config.recipe(), provenance.config().recipeAsText()));
        for (JsonDiff.Change c : recipeChanges) {
            hooks.notice("warning: this library's recipe differs from the recorded one: " + c);
        }
        hooks.notice("reproducing " + dir + " (data verified: " + now.files().size() + " files, sha256 "
                + now.aggregateSha256().substring(0, 12) + "...) into " + target);
        start(config, target, hooks, Optional.of(new TrainingRun.Reproduces(dir, provenance.run().id())));
        Reproduction r = Reproduction.compare(dir, provenance, target.toAbsolutePath().normalize(),
                TrainingProvenance.read(target), recipeChanges);
        Json.writeFile(target.resolve(REPRODUCTION), r);
        return r;
    }

    /**
     * Hashes {@code data} again and refuses to go on when it differs from the run's data manifest, naming up to three
     * changed files.
     *
     * @param consequence what cannot be done, for the message
     * @return the current manifest (equal to the recorded one)
     */
    public static DataManifest requireRecordedData(Path runDir, Path data, String consequence) throws IOException {
        DataManifest then = DataManifest.read(runDir.resolve(TrainingRun.DATA_MANIFEST));
        DataManifest now = DataManifest.of(data);
        if (!now.aggregateSha256().equals(then.aggregateSha256())) {
            List<String> diff = now.differencesFrom(then);
            throw new IllegalArgumentException(data + ": the data differ from the run's manifest (" + diff.size()
                    + " files: " + String.join(", ", diff.subList(0, Math.min(3, diff.size())))
                    + (diff.size() > 3 ? ", ..." : "") + "); " + consequence);
        }
        return now;
    }

    private static Split load(TrainingConfig.DataSelection d, Hooks hooks) throws IOException {
        Set<String> val = new LinkedHashSet<>(d.validationPatients());
        Set<String> ids = null;
        if (d.patients().isPresent()) {
            // validation patients are loaded too, whether or not they were also listed in the patients to use
            ids = new LinkedHashSet<>(d.patients().get());
            ids.addAll(val);
        }
        SegmentationDataset all = hooks.load(d, ids);
        SegmentationDataset validation = val.isEmpty() ? null : all.forPatients(val);
        SegmentationDataset train = all.withoutPatients(val);
        if (train.isEmpty()) {
            throw new IllegalArgumentException(d.path() + ": no labelled frames left to train on"
                    + (val.isEmpty() ? "" : " (every patient is in --val-patients)"));
        }
        return new Split(train, validation);
    }

    private static TrainingProvenance.DataUsed used(Split split) {
        return new TrainingProvenance.DataUsed(split.train().patients(), split.train().size(),
                split.validation() == null ? 0 : split.validation().size(), spacingSummary(split.train()));
    }

    private static Outcome execute(TrainingRun run, TrainingConfig config, Backend backend, Split split,
            Hooks hooks) throws IOException {
        Recipe recipe = config.recipe();
        hooks.notice("training " + recipe.name() + " on " + split.train().size() + " frames of "
                + split.train().patients().size() + " patients " + split.train().patients()
                + (split.validation() == null ? "" : "; selecting the best epoch on "
                        + split.validation().patients()) + "; run directory " + run.dir());
        try (SegmentationModel model = backend.create(recipe.spec(), config.seed())) {
            List<AutoCloseable> toClose = new ArrayList<>();
            try {
                return train(run, config, model, split, hooks, toClose);
            } finally {
                // before the model: a listener may still hold on to it
                closeAll(toClose);
            }
        }
    }

    private static Outcome train(TrainingRun run, TrainingConfig config, SegmentationModel model, Split split,
            Hooks hooks, List<AutoCloseable> toClose) throws IOException {
        Recipe recipe = config.recipe();
        long seed = config.seed();
        run.track(model);
        Trainer.Builder trainer = recipe.trainer(seed).keepBest(split.validation() != null);
        for (TrainingListener l : hooks.listeners(new RunContext(run.dir(), config, model, pictureFrames(split)))) {
            if (l instanceof AutoCloseable c) {
                toClose.add(c);
            }
            trainer.listener(l);
        }
        trainer.listener(run).checkpointer(run, config.checkpointEvery());
        TrainingResult result;
        try {
            result = trainer.build().fit(model, split.train().samples(),
                    split.validation() == null ? List.of() : split.validation().samples(),
                    run.resumeState().orElse(null));
            model.save(run.dir());
            Json.writeFile(run.dir().resolve(TRAINING_LOG), new TrainingLog(recipe.name(), seed,
                    split.train().size(), split.train().patients(), result.bestEpoch(), result.history()));
            finalMetrics(model, recipe, split).write(run.dir().resolve(METRICS_JSON));
            // the drift reference: the training images and the final model's predictions on them
            List<Image> trainImages = split.train().samples().stream().map(Sample::image).toList();
            DataProfile.of(trainImages, recipe.segmenter(model).predictAll(trainImages))
                    .write(run.dir().resolve(DATA_PROFILE));
            run.finish(result, Optional.of(METRICS_JSON));
        } catch (IOException | RuntimeException | Error e) {
            run.fail(e);
            throw e;
        }
        return new Outcome(run, result, recipe.name(), split.train().size(), split.train().patients().size());
    }

    private static void closeAll(List<AutoCloseable> closeables) throws IOException {
        IOException failure = null;
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                failure = failure == null ? new IOException("cannot close a run listener: " + e.getMessage(), e)
                        : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * The final model's evaluation on the validation patients (or, when none were held out, on the training data,
     * said plainly in the split), through the recipe's inference (post-processing included).
     */
    static ModelMetrics finalMetrics(SegmentationModel model, Recipe recipe, Split split) {
        boolean held = split.validation() != null;
        SegmentationDataset ds = held ? split.validation() : split.train();
        List<Mask> predicted = recipe.segmenter(model).predictAll(ds.samples().stream().map(Sample::image).toList());
        EvaluationReport report = EvaluationReport.compute(ds.samples(), predicted, model.spec().numClasses());
        return ModelMetrics.of(report, held, ds.patients(), ds.size(), model.spec(), model.precision());
    }

    static List<Sample> pictureFrames(Split split) {
        List<Sample> from = split.validation() != null ? split.validation().samples() : split.train().samples();
        List<Sample> out = new ArrayList<>();
        int n = Math.min(PICTURED_FRAMES, from.size());
        for (int i = 0; i < n; i++) {
            out.add(from.get((int) ((long) i * from.size() / n)));
        }
        return out;
    }

    /** Row and column pixel spacing of the training images (null when none has a spacing). */
    static TrainingProvenance.SpacingSummary spacingSummary(SegmentationDataset ds) {
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
        return new TrainingProvenance.SpacingSummary(TrainingProvenance.Range.of(rows),
                TrainingProvenance.Range.of(cols), rows.size());
    }
}

package io.medseg.mlops;

import io.medseg.backend.SegmentationModel;
import io.medseg.data.DataFormatException;
import io.medseg.io.AtomicFile;
import io.medseg.io.FileTrees;
import io.medseg.io.Json;
import io.medseg.io.WriteFailures;
import io.medseg.model.UNetSpec;
import io.medseg.train.Checkpointer;
import io.medseg.train.EpochResult;
import io.medseg.train.TrainerState;
import io.medseg.train.TrainingListener;
import io.medseg.train.TrainingResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A training run's directory: the model and everything that made it, kept together.
 *
 * <pre>
 * RUN_DIR/
 *   provenance.json      config, spec, seed, data summary, environment, git commit, times, status, result
 *   data-manifest.json   every input file with its SHA-256, and one aggregate hash
 *   metrics.jsonl        one JSON object per finished epoch (loss, val_dice, learning_rate, seconds)
 *   losses.csv           the loss of every optimisation step (exact float text), for reproduction checks
 *   checkpoints/         the newest complete checkpoints ({@link RunCheckpoints})
 *   best/                the best validation epoch's model so far (runs with validation data)
 *   saved_model.pb, variables/, model.json   the final model, written by the caller when training ends
 * </pre>
 *
 * <p>Every file is written atomically (temporary file, then rename), so a run killed at any moment leaves no
 * corrupt file; {@code provenance.json} says {@code running} until {@link #finish} and {@link #resume} continues
 * from the newest complete checkpoint. Use it as the trainer's listener and checkpointer:
 *
 * <pre>{@code
 * TrainingRun run = TrainingRun.create(dir, config, used, DataManifest.of(data), Environment.current(...),
 *         Optional.empty());
 * run.track(model);
 * TrainingResult r = trainer.listener(run).checkpointer(run, 1).build().fit(model, train, val);
 * model.save(dir);
 * run.finish(r, Optional.empty());
 * }</pre>
 *
 * <p>{@link TrainingRuns} does all of this (data, model, metrics, drift profile) for a {@link TrainingConfig}.
 */
public final class TrainingRun implements TrainingListener, Checkpointer {
    public static final String PROVENANCE = "provenance.json";
    public static final String DATA_MANIFEST = "data-manifest.json";
    public static final String METRICS = "metrics.jsonl";
    public static final String LOSSES = "losses.csv";
    public static final String CHECKPOINTS = "checkpoints";
    public static final String BEST = "best";
    static final String FORMAT = "medseg-run";

    /** The run a reproduction reproduces: its directory and run id, recorded in the new run's config. */
    public record Reproduces(Path dir, String runId) {
    }

    private final Path dir;
    private volatile TrainingProvenance provenance;
    private final RunCheckpoints checkpoints;
    private final Optional<TrainerState> resumeState;
    private final List<EpochResult> history = new ArrayList<>();
    private final List<String> lossRows = new ArrayList<>();
    private SegmentationModel model;
    private int batchesPerEpoch;
    private double bestDice = Double.NEGATIVE_INFINITY;

    private TrainingRun(Path dir, TrainingProvenance provenance, Optional<TrainerState> resumeState,
            List<String> lossRows) {
        this.dir = dir;
        this.provenance = provenance;
        this.checkpoints = new RunCheckpoints(dir.resolve(CHECKPOINTS), 2);
        this.resumeState = resumeState;
        this.lossRows.addAll(lossRows);
        resumeState.ifPresent(s -> {
            history.addAll(s.history());
            if (s.bestValidationDice().isPresent()) {
                bestDice = s.bestValidationDice().getAsDouble();
            }
        });
    }

    /**
     * Starts a new run in {@code dir} (created if needed) and writes its provenance and data manifest.
     *
     * @param config what the run does
     * @param used what the config's data selection resolved to (training patients and frames, pixel spacing)
     * @param data the manifest of the data read
     * @param environment where it runs ({@link Environment#current})
     * @param reproduces the run this one reproduces, when it is a reproduction
     * @throws IllegalStateException if {@code dir} already holds a run
     */
    public static TrainingRun create(Path dir, TrainingConfig config, TrainingProvenance.DataUsed used,
            DataManifest data, Environment environment, Optional<Reproduces> reproduces) throws IOException {
        Objects.requireNonNull(config, "config");
        Path root = dir.toAbsolutePath().normalize();
        if (Files.exists(root.resolve(PROVENANCE))) {
            throw new IllegalStateException(root + " already holds a training run: resume it or choose another "
                    + "folder");
        }
        Files.createDirectories(root);
        TrainingProvenance p = TrainingProvenance.start(config, used, data, environment, GitInfo.of(Path.of("")),
                reproduces.map(r -> r.dir().toString()), reproduces.map(Reproduces::runId));
        data.write(root.resolve(DATA_MANIFEST));
        TrainingRun r = new TrainingRun(root, p, Optional.empty(), List.of());
        r.writeProvenance();
        return r;
    }

    /**
     * Opens an existing run to continue it from its newest complete checkpoint (or from the start when none was
     * written). Checkpoints that fail verification are reported to {@code warnings} and skipped.
     *
     * @throws DataFormatException if {@code dir} is not a run directory
     */
    public static TrainingRun resume(Path dir, Consumer<String> warnings) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        TrainingProvenance p = TrainingProvenance.read(root);
        Optional<TrainerState> state = new RunCheckpoints(root.resolve(CHECKPOINTS), 2).latest(warnings);
        long keepSteps = state.map(TrainerState::steps).orElse(0L);
        List<String> rows = new ArrayList<>();
        Path losses = root.resolve(LOSSES);
        if (Files.isRegularFile(losses)) {
            List<String> lines = Files.readAllLines(losses, StandardCharsets.UTF_8);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.split(",", -1);
                if (f.length == 4 && Long.parseLong(f[0]) <= keepSteps) {
                    rows.add(line);
                }
            }
        }
        TrainingProvenance.RunInfo run = p.run();
        List<TrainingProvenance.Resume> resumed = new ArrayList<>(run.resumed());
        resumed.add(new TrainingProvenance.Resume(Instant.now(), state.map(TrainerState::completedEpochs).orElse(0),
                run.status()));
        TrainingProvenance resumedRun = p.withRun(new TrainingProvenance.RunInfo(run.id(),
                TrainingProvenance.RunStatus.RUNNING, run.started(), resumed, Optional.empty(), Optional.empty()));
        TrainingRun r = new TrainingRun(root, resumedRun, state, rows);
        r.writeProvenance();
        return r;
    }

    /** Reads a run's {@code provenance.json}. */
    public static TrainingProvenance readProvenance(Path runDir) throws IOException {
        return TrainingProvenance.read(runDir);
    }

    /** The per-step losses recorded in a run's {@code losses.csv}, in step order. */
    public static List<Float> readLosses(Path runDir) throws IOException {
        Path file = runDir.resolve(LOSSES);
        if (!Files.isRegularFile(file)) {
            throw new DataFormatException(runDir, "no " + LOSSES + " in this run directory");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Float> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            if (f.length != 4) {
                throw new DataFormatException(file, "line " + (i + 1) + " does not have 4 fields");
            }
            try {
                out.add(Float.parseFloat(f[3]));
            } catch (NumberFormatException e) {
                throw new DataFormatException(file, "line " + (i + 1) + ": the loss is not a number", e);
            }
        }
        return out;
    }

    public Path dir() {
        return dir;
    }

    /** The provenance as it stands. */
    public TrainingProvenance provenance() {
        return provenance;
    }

    public long seed() {
        return provenance.seed();
    }

    public UNetSpec spec() {
        return provenance.spec();
    }

    /** The checkpoint a resumed run continues from; empty for a new run or one with no checkpoint yet. */
    public Optional<TrainerState> resumeState() {
        return resumeState;
    }

    /** The model being trained: needed to save the best epoch's model into {@code best/}. */
    public TrainingRun track(SegmentationModel trained) {
        this.model = Objects.requireNonNull(trained, "model");
        return this;
    }

    @Override
    public void onTrainingStart(io.medseg.train.TrainingPlan plan) {
        batchesPerEpoch = plan.batchesPerEpoch();
    }

    @Override
    public void onBatchEnd(int epoch, int batch, float loss) {
        long step = (long) (epoch - 1) * batchesPerEpoch + batch;
        lossRows.add(step + "," + epoch + "," + batch + "," + Float.toString(loss));
    }

    @Override
    public void onEpochEnd(EpochResult result) {
        history.add(result);
        try {
            StringBuilder sb = new StringBuilder();
            for (EpochResult e : history) {
                sb.append(Json.writeCompact(e)).append('\n');
            }
            AtomicFile.writeString(dir.resolve(METRICS), sb.toString());
            AtomicFile.writeString(dir.resolve(LOSSES), "step,epoch,batch,loss\n" + String.join("\n", lossRows)
                    + (lossRows.isEmpty() ? "" : "\n"));
            if (result.validationDice().isPresent() && result.validationDice().getAsDouble() > bestDice) {
                bestDice = result.validationDice().getAsDouble();
                if (model != null) {
                    saveModelAtomically(model, dir.resolve(BEST));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record epoch " + result.epoch() + " in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void save(TrainerState state, SegmentationModel trained) throws IOException {
        checkpoints.save(state);
    }

    /**
     * Saves a model into a fresh hidden folder and renames it onto {@code target}, so {@code target} is either the
     * previous complete model or the new complete one, never a mix.
     */
    public static void saveModelAtomically(SegmentationModel m, Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        String stamp = Long.toUnsignedString(System.nanoTime(), 36);
        Path fresh = parent.resolve("." + target.getFileName() + ".new-" + stamp);
        Path old = parent.resolve("." + target.getFileName() + ".old-" + stamp);
        try {
            m.save(fresh);
            if (Files.exists(target)) {
                Files.move(target, old, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(fresh, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw WriteFailures.naming(target.toAbsolutePath(), e);
        } finally {
            FileTrees.deleteTree(fresh);
            FileTrees.deleteTree(old);
        }
    }

    /**
     * Marks the run completed, with its end time and a summary of the result; {@code metrics} names the file with
     * the final model's evaluation, when one was written.
     */
    public void finish(TrainingResult result, Optional<String> metrics) throws IOException {
        TrainingProvenance.RunInfo run = provenance.run();
        provenance = provenance.withRun(new TrainingProvenance.RunInfo(run.id(),
                TrainingProvenance.RunStatus.COMPLETED, run.started(), run.resumed(), Optional.of(Instant.now()),
                Optional.empty())).withResult(TrainingProvenance.RunResult.of(result, metrics));
        writeProvenance();
    }

    /** Marks the run failed with the error's message; the newest checkpoint stays for {@link #resume}. */
    public void fail(Throwable error) {
        TrainingProvenance.RunInfo run = provenance.run();
        provenance = provenance.withRun(new TrainingProvenance.RunInfo(run.id(), TrainingProvenance.RunStatus.FAILED,
                run.started(), run.resumed(), Optional.of(Instant.now()), Optional.of(String.valueOf(
                        error.getMessage()))));
        try {
            writeProvenance();
        } catch (IOException e) {
            error.addSuppressed(e);
        }
    }

    private void writeProvenance() throws IOException {
        provenance.write(dir.resolve(PROVENANCE));
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "TrainingRun[%s, %s]", dir, provenance.run().status().id());
    }
}

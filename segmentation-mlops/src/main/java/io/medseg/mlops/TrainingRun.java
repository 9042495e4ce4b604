package io.medseg.mlops;

import io.medseg.backend.SegmentationModel;
import io.medseg.data.DataFormatException;
import io.medseg.io.AtomicFile;
import io.medseg.io.FileTrees;
import io.medseg.io.Json;
import io.medseg.io.SpecJson;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
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
 * TrainingRun run = TrainingRun.create(dir, config, spec, seed, DataManifest.of(data), backend);
 * run.track(model);
 * TrainingResult r = trainer.listener(run).checkpointer(run, 1).build().fit(model, train, val);
 * model.save(dir);
 * run.finish(r, Map.of());
 * }</pre>
 */
public final class TrainingRun implements TrainingListener, Checkpointer {
    public static final String PROVENANCE = "provenance.json";
    public static final String DATA_MANIFEST = "data-manifest.json";
    public static final String METRICS = "metrics.jsonl";
    public static final String LOSSES = "losses.csv";
    public static final String CHECKPOINTS = "checkpoints";
    public static final String BEST = "best";
    static final String FORMAT = "medseg-run";

    private final Path dir;
    private final Map<String, Object> provenance;
    private final RunCheckpoints checkpoints;
    private final Optional<TrainerState> resumeState;
    private final List<EpochResult> history = new ArrayList<>();
    private final List<String> lossRows = new ArrayList<>();
    private SegmentationModel model;
    private int batchesPerEpoch;
    private double bestDice = Double.NEGATIVE_INFINITY;

    private TrainingRun(Path dir, Map<String, Object> provenance, Optional<TrainerState> resumeState,
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
     * @param config how the run was asked for (recipe, options, data path...), kept verbatim for reproduction
     * @throws IllegalStateException if {@code dir} already holds a run
     */
    public static TrainingRun create(Path dir, Map<String, Object> config, UNetSpec spec, long seed,
            DataManifest data, String backendName, String backendDescription) throws IOException {
        Objects.requireNonNull(config, "config");
        Path root = dir.toAbsolutePath().normalize();
        if (Files.exists(root.resolve(PROVENANCE))) {
            throw new IllegalStateException(root + " already holds a training run: resume it or choose another "
                    + "folder");
        }
        Files.createDirectories(root);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("format", FORMAT);
        p.put("formatVersion", 1);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("id", UUID.randomUUID().toString());
        run.put("status", "running");
        run.put("started", Instant.now().toString());
        run.put("resumed", new ArrayList<>());
        p.put("run", run);
        p.put("seed", seed);
        p.put("config", config);
        p.put("spec", SpecJson.toMap(spec));
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("root", data.root());
        d.put("file_count", data.files().size());
        d.put("total_bytes", data.totalBytes());
        d.put("aggregate_sha256", data.aggregateSha256());
        d.put("manifest", DATA_MANIFEST);
        p.put("data", d);
        p.put("environment", Provenance.environment(backendName, backendDescription));
        Provenance.git(Path.of("")).ifPresent(g -> p.put("git", g));
        AtomicFile.writeString(root.resolve(DATA_MANIFEST), Json.write(data.toMap()));
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
        Map<String, Object> p = readProvenance(root);
        Optional<TrainerState> state = new RunCheckpoints(root.resolve(CHECKPOINTS), 2).latest(warnings);
        long keepSteps = state.map(TrainerState::steps).orElse(0L);
        List<String> rows = new ArrayList<>();
        Path losses = root.resolve(LOSSES);
        if (Files.isRegularFile(losses)) {
            List<String> lines = Files.readAllLines(losses, StandardCharsets.UTF_8);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.split(",");
                if (f.length == 4 && Long.parseLong(f[0]) <= keepSteps) {
                    rows.add(line);
                }
            }
        }
        Map<String, Object> run = Json.getObject(p, "run");
        Map<String, Object> resumed = new LinkedHashMap<>();
        resumed.put("time", Instant.now().toString());
        resumed.put("from_epoch", state.map(TrainerState::completedEpochs).orElse(0));
        resumed.put("previous_status", run.get("status"));
        Json.getArray(run, "resumed").add(resumed);
        run.put("status", "running");
        run.remove("ended");
        run.remove("error");
        TrainingRun r = new TrainingRun(root, p, state, rows);
        r.writeProvenance();
        return r;
    }

    /** Reads a run's {@code provenance.json}. */
    public static Map<String, Object> readProvenance(Path runDir) throws IOException {
        Path file = runDir.resolve(PROVENANCE);
        if (!Files.isRegularFile(file)) {
            throw new DataFormatException(runDir, "not a training run directory: " + PROVENANCE + " is missing");
        }
        Map<String, Object> p;
        try {
            p = Json.object(Json.parse(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(file, "unreadable provenance: " + e.getMessage(), e);
        }
        if (!FORMAT.equals(p.get("format"))) {
            throw new DataFormatException(file, "not a training run's provenance (format: " + p.get("format") + ")");
        }
        return p;
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
            String[] f = lines.get(i).split(",");
            if (f.length != 4) {
                throw new DataFormatException(file, "line " + (i + 1) + " does not have 4 fields");
            }
            out.add(Float.parseFloat(f[3]));
        }
        return out;
    }

    public Path dir() {
        return dir;
    }

    /** The provenance document as it stands (a live view; do not modify). */
    public Map<String, Object> provenance() {
        return provenance;
    }

    /** The recorded config. */
    public Map<String, Object> config() {
        return Json.getObject(provenance, "config");
    }

    public long seed() {
        return Json.getLong(provenance, "seed");
    }

    public UNetSpec spec() {
        return SpecJson.fromMap(Json.getObject(provenance, "spec"));
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
                sb.append(Json.writeCompact(RunCheckpoints.epochToJson(e))).append('\n');
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
        } finally {
            FileTrees.deleteTree(fresh);
            FileTrees.deleteTree(old);
        }
    }

    /** Marks the run completed, with its end time and a summary of the result plus {@code extra} entries. */
    public void finish(TrainingResult result, Map<String, Object> extra) throws IOException {
        Map<String, Object> run = Json.getObject(provenance, "run");
        run.put("status", "completed");
        run.put("ended", Instant.now().toString());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("epochs", result.history().size());
        r.put("steps", result.steps());
        r.put("final_loss", result.history().get(result.history().size() - 1).trainLoss());
        r.put("best_epoch", result.bestEpoch());
        if (result.bestValidationDice().isPresent()) {
            r.put("best_validation_dice", result.bestValidationDice().getAsDouble());
        }
        r.put("training_seconds", result.history().stream().mapToDouble(EpochResult::seconds).sum());
        r.putAll(extra);
        provenance.put("result", r);
        writeProvenance();
    }

    /** Marks the run failed with the error's message; the newest checkpoint stays for {@link #resume}. */
    public void fail(Throwable error) {
        Map<String, Object> run = Json.getObject(provenance, "run");
        run.put("status", "failed");
        run.put("ended", Instant.now().toString());
        run.put("error", String.valueOf(error.getMessage()));
        try {
            writeProvenance();
        } catch (IOException e) {
            error.addSuppressed(e);
        }
    }

    private void writeProvenance() throws IOException {
        AtomicFile.writeString(dir.resolve(PROVENANCE), Json.write(provenance));
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "TrainingRun[%s, %s]", dir, Json.getObject(provenance, "run").get("status"));
    }
}

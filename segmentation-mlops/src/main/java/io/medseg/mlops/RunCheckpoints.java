package io.medseg.mlops;

import io.medseg.backend.ModelState;
import io.medseg.io.FileTrees;
import io.medseg.io.Json;
import io.medseg.train.EpochResult;
import io.medseg.train.TrainerState;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Consumer;

/**
 * Training checkpoints in a run's {@code checkpoints/} folder, one folder per checkpoint ({@code epoch-0012/}):
 * {@code weights.bin}, {@code optimizer.bin}, {@code best.bin} (when the trainer keeps the best epoch) in the
 * {@link ModelState} binary format, and {@code checkpoint.json} with the epoch, step count, history and the
 * SHA-256 of each binary file. A checkpoint is written into a hidden folder and renamed into place when complete,
 * so a run killed at any moment leaves only complete checkpoints under their final names; reading verifies the
 * hashes and falls back to the previous checkpoint if one does not verify. The newest {@code keep} are kept.
 */
public final class RunCheckpoints {
    static final String JSON = "checkpoint.json";
    private static final String PREFIX = "epoch-";

    private final Path dir;
    private final int keep;

    public RunCheckpoints(Path dir, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("checkpoints to keep must be >= 1: " + keep);
        }
        this.dir = dir;
        this.keep = keep;
    }

    public Path dir() {
        return dir;
    }

    /** Writes a checkpoint of {@code state} and removes the oldest beyond the number to keep. */
    public Path save(TrainerState state) throws IOException {
        Files.createDirectories(dir);
        String name = String.format(java.util.Locale.ROOT, PREFIX + "%04d", state.completedEpochs());
        Path tmp = Files.createDirectory(dir.resolve("." + name + ".partial-"
                + Long.toUnsignedString(System.nanoTime(), 36)));
        Path target = dir.resolve(name);
        try {
            Map<String, Object> files = new LinkedHashMap<>();
            files.put("weights.bin", writeState(tmp.resolve("weights.bin"), state.weights()));
            files.put("optimizer.bin", writeState(tmp.resolve("optimizer.bin"), state.optimizer()));
            if (state.best().isPresent()) {
                files.put("best.bin", writeState(tmp.resolve("best.bin"), state.best().get()));
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("format", "medseg-checkpoint");
            json.put("formatVersion", 1);
            json.put("completed_epochs", state.completedEpochs());
            json.put("steps", state.steps());
            json.put("best_epoch", state.bestEpoch());
            if (state.bestValidationDice().isPresent()) {
                json.put("best_validation_dice", state.bestValidationDice().getAsDouble());
            }
            json.put("history", historyToJson(state.history()));
            json.put("files", files);
            Files.writeString(tmp.resolve(JSON), Json.write(json), StandardCharsets.UTF_8);
            if (Files.exists(target)) {
                FileTrees.deleteTree(target);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(tmp)) {
                FileTrees.deleteTree(tmp);
            }
        }
        prune();
        return target;
    }

    private static String writeState(Path file, ModelState state) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            state.writeTo(out);
        }
        return Hashing.sha256(file);
    }

    private void prune() throws IOException {
        List<Path> all = list();
        for (int i = keep; i < all.size(); i++) {
            FileTrees.deleteTree(all.get(i));
        }
    }

    /** Complete-looking checkpoint folders, newest first. */
    public List<Path> list() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*")) {
            for (Path p : ds) {
                if (Files.isRegularFile(p.resolve(JSON))) {
                    out.add(p);
                }
            }
        }
        out.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
        return out;
    }

    /**
     * The newest checkpoint whose files verify, or empty when there is none. Each checkpoint that is skipped
     * (unreadable, a hash that does not match) is described to {@code skipped}.
     */
    public Optional<TrainerState> latest(Consumer<String> skipped) throws IOException {
        for (Path p : list()) {
            try {
                return Optional.of(read(p));
            } catch (IOException | IllegalArgumentException e) {
                skipped.accept(p + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Reads and verifies one checkpoint folder. */
    public static TrainerState read(Path checkpoint) throws IOException {
        Map<String, Object> json = Json.object(Json.parse(Files.readString(checkpoint.resolve(JSON),
                StandardCharsets.UTF_8)));
        if (!"medseg-checkpoint".equals(json.get("format"))) {
            throw new IOException("not a checkpoint (format: " + json.get("format") + ")");
        }
        Map<String, Object> files = Json.getObject(json, "files");
        ModelState weights = readState(checkpoint, "weights.bin", files);
        ModelState optimizer = readState(checkpoint, "optimizer.bin", files);
        Optional<ModelState> best = files.containsKey("best.bin")
                ? Optional.of(readState(checkpoint, "best.bin", files)) : Optional.empty();
        OptionalDouble bestDice = json.containsKey("best_validation_dice")
                ? OptionalDouble.of(Json.getDouble(json, "best_validation_dice")) : OptionalDouble.empty();
        return new TrainerState(Json.getInt(json, "completed_epochs"), Json.getLong(json, "steps"), weights,
                optimizer, historyFromJson(Json.getArray(json, "history")), Json.getInt(json, "best_epoch"),
                bestDice, best);
    }

    private static ModelState readState(Path checkpoint, String name, Map<String, Object> files) throws IOException {
        Path file = checkpoint.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IOException(name + " is missing");
        }
        String expected = Json.getString(files, name);
        String actual = Hashing.sha256(file);
        if (!actual.equals(expected)) {
            throw new IOException(name + " does not match its recorded SHA-256 (" + actual + " vs " + expected + ")");
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return ModelState.readFrom(in);
        }
    }

    /** Epoch results as JSON objects: epoch, loss, val_dice (when present), learning_rate, seconds. */
    public static List<Object> historyToJson(List<EpochResult> history) {
        List<Object> out = new ArrayList<>();
        for (EpochResult e : history) {
            out.add(epochToJson(e));
        }
        return out;
    }

    public static Map<String, Object> epochToJson(EpochResult e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", e.epoch());
        m.put("loss", e.trainLoss());
        if (e.validationDice().isPresent()) {
            m.put("val_dice", e.validationDice().getAsDouble());
        }
        m.put("learning_rate", e.learningRate());
        m.put("seconds", e.seconds());
        return m;
    }

    public static List<EpochResult> historyFromJson(List<Object> list) {
        List<EpochResult> out = new ArrayList<>();
        for (Object o : list) {
            Map<String, Object> m = Json.object(o);
            out.add(new EpochResult(Json.getInt(m, "epoch"), Json.getDouble(m, "loss"),
                    m.containsKey("val_dice") ? OptionalDouble.of(Json.getDouble(m, "val_dice"))
                            : OptionalDouble.empty(),
                    Json.getDouble(m, "learning_rate"), Json.getDouble(m, "seconds")));
        }
        return out;
    }

}

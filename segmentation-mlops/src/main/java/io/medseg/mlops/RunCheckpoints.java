package io.medseg.mlops;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.medseg.backend.ModelState;
import io.medseg.data.DataFormatException;
import io.medseg.io.FileTrees;
import io.medseg.io.Json;
import io.medseg.io.TextFields;
import io.medseg.io.WriteFailures;
import io.medseg.train.EpochResult;
import io.medseg.train.TrainerState;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
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
 * hashes and falls back to the previous checkpoint if one does not verify. The newest {@code keep} are kept; an
 * older one (or one written again) is renamed to a hidden name before it is deleted, so that a kill mid-delete
 * never leaves a {@code checkpoint.json} beside missing weights.
 */
public final class RunCheckpoints {
    static final String JSON = "checkpoint.json";
    static final String FORMAT = "medseg-checkpoint";
    static final int FORMAT_VERSION = 1;
    private static final String WEIGHTS = "weights.bin";
    private static final String OPTIMIZER = "optimizer.bin";
    private static final String BEST = "best.bin";
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
            Map<String, String> files = new LinkedHashMap<>();
            files.put(WEIGHTS, writeState(tmp.resolve(WEIGHTS), state.weights()));
            files.put(OPTIMIZER, writeState(tmp.resolve(OPTIMIZER), state.optimizer()));
            if (state.best().isPresent()) {
                files.put(BEST, writeState(tmp.resolve(BEST), state.best().get()));
            }
            CheckpointJson json = new CheckpointJson(FORMAT, FORMAT_VERSION, state.completedEpochs(), state.steps(),
                    state.bestEpoch(), state.bestValidationDice(), state.history(), files);
            Files.writeString(tmp.resolve(JSON), Json.write(json), StandardCharsets.UTF_8);
            if (Files.exists(target)) {
                FileTrees.deleteTreeAside(target);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // the hidden folder is deleted below: name the checkpoint the user will look for
            throw WriteFailures.naming(target, e);
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
            // renamed away first: a kill mid-delete must not leave a checkpoint.json beside missing weights
            FileTrees.deleteTreeAside(all.get(i));
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
        CheckpointJson json = Json.read(checkpoint.resolve(JSON), CheckpointJson.class);
        ModelState weights = readState(checkpoint, WEIGHTS, json.files());
        ModelState optimizer = readState(checkpoint, OPTIMIZER, json.files());
        Optional<ModelState> best = json.files().containsKey(BEST)
                ? Optional.of(readState(checkpoint, BEST, json.files())) : Optional.empty();
        return new TrainerState(json.completedEpochs(), json.steps(), weights, optimizer, json.history(),
                json.bestEpoch(), json.bestValidationDice(), best);
    }

    /** {@code checkpoint.json}: where training stood and the SHA-256 of each state file. */
    record CheckpointJson(String format, int formatVersion, @JsonProperty("completed_epochs") int completedEpochs,
            long steps, @JsonProperty("best_epoch") int bestEpoch,
            @JsonProperty("best_validation_dice") OptionalDouble bestValidationDice, List<EpochResult> history,
            Map<String, String> files) {
        CheckpointJson {
            if (!FORMAT.equals(format)) {
                throw new IllegalArgumentException("not a checkpoint (format: " + format + ")");
            }
            bestValidationDice = bestValidationDice == null ? OptionalDouble.empty() : bestValidationDice;
            history = List.copyOf(history);
            files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
        }
    }

    private static ModelState readState(Path checkpoint, String name, Map<String, String> files) throws IOException {
        Path file = checkpoint.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new DataFormatException(file, "missing from the checkpoint");
        }
        String expected = files.get(name);
        if (expected == null) {
            throw new DataFormatException(checkpoint.resolve(JSON), "no SHA-256 recorded for " + name);
        }
        String actual = Hashing.sha256(file);
        if (!actual.equals(expected)) {
            throw new DataFormatException(file, "does not match its SHA-256 in " + JSON + " (" + actual + " vs "
                    + TextFields.excerpt(expected, 64) + ")");
        }
        return ModelState.read(file);
    }
}

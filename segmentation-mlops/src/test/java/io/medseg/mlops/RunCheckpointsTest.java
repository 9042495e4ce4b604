package io.medseg.mlops;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.backend.ModelState;
import io.medseg.train.EpochResult;
import io.medseg.train.TrainerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCheckpointsTest {
    private static TrainerState state(int epoch, float w) {
        return new TrainerState(epoch, epoch * 3L, new ModelState(Map.of("w", new float[] {w, w + 1})),
                new ModelState(Map.of("m", new float[] {w / 2})), IntStream.rangeClosed(1, epoch).mapToObj(
                        e -> new EpochResult(e, 1.0 / e, OptionalDouble.empty(), 1e-3, 0.1)).toList(), 0,
                OptionalDouble.empty(), Optional.empty());
    }

    @Test
    void theOldestIsRemovedWholeAndARewrittenEpochReplacesItsFolderWithNothingLeftBehind(@TempDir Path tmp)
            throws Exception {
        RunCheckpoints store = new RunCheckpoints(tmp.resolve("checkpoints"), 2);
        for (int e = 1; e <= 3; e++) {
            store.save(state(e, e));
        }
        store.save(state(3, 30)); // epoch 3 again (a resume after its checkpoint failed to verify)
        try (Stream<Path> s = Files.list(tmp.resolve("checkpoints"))) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted()).containsExactly("epoch-0002", "epoch-0003");
        }
        assertThat(RunCheckpoints.read(tmp.resolve("checkpoints/epoch-0003")).weights().get("w"))
                .containsExactly(30f, 31f);
        assertThat(RunCheckpoints.read(tmp.resolve("checkpoints/epoch-0002")).steps()).isEqualTo(6);
    }
}

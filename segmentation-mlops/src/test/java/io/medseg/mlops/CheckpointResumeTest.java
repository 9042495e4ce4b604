package io.medseg.mlops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.backend.Backends;
import io.medseg.backend.ModelState;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Sample;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.optim.Optimizers;
import io.medseg.testdata.TinyData;
import io.medseg.train.EpochResult;
import io.medseg.train.Trainer;
import io.medseg.train.TrainerState;
import io.medseg.train.TrainingListener;
import io.medseg.train.TrainingResult;
import io.medseg.transform.Augmentations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints on disk carry weights and Adam's state exactly: a resumed run repeats the uninterrupted one. */
class CheckpointResumeTest {
    private static final UNetSpec TINY = UNet.builder().inputShape(32, 32, 1).numClasses(2).depth(2).baseFilters(4)
            .build();

    private static Trainer.Builder trainer(RunCheckpoints store, List<Float> losses) {
        return Trainer.builder().epochs(4).batchSize(4).seed(3).optimizer(Optimizers.adam(1e-2))
                .augmentation(Augmentations.flips(0.5, 0.5))
                .checkpointer((state, model) -> store.save(state), 1)
                .listener(new TrainingListener() {
                    @Override
                    public void onBatchEnd(int epoch, int batch, float loss) {
                        losses.add(loss);
                    }
                });
    }

    @Test
    void resumingFromADiskCheckpointRepeatsTheUninterruptedLossesBitForBit(@TempDir Path tmp) throws Exception {
        List<Sample> data = TinyData.rectangles(14, 32, 5);
        List<Sample> train = data.subList(0, 10);
        List<Sample> val = data.subList(10, 14);

        RunCheckpoints whole = new RunCheckpoints(tmp.resolve("whole"), 10);
        List<Float> fullLosses = new ArrayList<>();
        TrainingResult full;
        ModelState finalWeights;
        try (SegmentationModel m = Backends.load().create(TINY, 11)) {
            full = trainer(whole, fullLosses).build().fit(m, train, val);
            finalWeights = m.snapshot();
        }
        assertThat(whole.list()).extracting(p -> p.getFileName().toString())
                .containsExactly("epoch-0004", "epoch-0003", "epoch-0002", "epoch-0001");

        TrainerState afterTwo = RunCheckpoints.read(whole.dir().resolve("epoch-0002"));
        assertThat(afterTwo.steps()).isEqualTo(6);
        assertThat(afterTwo.optimizer().size()).isEqualTo(2 * countTrainable(afterTwo));
        List<Float> resumedLosses = new ArrayList<>();
        TrainingResult resumed;
        try (SegmentationModel m = Backends.load().create(TINY, 999)) { // other initial weights: all restored
            resumed = trainer(new RunCheckpoints(tmp.resolve("resumed"), 10), resumedLosses).build()
                    .fit(m, train, val, afterTwo);
            ModelState end = m.snapshot();
            for (String name : finalWeights.names()) {
                assertThat(end.get(name)).as(name).containsExactly(finalWeights.get(name));
            }
        }
        assertThat(resumedLosses).containsExactlyElementsOf(fullLosses.subList(6, fullLosses.size()));
        assertThat(resumed.lossCurve()).containsExactly(full.lossCurve());
        assertThat(resumed.history()).extracting(EpochResult::validationDice)
                .containsExactlyElementsOf(full.history().stream().map(EpochResult::validationDice).toList());
        assertThat(resumed.bestEpoch()).isEqualTo(full.bestEpoch());
    }

    private static long countTrainable(TrainerState s) {
        long n = 0;
        for (String name : s.weights().names()) {
            if (!name.contains("bn_moving")) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aDamagedCheckpointIsSkippedForTheOneBefore(@TempDir Path tmp) throws Exception {
        RunCheckpoints store = new RunCheckpoints(tmp.resolve("ck"), 3);
        try (SegmentationModel m = Backends.load().create(TINY, 1)) {
            trainer(store, new ArrayList<>()).epochs(2).build().fit(m, TinyData.rectangles(8, 32, 2), List.of());
        }
        Path newest = store.dir().resolve("epoch-0002/optimizer.bin");
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length / 2] ^= 1;
        Files.write(newest, bytes);
        List<String> skipped = new ArrayList<>();
        TrainerState state = store.latest(skipped::add).orElseThrow();
        assertThat(state.completedEpochs()).isEqualTo(1);
        assertThat(skipped).singleElement().asString().contains("epoch-0002").contains("optimizer.bin")
                .contains("SHA-256");
        // a state for another optimiser does not fit the session
        try (SegmentationModel m = Backends.load().create(TINY, 1)) {
            Trainer sgd = Trainer.builder().epochs(3).batchSize(4).optimizer(Optimizers.sgd(1e-2, 0.9)).build();
            assertThatThrownBy(() -> sgd.fit(m, TinyData.rectangles(8, 32, 2), List.of(), state))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("optimizer state");
        }
    }
}

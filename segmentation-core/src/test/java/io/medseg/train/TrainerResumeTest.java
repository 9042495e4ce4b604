package io.medseg.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.backend.ModelState;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.loss.Losses;
import io.medseg.model.Normalization;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.optim.Optimizers;
import io.medseg.testdata.FakeSegmentationModel;
import io.medseg.transform.Augmentations;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TrainerResumeTest {
    private static final UNetSpec SPEC = UNet.builder().inputShape(4, 4, 1).numClasses(2).depth(1).baseFilters(2)
            .normalization(Normalization.none()).build();

    private static Sample sample(int i) {
        float[] px = new float[16];
        byte[] lab = new byte[16];
        px[0] = (i + 1) / 100f;
        px[5 + i % 10] = 1f;
        lab[5 + i % 10] = 1;
        return new Sample("s" + i, "p" + i, Image.of(4, 4, px), Mask.of(4, 4, lab));
    }

    private static final List<Sample> TRAIN = IntStream.range(0, 10).mapToObj(TrainerResumeTest::sample).toList();
    private static final List<Sample> VAL = IntStream.range(10, 13).mapToObj(TrainerResumeTest::sample).toList();

    private static Trainer.Builder trainer(List<TrainerState> saved) {
        return Trainer.builder().epochs(5).batchSize(4).seed(7).loss(Losses.crossEntropy())
                .augmentation(Augmentations.flips(0.5, 0.5))
                .optimizer(Optimizers.adam(Optimizers.cosine(1e-2, 0.01)))
                .checkpointer((state, model) -> saved.add(state), 2);
    }

    @Test
    void checkpointsEveryNEpochsAndAfterTheLast() {
        List<TrainerState> saved = new ArrayList<>();
        trainer(saved).build().fit(new FakeSegmentationModel(SPEC), TRAIN, VAL);
        assertThat(saved).extracting(TrainerState::completedEpochs).containsExactly(2, 4, 5);
        assertThat(saved).extracting(TrainerState::steps).containsExactly(6L, 12L, 15L);
        assertThat(saved.get(1).history()).extracting(EpochResult::epoch).containsExactly(1, 2, 3, 4);
        assertThat(saved.get(1).weights().get("version")[0]).isEqualTo(12f);
        assertThat(saved.get(1).optimizer().get("steps")[0]).isEqualTo(12f);
    }

    @Test
    void aResumedRunRepeatsTheUninterruptedRunsStepsExactly() {
        List<TrainerState> saved = new ArrayList<>();
        FakeSegmentationModel whole = new FakeSegmentationModel(SPEC);
        TrainingResult full = trainer(saved).build().fit(whole, TRAIN, VAL);

        FakeSegmentationModel resumed = new FakeSegmentationModel(SPEC);
        List<TrainingPlan> plans = new ArrayList<>();
        List<Integer> epochsSeen = new ArrayList<>();
        TrainingResult rest = trainer(new ArrayList<>()).listener(new TrainingListener() {
            @Override
            public void onTrainingStart(TrainingPlan plan) {
                plans.add(plan);
            }

            @Override
            public void onEpochEnd(EpochResult r) {
                epochsSeen.add(r.epoch());
            }
        }).build().fit(resumed, TRAIN, VAL, saved.get(0));

        // epochs 3..5 only, with the batches, rates and losses of the uninterrupted run's steps 7..15
        assertThat(plans).containsExactly(new TrainingPlan(5, 3, 10, 3, 4, 3));
        assertThat(epochsSeen).containsExactly(3, 4, 5);
        assertThat(resumed.session.images).hasSize(9);
        for (int i = 0; i < 9; i++) {
            assertThat(resumed.session.images.get(i)).containsExactly(whole.session.images.get(6 + i));
            assertThat(resumed.session.labels.get(i)).containsExactly(whole.session.labels.get(6 + i));
        }
        assertThat(resumed.session.learningRates).containsExactlyElementsOf(
                whole.session.learningRates.subList(6, 15));
        assertThat(rest.lossCurve()).containsExactly(full.lossCurve());
        assertThat(rest.history()).extracting(EpochResult::epoch).containsExactly(1, 2, 3, 4, 5);
        assertThat(rest.bestEpoch()).isEqualTo(full.bestEpoch());
        assertThat(resumed.restoredVersions.get(0)).isEqualTo(6);
    }

    @Test
    void refusesAStateFromAnotherPlan() {
        List<TrainerState> saved = new ArrayList<>();
        trainer(saved).build().fit(new FakeSegmentationModel(SPEC), TRAIN, VAL);
        TrainerState afterTwo = saved.get(0);
        Trainer fewer = trainer(new ArrayList<>()).epochs(1).build();
        assertThatThrownBy(() -> fewer.fit(new FakeSegmentationModel(SPEC), TRAIN, VAL, afterTwo))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plans 1");
        Trainer otherBatch = trainer(new ArrayList<>()).batchSize(2).build();
        assertThatThrownBy(() -> otherBatch.fit(new FakeSegmentationModel(SPEC), TRAIN, VAL, afterTwo))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 batches per epoch");
    }

    @Test
    void modelStateSurvivesItsBinaryFormatBitForBit() throws IOException {
        Map<String, float[]> values = new LinkedHashMap<>();
        values.put("unet/enc1/conv1/weights", new float[] {1.5f, -0f, Float.MIN_VALUE, Float.NaN, 3e38f});
        values.put("empty", new float[0]);
        ModelState state = new ModelState(values);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        state.writeTo(bytes);
        ModelState back = ModelState.readFrom(new ByteArrayInputStream(bytes.toByteArray()));
        assertThat(back.names()).containsExactly("unet/enc1/conv1/weights", "empty");
        float[] w = back.get("unet/enc1/conv1/weights");
        for (int i = 0; i < w.length; i++) {
            assertThat(Float.floatToRawIntBits(w[i]))
                    .isEqualTo(Float.floatToRawIntBits(values.get("unet/enc1/conv1/weights")[i]));
        }
        byte[] all = bytes.toByteArray();
        assertThatThrownBy(() -> ModelState.readFrom(new ByteArrayInputStream(Arrays.copyOf(all, all.length - 3))))
                .isInstanceOf(IOException.class).hasMessageContaining("truncated");
        byte[] bad = all.clone();
        bad[0] = 'X';
        assertThatThrownBy(() -> ModelState.readFrom(new ByteArrayInputStream(bad)))
                .isInstanceOf(IOException.class).hasMessageContaining("magic");
    }
}

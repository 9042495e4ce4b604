package io.medseg.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.loss.Losses;
import io.medseg.model.Normalization;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.optim.LearningRateSchedule;
import io.medseg.optim.Optimizers;
import io.medseg.testdata.FakeSegmentationModel;
import io.medseg.testdata.FakeSegmentationModel.FakeSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TrainerTest {

    private static final UNetSpec SPEC = UNet.builder().inputShape(4, 4, 1).numClasses(2).depth(1).baseFilters(2)
            .normalization(Normalization.none()).build();
    private static final int PIXELS = 16;

    /**
     * Sample i: pixel 0 holds the code (i + 1) / 100 (below the fake network's 0.5 threshold) so a recorded batch
     * tells which sample it came from; one foreground pixel, labelled 1 in the mask, at a position that depends
     * on i.
     */
    private static Sample sample(int i) {
        float[] px = new float[PIXELS];
        byte[] lab = new byte[PIXELS];
        px[0] = (i + 1) / 100f;
        int fg = 5 + i % 10;
        px[fg] = 1f;
        lab[fg] = 1;
        return new Sample("s" + i, "p" + i, Image.of(4, 4, px), Mask.of(4, 4, lab));
    }

    private static List<Sample> samples(int n) {
        return IntStream.range(0, n).mapToObj(TrainerTest::sample).toList();
    }

    /** The sample indices of every recorded batch, flattened in training order. */
    private static List<Integer> order(FakeSession s) {
        List<Integer> ids = new ArrayList<>();
        for (int b = 0; b < s.images.size(); b++) {
            for (int i = 0; i < s.batchSizes.get(b); i++) {
                ids.add(Math.round(s.images.get(b)[i * PIXELS] * 100) - 1);
            }
        }
        return ids;
    }

    private static Trainer.Builder trainer() {
        return Trainer.builder().epochs(3).batchSize(4).seed(1).optimizer(Optimizers.adam(1e-3))
                .loss(Losses.crossEntropy());
    }

    @Test
    void usesCeilOfSamplesOverBatchSizeBatchesWithTheLastOneSmaller() {
        FakeSegmentationModel model = new FakeSegmentationModel(SPEC);
        TrainingResult r = trainer().build().fit(model, samples(10), List.of());
        assertThat(model.session.batchSizes).containsExactly(4, 4, 2, 4, 4, 2, 4, 4, 2);
        assertThat(model.session.images).extracting(a -> a.length)
                .containsExactly(64, 64, 32, 64, 64, 32, 64, 64, 32);
        assertThat(model.session.labels).extracting(a -> a.length)
                .containsExactly(64, 64, 32, 64, 64, 32, 64, 64, 32);
        assertThat(r.steps()).isEqualTo(9);
        assertThat(r.history()).hasSize(3);
        assertThat(model.session.closed).isTrue();
        assertThat(model.lastLoss).isEqualTo(Losses.crossEntropy());
    }

    @Test
    void everyEpochSeesEverySampleOnceWithItsOwnLabels() {
        FakeSegmentationModel model = new FakeSegmentationModel(SPEC);
        List<Sample> train = samples(10);
        trainer().build().fit(model, train, List.of());
        List<Integer> order = order(model.session);
        for (int e = 0; e < 3; e++) {
            assertThat(order.subList(e * 10, e * 10 + 10)).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        }
        FakeSession s = model.session;
        for (int b = 0; b < s.images.size(); b++) {
            for (int i = 0; i < s.batchSizes.get(b); i++) {
                int id = Math.round(s.images.get(b)[i * PIXELS] * 100) - 1;
                byte[] labels = Arrays.copyOfRange(s.labels.get(b), i * PIXELS, (i + 1) * PIXELS);
                assertThat(labels).as("labels of sample %d", id).containsExactly(train.get(id).mask().toArray());
                float[] image = Arrays.copyOfRange(s.images.get(b), i * PIXELS, (i + 1) * PIXELS);
                assertThat(image).containsExactly(train.get(id).image().toArray());
            }
        }
    }

    @Test
    void listenersAreCalledInOrderWithThePlan() {
        List<String> events = new ArrayList<>();
        List<TrainingPlan> plans = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override
            public void onTrainingStart(TrainingPlan plan) {
                plans.add(plan);
                events.add("start");
            }

            @Override
            public void onBatchEnd(int epoch, int batch, float loss) {
                events.add("batch " + epoch + "." + batch);
            }

            @Override
            public void onEpochEnd(EpochResult result) {
                events.add("epoch " + result.epoch());
            }

            @Override
            public void onTrainingEnd(TrainingResult result) {
                events.add("end " + result.history().size());
            }
        };
        trainer().epochs(2).listener(l).build().fit(new FakeSegmentationModel(SPEC), samples(10), samples(3));
        assertThat(plans).containsExactly(new TrainingPlan(2, 3, 10, 3, 4));
        assertThat(events).containsExactly("start",
                "batch 1.1", "batch 1.2", "batch 1.3", "epoch 1",
                "batch 2.1", "batch 2.2", "batch 2.3", "epoch 2",
                "end 2");
    }

    @Test
    void batchLossesAndEpochMeansComeFromTheSession() {
        List<Float> losses = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override
            public void onBatchEnd(int epoch, int batch, float loss) {
                losses.add(loss);
            }
        };
        TrainingResult r = trainer().epochs(2).listener(l).build()
                .fit(new FakeSegmentationModel(SPEC), samples(10), List.of());
        // the fake session returns 1 / step
        assertThat(losses).containsExactly(1f, 1f / 2, 1f / 3, 1f / 4, 1f / 5, 1f / 6);
        assertThat(r.lossCurve()).containsExactly(new double[] {
            (1.0 + 1f / 2 + 1f / 3) / 3, ((double) (1f / 4) + 1f / 5 + 1f / 6) / 3}, within(1e-7));
        assertThat(r.lossCurve()[1]).isLessThan(r.lossCurve()[0]);
    }

    @Test
    void eachEpochUsesTheScheduleLearningRate() {
        LearningRateSchedule schedule = Optimizers.step(0.1, 1, 0.5);
        FakeSegmentationModel model = new FakeSegmentationModel(SPEC);
        TrainingResult r = trainer().optimizer(Optimizers.sgd(schedule, 0.9, false)).build()
                .fit(model, samples(10), List.of());
        assertThat(model.session.learningRates).containsExactly(0.1f, 0.1f, 0.1f, 0.05f, 0.05f, 0.05f, 0.025f,
                0.025f, 0.025f);
        assertThat(r.history()).extracting(EpochResult::learningRate)
                .containsExactly((double) 0.1f, (double) 0.05f, (double) 0.025f);
    }

    @Test
    void sameSeedGivesIdenticalBatchesAndAnotherSeedAnotherOrder() {
        FakeSegmentationModel a = new FakeSegmentationModel(SPEC);
        FakeSegmentationModel b = new FakeSegmentationModel(SPEC);
        FakeSegmentationModel c = new FakeSegmentationModel(SPEC);
        trainer().seed(11).build().fit(a, samples(10), List.of());
        trainer().seed(11).build().fit(b, samples(10), List.of());
        trainer().seed(12).build().fit(c, samples(10), List.of());
        assertThat(b.session.images).hasSameSizeAs(a.session.images);
        for (int i = 0; i < a.session.images.size(); i++) {
            assertThat(b.session.images.get(i)).containsExactly(a.session.images.get(i));
            assertThat(b.session.labels.get(i)).containsExactly(a.session.labels.get(i));
        }
        assertThat(order(b.session)).isEqualTo(order(a.session));
        assertThat(order(c.session)).isNotEqualTo(order(a.session));
    }

    @Test
    void keepBestRestoresTheBestValidationEpoch() {
        FakeSegmentationModel model = new FakeSegmentationModel(SPEC);
        // one step per epoch, so the version after epoch e is e; the network sees only in version 2
        model.blindVersions.addAll(Set.of(1, 3, 4));
        TrainingResult r = trainer().epochs(4).batchSize(10).build().fit(model, samples(10), samples(4));
        assertThat(r.history()).extracting(h -> h.validationDice().getAsDouble()).containsExactly(0.0, 1.0, 0.0,
                0.0);
        assertThat(r.bestEpoch()).isEqualTo(2);
        assertThat(r.bestValidationDice()).hasValue(1.0);
        assertThat(r.selection()).isEqualTo(TrainingResult.Selection.BEST_VALIDATION_DICE);
        assertThat(r.summary()).isEqualTo("kept epoch 2, the best validation Dice (1.0000)");
        assertThat(model.restoredVersions).containsExactly(2);
        assertThat(model.version).isEqualTo(2);
    }

    @Test
    void keepBestTakesTheEarliestEpochOnTies() {
        FakeSegmentationModel model = new FakeSegmentationModel(SPEC);
        model.blindVersions.add(1);
        TrainingResult r = trainer().epochs(3).batchSize(10).build().fit(model, samples(10), samples(4));
        assertThat(r.bestEpoch()).isEqualTo(2);
        assertThat(model.restoredVersions).containsExactly(2);
        assertThat(model.snapshots).isEqualTo(2); // epoch 1 (first) and epoch 2 (better); epoch 3 only ties
    }

    @Test
    void withoutKeepBestTheLastEpochStays() {
        FakeSegmentationModel model = new FakeSegmentationModel(SPEC);
        model.blindVersions.addAll(Set.of(1, 3));
        TrainingResult r = trainer().epochs(3).batchSize(10).keepBest(false).build()
                .fit(model, samples(10), samples(4));
        assertThat(r.bestEpoch()).isEqualTo(3);
        assertThat(r.bestValidationDice()).hasValue(0.0);
        assertThat(r.selection()).isEqualTo(TrainingResult.Selection.LAST_EPOCH_SELECTION_OFF);
        assertThat(r.summary()).isEqualTo("kept the last epoch (3, validation Dice 0.0000): best-epoch selection off");
        assertThat(model.restoredVersions).isEmpty();
        assertThat(model.version).isEqualTo(3);
    }

    @Test
    void withoutValidationTheResultHasNoDice() {
        FakeSegmentationModel model = new FakeSegmentationModel(SPEC);
        TrainingResult r = trainer().epochs(2).build().fit(model, samples(5), List.of());
        assertThat(r.bestEpoch()).isEqualTo(2);
        assertThat(r.bestValidationDice()).isEmpty();
        // keeping the best is on by default, but there is nothing to select by
        assertThat(r.selection()).isEqualTo(TrainingResult.Selection.LAST_EPOCH_NO_VALIDATION);
        assertThat(r.summary()).isEqualTo("kept the last epoch (2): no validation data to select an epoch by");
        assertThat(r.history()).allSatisfy(h -> assertThat(h.validationDice()).isEmpty());
        assertThat(model.restoredVersions).isEmpty();
    }

    @Test
    void labelBeyondTheModelClassesIsRejectedNamingTheSample() {
        List<Sample> train = new ArrayList<>(samples(3));
        byte[] lab = new byte[PIXELS];
        lab[3] = 2;
        train.add(new Sample("bad-slice", "p9", Image.of(4, 4, new float[PIXELS]), Mask.of(4, 4, lab)));
        FakeSegmentationModel model = new FakeSegmentationModel(SPEC);
        assertThatThrownBy(() -> trainer().build().fit(model, train, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad-slice")
                .hasMessageContaining("label 2")
                .hasMessageContaining("2 classes");
        assertThat(model.session).isNull();
    }

    @Test
    void emptyTrainingSetIsRejected() {
        assertThatThrownBy(() -> trainer().build().fit(new FakeSegmentationModel(SPEC), List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no training samples");
    }

    @Test
    void builderReportsEveryInvalidSettingAtOnce() {
        assertThatThrownBy(() -> Trainer.builder().epochs(0).batchSize(0).loss(null).optimizer(null)
                .augmentation(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("epochs must be >= 1: 0")
                .hasMessageContaining("batch size must be in 1..4096: 0")
                .hasMessageContaining("loss must not be null")
                .hasMessageContaining("optimizer must not be null")
                .hasMessageContaining("augmentation must not be null");
        assertThatThrownBy(() -> Trainer.builder().batchSize(4097).build())
                .hasMessageContaining("4097");
    }

    @Test
    void nanLossStopsTrainingNamingTheEpoch() {
        FakeSegmentationModel model = new FakeSegmentationModel(SPEC);
        model.nanAtStep = 5; // 3 batches per epoch: epoch 2, batch 2
        List<Integer> epochsEnded = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override
            public void onEpochEnd(EpochResult result) {
                epochsEnded.add(result.epoch());
            }
        };
        assertThatThrownBy(() -> trainer().listener(l).build().fit(model, samples(10), List.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("NaN")
                .hasMessageContaining("epoch 2")
                .hasMessageContaining("batch 2");
        assertThat(model.session.batchSizes).hasSize(5);
        assertThat(model.session.closed).isTrue();
        assertThat(epochsEnded).containsExactly(1);
    }

    @Test
    void validationDiceIsTheMeanForegroundDice() {
        FakeSegmentationModel model = new FakeSegmentationModel(SPEC);
        List<Sample> val = new ArrayList<>(samples(3));
        // a sample whose foreground is invisible to the network (value 0.4 < 0.5): Dice 0
        float[] px = new float[PIXELS];
        byte[] lab = new byte[PIXELS];
        px[7] = 0.4f;
        lab[7] = 1;
        val.add(new Sample("hidden", "p", Image.of(4, 4, px), Mask.of(4, 4, lab)));
        assertThat(Trainer.validationDice(model, val)).isCloseTo(3.0 / 4, within(1e-12));
    }
}

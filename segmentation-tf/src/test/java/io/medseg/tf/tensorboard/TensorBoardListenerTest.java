package io.medseg.tf.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.loss.Losses;
import io.medseg.metrics.Dice;
import io.medseg.model.Normalization;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.optim.Optimizers;
import io.medseg.testdata.FakeSegmentationModel;
import io.medseg.train.EpochResult;
import io.medseg.train.Trainer;
import io.medseg.train.TrainingPlan;
import io.medseg.train.TrainingResult;
import io.medseg.viz.Overlays;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalDouble;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.SessionLog;
import org.tensorflow.proto.Summary;

class TensorBoardListenerTest {
    private static final UNetSpec SPEC = UNet.builder().inputShape(4, 4, 1).numClasses(2).depth(1).baseFilters(2)
            .normalization(Normalization.none()).build();

    @TempDir
    Path tmp;

    /** Sample i: a bright foreground square whose size depends on i, on a dark ramp. */
    private static Sample sample(int i) {
        float[] px = new float[16];
        byte[] lab = new byte[16];
        for (int p = 0; p < 16; p++) {
            px[p] = p / 100f;
        }
        for (int p : new int[] {5, 6, 9, 10}) {
            if (p != 10 || i % 2 == 0) {
                px[p] = 1f;
                lab[p] = 1;
            }
        }
        return new Sample("s" + i, "p" + i, Image.of(4, 4, px), Mask.of(4, 4, lab));
    }

    private static List<Sample> samples(int n) {
        return IntStream.range(0, n).mapToObj(TensorBoardListenerTest::sample).toList();
    }

    @Test
    void aTrainingRunLogsEveryTagAtItsSteps() throws Exception {
        FakeSegmentationModel model = new FakeSegmentationModel(SPEC);
        List<Sample> validation = samples(3);
        TensorBoardListener tb = TensorBoardListener.builder().logDir(tmp).model(model)
                .frames(validation.subList(0, 2)).histograms(true).build();
        // 10 samples in batches of 4: 3 batches per epoch; the rate halves every epoch
        TrainingResult result = Trainer.builder().epochs(2).batchSize(4).seed(3).loss(Losses.crossEntropy())
                .optimizer(Optimizers.adam(Optimizers.step(1e-2, 1, 0.5))).listener(tb).build()
                .fit(model, samples(10), validation);

        List<Event> steps = EventFiles.read(EventFiles.single(tb.stepsDir()));
        assertThat(steps.get(0).getFileVersion()).isEqualTo(EventFileWriter.FILE_VERSION);
        assertThat(steps.get(1).getSessionLog().getStatus()).isEqualTo(SessionLog.SessionStatus.START);
        assertThat(steps.get(1).getStep()).isEqualTo(1);
        assertThat(EventFiles.tags(steps)).containsExactlyInAnyOrder("train/loss", "train/learning_rate");
        assertThat(EventFiles.steps(steps, "train/loss")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        // the fake session's loss is 1 / step
        assertThat(EventFiles.values(steps, "train/loss")).extracting(t -> t.value().getSimpleValue())
                .containsExactly(1f, 1f / 2, 1f / 3, 1f / 4, 1f / 5, 1f / 6);
        assertThat(EventFiles.steps(steps, "train/learning_rate")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(EventFiles.values(steps, "train/learning_rate")).extracting(t -> t.value().getSimpleValue())
                .containsExactly(1e-2f, 1e-2f, 1e-2f, 5e-3f, 5e-3f, 5e-3f);

        List<Event> epochs = EventFiles.read(EventFiles.single(tb.epochsDir()));
        assertThat(epochs.get(0).getFileVersion()).isEqualTo(EventFileWriter.FILE_VERSION);
        assertThat(epochs.get(1).getSessionLog().getStatus()).isEqualTo(SessionLog.SessionStatus.START);
        assertThat(epochs.get(1).getStep()).isEqualTo(1);
        assertThat(EventFiles.tags(epochs)).containsExactlyInAnyOrder("epoch/loss", "epoch/val_dice",
                "epoch/learning_rate", "frames/s0/input", "frames/s0/expert", "frames/s0/prediction",
                "frames/s1/input", "frames/s1/expert", "frames/s1/prediction", "weights/version",
                "frames/dice_mean", "frames/s0/dice", "frames/s1/dice");
        for (String tag : List.of("epoch/loss", "epoch/val_dice", "epoch/learning_rate", "frames/s0/prediction",
                "frames/s1/prediction", "weights/version", "frames/dice_mean", "frames/s0/dice", "frames/s1/dice")) {
            assertThat(EventFiles.steps(epochs, tag)).as(tag).containsExactly(1L, 2L);
        }
        for (String tag : List.of("frames/s0/input", "frames/s0/expert", "frames/s1/input", "frames/s1/expert")) {
            assertThat(EventFiles.steps(epochs, tag)).as(tag).containsExactly(1L);
        }
        for (int e = 0; e < 2; e++) {
            EpochResult r = result.history().get(e);
            assertThat(EventFiles.values(epochs, "epoch/loss").get(e).value().getSimpleValue())
                    .isEqualTo((float) r.trainLoss());
            assertThat(EventFiles.values(epochs, "epoch/val_dice").get(e).value().getSimpleValue())
                    .isEqualTo((float) r.validationDice().getAsDouble());
            assertThat(EventFiles.values(epochs, "epoch/learning_rate").get(e).value().getSimpleValue())
                    .isEqualTo((float) r.learningRate());
        }
        // the pictured frames' Dice: the Dice of the model's masks against the experts', and their mean
        double d0 = Dice.foreground(validation.get(0).mask(), model.segmenter().predict(validation.get(0).image()), 2);
        double d1 = Dice.foreground(validation.get(1).mask(), model.segmenter().predict(validation.get(1).image()), 2);
        assertThat(EventFiles.values(epochs, "frames/s0/dice").get(1).value().getSimpleValue()).isEqualTo((float) d0);
        assertThat(EventFiles.values(epochs, "frames/dice_mean").get(1).value().getSimpleValue())
                .isEqualTo((float) ((d0 + d1) / 2));
        // the fake model's one "variable" holds the step count: 3 after epoch 1, 6 after epoch 2
        assertThat(EventFiles.values(epochs, "weights/version")).extracting(t -> t.value().getHisto().getMax())
                .containsExactly(3.0, 6.0);
        assertThat(EventFiles.values(epochs, "weights/version")).extracting(t -> t.value().getHisto().getNum())
                .containsExactly(1.0, 1.0);

        // pictures: the prediction overlay is exactly what Overlays draws for the model's mask
        Sample s1 = validation.get(1);
        Summary.Image pred = EventFiles.values(epochs, "frames/s1/prediction").get(1).value().getImage();
        BufferedImage expected = Overlays.render(s1.image(), model.segmenter().predict(s1.image()), s1.mask());
        assertSamePixels(decode(pred), expected);
        Summary.Image input = EventFiles.values(epochs, "frames/s1/input").get(0).value().getImage();
        assertThat(input.getColorspace()).isEqualTo(1);
        BufferedImage in = decode(input);
        assertThat(in.getWidth()).isEqualTo(4);
        assertThat(in.getHeight()).isEqualTo(4);
        // windowed: the brightest pixel is white, the darkest black
        assertThat(in.getRaster().getSample(1, 1, 0)).isEqualTo(255);
        assertThat(in.getRaster().getSample(0, 0, 0)).isZero();
        BufferedImage expert = decode(EventFiles.values(epochs, "frames/s1/expert").get(0).value().getImage());
        assertSamePixels(expert, Overlays.render(s1.image(), Mask.empty(4, 4), s1.mask()));
        assertThat(expert.getRGB(1, 1) & 0xFFFFFF).isEqualTo(Overlays.REFERENCE);
    }

    private static BufferedImage decode(Summary.Image img) throws Exception {
        BufferedImage b = ImageIO.read(new ByteArrayInputStream(img.getEncodedImageString().toByteArray()));
        assertThat(b.getWidth()).isEqualTo(img.getWidth());
        assertThat(b.getHeight()).isEqualTo(img.getHeight());
        return b;
    }

    private static void assertSamePixels(BufferedImage actual, BufferedImage expected) {
        assertThat(actual.getWidth()).isEqualTo(expected.getWidth());
        assertThat(actual.getHeight()).isEqualTo(expected.getHeight());
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                assertThat(actual.getRGB(x, y) & 0xFFFFFF).as("pixel (%d, %d)", x, y)
                        .isEqualTo(expected.getRGB(x, y) & 0xFFFFFF);
            }
        }
    }

    @Test
    void aResumedRunStartsASessionAtItsFirstStepAndEpoch() throws Exception {
        TensorBoardListener tb = TensorBoardListener.builder().logDir(tmp).build();
        TrainingPlan plan = new TrainingPlan(5, 4, 16, 0, 4);
        tb.onTrainingStart(plan);
        for (int epoch = 3; epoch <= 4; epoch++) {
            for (int b = 1; b <= 4; b++) {
                tb.onBatchEnd(epoch, b, 0.1f * b);
            }
            tb.onEpochEnd(new EpochResult(epoch, 0.25, OptionalDouble.empty(), 1e-3 * epoch, 1.0));
        }
        tb.onTrainingEnd(new TrainingResult(List.of(), 4, OptionalDouble.empty(), 8, java.time.Duration.ZERO,
                TrainingResult.Selection.LAST_EPOCH_NO_VALIDATION));

        List<Event> steps = EventFiles.read(EventFiles.single(tb.stepsDir()));
        List<Event> starts = steps.stream().filter(Event::hasSessionLog).toList();
        assertThat(starts).hasSize(1);
        assertThat(starts.get(0).getStep()).isEqualTo(9);
        // the session start comes before any summary
        assertThat(steps.indexOf(starts.get(0))).isEqualTo(1);
        assertThat(EventFiles.steps(steps, "train/loss")).containsExactlyElementsOf(
                LongStream.rangeClosed(9, 16).boxed().toList());
        assertThat(EventFiles.values(steps, "train/learning_rate")).extracting(t -> t.value().getSimpleValue())
                .containsExactly(3e-3f, 3e-3f, 3e-3f, 3e-3f, 4e-3f, 4e-3f, 4e-3f, 4e-3f);

        List<Event> epochs = EventFiles.read(EventFiles.single(tb.epochsDir()));
        assertThat(epochs.get(1).getSessionLog().getStatus()).isEqualTo(SessionLog.SessionStatus.START);
        assertThat(epochs.get(1).getStep()).isEqualTo(3);
        assertThat(epochs.stream().filter(Event::hasSessionLog).count()).isEqualTo(1);
        assertThat(EventFiles.tags(epochs)).containsExactly("epoch/loss", "epoch/learning_rate");
        assertThat(EventFiles.steps(epochs, "epoch/loss")).containsExactly(3L, 4L);
    }

    @Test
    void eachTrainingRunGetsItsOwnFilesAndClosingFlushesAFailedOne() throws Exception {
        TensorBoardListener tb = TensorBoardListener.builder().logDir(tmp).build();
        tb.onTrainingStart(new TrainingPlan(3, 2, 4, 0, 2));
        tb.onBatchEnd(1, 1, 0.5f);
        tb.onBatchEnd(1, 2, 0.25f);
        // the run fails here: no epoch end, no training end
        tb.close();
        List<Event> steps = EventFiles.read(EventFiles.single(tb.stepsDir()));
        assertThat(EventFiles.steps(steps, "train/loss")).containsExactly(1L, 2L);
        assertThat(EventFiles.steps(steps, "train/learning_rate")).isEmpty();
        assertThatThrownBy(() -> tb.onBatchEnd(1, 1, 0.5f)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("onTrainingStart");

        tb.onTrainingStart(new TrainingPlan(3, 2, 4, 0, 2));
        tb.onBatchEnd(1, 1, 0.75f);
        tb.close();
        List<Path> files = new ArrayList<>();
        try (var s = java.nio.file.Files.list(tb.stepsDir())) {
            s.forEach(files::add);
        }
        Collections.sort(files);
        assertThat(files).hasSize(2);
        // the second file sorts after the first, so TensorBoard reads them in order
        List<Event> second = EventFiles.read(files.get(1));
        assertThat(EventFiles.values(second, "train/loss")).extracting(t -> t.value().getSimpleValue())
                .containsExactly(0.75f);
        assertThat(second.get(1).getSessionLog().getStatus()).isEqualTo(SessionLog.SessionStatus.START);
    }

    @Test
    void callbacksOutsideTheirRangeAreRefused() {
        TensorBoardListener tb = TensorBoardListener.builder().logDir(tmp).build();
        assertThatThrownBy(() -> tb.onEpochEnd(new EpochResult(1, 0.1, OptionalDouble.empty(), 1e-3, 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(tmp.toString());
        tb.onTrainingStart(new TrainingPlan(3, 2, 4, 0, 2));
        try {
            assertThatThrownBy(() -> tb.onBatchEnd(1, 3, 0.5f)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("batch must be in 1..2: 3");
            assertThatThrownBy(() -> tb.onBatchEnd(0, 1, 0.5f)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("epoch must be >= 1: 0");
        } finally {
            tb.close();
        }
    }

    @Test
    void theBuilderNamesEveryProblem() {
        FakeSegmentationModel model = new FakeSegmentationModel(SPEC);
        assertThatThrownBy(() -> TensorBoardListener.builder().frames(samples(2)).histograms(true).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("log directory must not be null")
                .hasMessageContaining("frames need the model")
                .hasMessageContaining("histograms need the model");
        assertThatThrownBy(() -> TensorBoardListener.builder().logDir(tmp).model(model)
                .frames(List.of(sample(1), sample(1))).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("s1 appears twice");
        assertThatThrownBy(() -> TensorBoardListener.builder().logDir(tmp).model(model).frames(samples(17)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 16 frames: 17");
        TensorBoardListener ok = TensorBoardListener.builder().logDir(tmp).model(model).frames(samples(16)).build();
        assertThat(ok.stepsDir()).isEqualTo(tmp.resolve("steps"));
        assertThat(ok.epochsDir()).isEqualTo(tmp.resolve("epochs"));
    }
}

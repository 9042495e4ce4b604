package io.medseg.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.loss.Losses;
import io.medseg.model.InputFit;
import io.medseg.model.InputFitter;
import io.medseg.model.Normalization;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.optim.Optimizers;
import io.medseg.testdata.FakeSegmentationModel;
import io.medseg.transform.Augmentation;
import io.medseg.transform.Augmentations;
import io.medseg.testdata.ReferenceMix;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The batches the trainer feeds the model are a function of the seed alone: the same with one or four loader
 * threads, and the same as the straightforward sequential computation the trainer did before batches were
 * prepared in parallel (shuffle with {@code Random(mix(seed, epoch, -1))}, then augment sample {@code i} with
 * {@code SplittableRandom(mix(seed, epoch, i))} and fit it).
 */
class TrainerBatchDeterminismTest {
    private static final UNetSpec SPEC = UNet.builder().inputShape(12, 12, 1).inputFit(InputFit.CENTRE_CROP)
            .numClasses(2).depth(1).baseFilters(2).normalization(Normalization.percentile(1, 99)).build();
    private static final int EPOCHS = 3;
    private static final int BATCH = 4;
    private static final long SEED = 7;

    private static List<Sample> samples(int n) {
        List<Sample> out = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            float[] px = new float[16 * 16];
            byte[] lab = new byte[16 * 16];
            for (int p = 0; p < px.length; p++) {
                px[p] = (float) r.nextDouble(0, 1000);
            }
            for (int y = 4 + i % 3; y < 10; y++) {
                for (int x = 5; x < 11 - i % 2; x++) {
                    lab[y * 16 + x] = 1;
                    px[y * 16 + x] += 1500;
                }
            }
            out.add(new Sample("s" + i, "p" + i % 3, Image.of(16, 16, px), Mask.of(16, 16, lab)));
        }
        return out;
    }

    private record Recorded(List<float[]> images, List<byte[]> labels, List<Integer> sizes) {
    }

    private static Recorded reference(List<Sample> train, Augmentation augmentation) {
        InputFitter fitter = new InputFitter(SPEC);
        Recorded r = new Recorded(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int e = 0; e < EPOCHS; e++) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < train.size(); i++) {
                order.add(i);
            }
            Collections.shuffle(order, new Random(ReferenceMix.mix(SEED, e, -1)));
            for (int from = 0; from < order.size(); from += BATCH) {
                int n = Math.min(BATCH, order.size() - from);
                float[] images = new float[n * 144];
                byte[] labels = new byte[n * 144];
                for (int i = 0; i < n; i++) {
                    int index = order.get(from + i);
                    Sample s = augmentation.apply(train.get(index),
                            new SplittableRandom(ReferenceMix.mix(SEED, e, index)));
                    System.arraycopy(fitter.input(s.image()), 0, images, i * 144, 144);
                    System.arraycopy(fitter.labels(s.mask()), 0, labels, i * 144, 144);
                }
                r.images.add(images);
                r.labels.add(labels);
                r.sizes.add(n);
            }
        }
        return r;
    }

    private static Recorded train(List<Sample> train, Augmentation augmentation, int workers) {
        FakeSegmentationModel model = new FakeSegmentationModel(SPEC);
        Trainer.builder().epochs(EPOCHS).batchSize(BATCH).seed(SEED).augmentation(augmentation)
                .loss(Losses.crossEntropy()).optimizer(Optimizers.adam(1e-3)).loaderWorkers(workers).build()
                .fit(model, train, List.of());
        return new Recorded(model.session.images, model.session.labels, model.session.batchSizes);
    }

    private static void assertSame(Recorded actual, Recorded expected) {
        assertThat(actual.sizes()).isEqualTo(expected.sizes());
        assertThat(actual.images()).hasSameSizeAs(expected.images());
        for (int b = 0; b < expected.images().size(); b++) {
            assertThat(actual.images().get(b)).as("images of batch %d", b).containsExactly(expected.images().get(b));
            assertThat(actual.labels().get(b)).as("labels of batch %d", b).containsExactly(expected.labels().get(b));
        }
    }

    @Test
    void batchesWithOneAndFourLoaderWorkersEqualTheSequentialReference() {
        List<Sample> train = samples(11);
        Augmentation cardiac = Augmentations.cardiac();
        Recorded expected = reference(train, cardiac);
        // the augmentation really changes the batches, so equality is not trivially about unaugmented samples
        assertThat(expected.images().get(0)).isNotEqualTo(reference(train, Augmentation.none()).images().get(0));
        assertThat(expected.sizes()).containsExactly(4, 4, 3, 4, 4, 3, 4, 4, 3);

        assertSame(train(train, cardiac, 1), expected);
        assertSame(train(train, cardiac, 4), expected);
    }

    @Test
    void trainerMixIsTheSplitMix64FormulaTheBatchesWereAlwaysSeededWith() {
        assertThat(Trainer.mix(SEED, 2, 5)).isEqualTo(ReferenceMix.mix(SEED, 2, 5));
        assertThat(Trainer.mix(1, 0, -1)).isEqualTo(ReferenceMix.mix(1, 0, -1));
    }
}

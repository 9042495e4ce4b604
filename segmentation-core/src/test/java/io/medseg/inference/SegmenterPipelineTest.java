package io.medseg.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.backend.ModelState;
import io.medseg.backend.SegmentationModel;
import io.medseg.backend.TrainingSession;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.loss.LossSpec;
import io.medseg.model.InputFit;
import io.medseg.model.InputFitter;
import io.medseg.model.Normalization;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.optim.OptimizerSpec;
import io.medseg.postprocess.PostProcessing;
import io.medseg.testdata.FakeSegmentationModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The segmenter's batched, overlapped and multi-threaded paths against the plain definition: fit and normalise
 * each image, run the batch, map the probabilities back, arg-max, post-process, one image after another.
 */
class SegmenterPipelineTest {

    /** Large enough (64 x 64 network pixels) that the segmenter shares per-image work between threads. */
    private static final UNetSpec CROP_64 = UNet.builder().inputShape(64, 64, 1).numClasses(2).depth(1)
            .baseFilters(2).normalization(Normalization.percentile(1, 99)).inputFit(InputFit.CENTRE_CROP).build();
    private static final UNetSpec EXACT_64 = UNet.builder().inputShape(64, 64, 1).numClasses(2).depth(1)
            .baseFilters(2).normalization(Normalization.percentile(1, 99)).inputFit(InputFit.EXACT).build();

    /** What one batch gave before any of the shortcuts: every step on its own, image after image. */
    /** One image's mask and probabilities as the definition gives them. */
    private static final class Reference {
        private final Mask mask;
        private final float[] probabilities;

        Reference(Mask mask, float[] probabilities) {
            this.mask = mask;
            this.probabilities = probabilities;
        }

        Mask mask() {
            return mask;
        }

        float[] probabilities() {
            return probabilities;
        }
    }

    private static List<Reference> reference(SegmentationModel model, PostProcessing pp, List<Image> images) {
        UNetSpec spec = model.spec();
        InputFitter fitter = new InputFitter(spec);
        int per = spec.inputHeight() * spec.inputWidth() * spec.inputChannels();
        float[] input = new float[images.size() * per];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(fitter.input(images.get(i)), 0, input, i * per, per);
        }
        float[] probs = model.forward(input, images.size());
        int k = spec.numClasses();
        int netPer = spec.inputHeight() * spec.inputWidth() * k;
        List<Reference> out = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            Image img = images.get(i);
            float[] p = fitter.probabilitiesToImage(probs, i * netPer, img.height(), img.width());
            out.add(new Reference(pp.apply(Segmenter.argmax(p, img.height(), img.width(), k), k), p));
        }
        return out;
    }

    /** Noisy images of varied sizes around the network's: blobs above and below the fake model's threshold. */
    private static List<Image> images(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] sizes = {{64, 64}, {80, 96}, {50, 70}, {64, 63}, {120, 40}};
        List<Image> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] s = sizes[r.nextInt(sizes.length)];
            float[] px = new float[s[0] * s[1]];
            double cy = r.nextDouble(s[0]);
            double cx = r.nextDouble(s[1]);
            double rad = 5 + r.nextDouble(20);
            for (int y = 0; y < s[0]; y++) {
                for (int x = 0; x < s[1]; x++) {
                    double d = Math.hypot(y - cy, x - cx);
                    px[y * s[1] + x] = (float) ((d < rad && d > rad / 3 ? 800 : 100) + r.nextGaussian() * 250);
                }
            }
            out.add(Image.of(s[0], s[1], px));
        }
        return out;
    }

    private static void assertSamePredictions(List<Prediction> actual, List<Reference> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.size(); i++) {
            Prediction p = actual.get(i);
            assertThat(p.mask()).as("mask %d", i).isEqualTo(expected.get(i).mask());
            assertThat(p.numClasses()).isEqualTo(2);
            float[] probs = expected.get(i).probabilities();
            assertThat(p.probabilities()).as("probabilities %d", i).containsExactly(probs);
            int w = p.mask().width();
            for (int y = 0; y < p.mask().height(); y += 7) {
                for (int x = 0; x < w; x += 5) {
                    assertThat(p.probability(y, x, 1)).isEqualTo(probs[(y * w + x) * 2 + 1]);
                }
            }
        }
    }

    @Test
    void aBatchGivesWhatTheStepByStepDefinitionGives() {
        for (PostProcessing pp : List.of(PostProcessing.none(), PostProcessing.largestComponentAndFillHoles())) {
            FakeSegmentationModel model = new FakeSegmentationModel(CROP_64);
            Segmenter segmenter = new Segmenter(model, pp, TestTimeAugmentation.NONE);
            for (int n : new int[] {1, 2, 3, 8, 13}) {
                List<Image> imgs = images(n, n);
                assertSamePredictions(segmenter.predictBatch(imgs), reference(model, pp, imgs));
            }
        }
    }

    @Test
    void predictAllGivesTheBatchesMasksInOrderForEveryBatchSize() {
        FakeSegmentationModel model = new FakeSegmentationModel(CROP_64);
        PostProcessing pp = PostProcessing.largestComponentAndFillHoles();
        Segmenter segmenter = new Segmenter(model, pp, TestTimeAugmentation.NONE);
        List<Image> imgs = images(7, 29);
        List<Mask> expected = new ArrayList<>();
        for (Reference ref : reference(model, pp, imgs)) {
            expected.add(ref.mask());
        }
        for (int batch : new int[] {1, 2, 3, 8, 29, 40}) {
            model.forwardBatchSizes.clear();
            assertThat(segmenter.predictAll(imgs, batch)).as("batch %d", batch).containsExactlyElementsOf(expected);
            List<Integer> sizes = new ArrayList<>();
            for (int from = 0; from < imgs.size(); from += batch) {
                sizes.add(Math.min(batch, imgs.size() - from));
            }
            assertThat(model.forwardBatchSizes).as("batch %d", batch).containsExactlyElementsOf(sizes);
        }
        assertThat(segmenter.predictAll(imgs)).containsExactlyElementsOf(expected);
        assertThat(segmenter.predictAll(List.of(), 3)).isEmpty();
    }

    @Test
    void aBadBatchSizeIsRefused() {
        Segmenter segmenter = new FakeSegmentationModel(CROP_64).segmenter();
        assertThatThrownBy(() -> segmenter.predictAll(images(1, 2), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("batch size must be at least 1, got 0");
    }

    @Test
    void theFirstBadImageOfABatchIsTheOneReportedAndNoNetworkRuns() {
        FakeSegmentationModel model = new FakeSegmentationModel(EXACT_64);
        List<Image> imgs = new ArrayList<>(images(3, 8));
        for (int i = 0; i < imgs.size(); i++) {
            imgs.set(i, Image.of(64, 64, new float[64 * 64]));
        }
        imgs.set(5, Image.of(63, 64, new float[63 * 64]));
        imgs.set(6, Image.of(64, 65, new float[64 * 65]));
        imgs.set(2, Image.of(64, 64, 2, new float[64 * 64 * 2]));
        assertThatThrownBy(() -> model.segmenter().predictBatch(imgs))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model input shape mismatch: the model expects 64x64x1, got 64x64x2");
        imgs.set(2, Image.of(64, 64, new float[64 * 64]));
        assertThatThrownBy(() -> model.segmenter().predictBatch(imgs))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model input shape mismatch: the model expects 64x64x1, got 63x64x1");
        assertThat(model.forwardBatchSizes).isEmpty();
    }

    @Test
    void aBadImageInALaterBatchStopsPredictAllAfterTheBatchesBeforeIt() {
        FakeSegmentationModel model = new FakeSegmentationModel(EXACT_64);
        List<Image> imgs = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            imgs.add(Image.of(64, 64, new float[64 * 64]));
        }
        imgs.set(19, Image.of(64, 32, new float[64 * 32]));
        imgs.set(27, Image.of(32, 64, new float[32 * 64]));
        assertThatThrownBy(() -> model.segmenter().predictAll(imgs))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model input shape mismatch: the model expects 64x64x1, got 64x32x1");
        // as batch by batch: the two batches before the bad image ran, the one holding it did not
        assertThat(model.forwardBatchSizes).containsExactly(8, 8);
        model.forwardBatchSizes.clear();
        imgs.set(3, Image.of(1, 1, new float[1]));
        assertThatThrownBy(() -> model.segmenter().predictAll(imgs))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model input shape mismatch: the model expects 64x64x1, got 1x1x1");
        assertThat(model.forwardBatchSizes).isEmpty();
    }

    @Test
    void aFailingNetworkCallReachesTheCallerOfPredictAll() {
        FakeSegmentationModel fake = new FakeSegmentationModel(CROP_64);
        IllegalStateException boom = new IllegalStateException("model closed");
        SegmentationModel failing = new FailingModel(fake, 2, boom);
        assertThatThrownBy(() -> failing.segmenter().predictAll(images(5, 40))).isSameAs(boom);
        assertThat(fake.forwardBatchSizes).containsExactly(8, 8);
    }

    @Test
    void manyThreadsAtOnceGetWhatOneThreadGets() throws Exception {
        FakeSegmentationModel model = new FakeSegmentationModel(CROP_64);
        Segmenter segmenter = model.segmenter().withPostProcessing(PostProcessing.largestComponentAndFillHoles());
        List<List<Image>> work = new ArrayList<>();
        List<List<Mask>> expected = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            List<Image> imgs = images(100 + t, 10 + 3 * t);
            work.add(imgs);
            expected.add(segmenter.predictAll(imgs, 1 + t));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            for (int round = 0; round < 3; round++) {
                List<Future<List<Mask>>> runs = new ArrayList<>();
                for (int t = 0; t < 6; t++) {
                    int task = t;
                    runs.add(pool.submit(() -> task % 2 == 0 ? segmenter.predictAll(work.get(task), 1 + task)
                            : masks(segmenter.predictBatch(work.get(task)))));
                }
                for (int t = 0; t < 6; t++) {
                    assertThat(runs.get(t).get()).as("task %d", t).containsExactlyElementsOf(expected.get(t));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theSharedWorkerThreadsAreDaemonThreads() {
        new FakeSegmentationModel(CROP_64).segmenter().predictAll(images(9, 20));
        List<Thread> workers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("medseg-segmenter-")).toList();
        assertThat(workers).allMatch(Thread::isDaemon);
    }

    @Test
    void predictionProbabilitiesOutsideTheImageAreRefused() {
        Prediction p = new FakeSegmentationModel(CROP_64).segmenter().predictWithProbabilities(images(4, 1).get(0));
        int h = p.mask().height();
        assertThatThrownBy(() -> p.probability(h, 0, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> p.probability(0, 0, 2)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    private static List<Mask> masks(List<Prediction> predictions) {
        List<Mask> out = new ArrayList<>();
        for (Prediction p : predictions) {
            out.add(p.mask());
        }
        return out;
    }

    /** Delegates to a model, failing its {@code failAt}-th (0-based) network call with {@code failure}. */
    private static final class FailingModel implements SegmentationModel {
        private final SegmentationModel delegate;
        private final int failAt;
        private final RuntimeException failure;
        private final AtomicInteger calls = new AtomicInteger();

        FailingModel(SegmentationModel delegate, int failAt, RuntimeException failure) {
            this.delegate = delegate;
            this.failAt = failAt;
            this.failure = failure;
        }

        @Override
        public UNetSpec spec() {
            return delegate.spec();
        }

        @Override
        public String backendName() {
            return delegate.backendName();
        }

        @Override
        public float[] forward(float[] input, int batchSize) {
            if (calls.getAndIncrement() == failAt) {
                throw failure;
            }
            return delegate.forward(input, batchSize);
        }

        @Override
        public TrainingSession trainingSession(LossSpec loss, OptimizerSpec optimizer) {
            return delegate.trainingSession(loss, optimizer);
        }

        @Override
        public ModelState snapshot() {
            return delegate.snapshot();
        }

        @Override
        public void restore(ModelState state) {
            delegate.restore(state);
        }

        @Override
        public void save(Path dir) {
            throw new UnsupportedOperationException("test model");
        }

        @Override
        public void close() {
        }
    }
}

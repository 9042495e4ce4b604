package io.medseg.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.DataFormatException;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.inference.Segmenter;
import io.medseg.loss.Losses;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.optim.Optimizers;
import io.medseg.testdata.TinyData;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every backend's loaded models do, whatever the engine: run by a subclass per backend (TensorFlow in
 * segmentation-tf, ONNX Runtime in segmentation-onnx), which says how to write a model folder its backend loads.
 * Nothing here trains through the backend under test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendContractTest {
    protected static final UNetSpec TINY = UNet.builder().inputShape(32, 32, 1).numClasses(2).depth(2).baseFilters(4)
            .build();

    private Path tmp;
    private Path modelDir;
    private SegmentationModel model;
    private final List<Sample> data = TinyData.rectangles(12, 32, 21);

    /** The backend under test. */
    protected abstract Backend backend() throws Exception;

    /** Writes a model of {@code spec} with trained (not initial) weights into {@code dir}, for the backend to load. */
    protected abstract void writeModel(UNetSpec spec, List<Sample> trainingData, Path dir) throws Exception;

    @BeforeAll
    void loadOnce(@TempDir Path dir) throws Exception {
        tmp = dir;
        modelDir = tmp.resolve("model");
        writeModel(TINY, data, modelDir);
        model = backend().load(modelDir);
    }

    @AfterAll
    void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void aLoadedModelHasTheWrittenSpecAndItsBackendsName() throws Exception {
        assertThat(model.spec()).isEqualTo(TINY);
        assertThat(model.backendName()).isEqualTo(backend().name());
        assertThat(model.precision()).isEqualTo(Precision.FP32);
    }

    @Test
    void forwardGivesAProbabilityPerClassPerPixel() {
        float[] p = model.forward(inputs(2), 2);
        assertThat(p).hasSize(2 * 32 * 32 * 2);
        for (int i = 0; i < p.length; i += 2) {
            assertThat(p[i]).isBetween(0f, 1f);
            assertThat(p[i] + p[i + 1]).isCloseTo(1f, Offset.offset(1e-5f));
        }
    }

    @Test
    void aBatchComputesWhatItsImagesComputeAlone() {
        float[] x = inputs(3);
        float[] batch = model.forward(x, 3);
        int per = 32 * 32;
        for (int i = 0; i < 3; i++) {
            float[] one = model.forward(Arrays.copyOfRange(x, i * per, (i + 1) * per), 1);
            for (int j = 0; j < one.length; j++) {
                assertThat(batch[i * one.length + j]).isCloseTo(one[j], Offset.offset(1e-6f));
            }
        }
    }

    @Test
    void forwardLeavesItsInputAsItWas() {
        float[] x = inputs(2);
        float[] copy = x.clone();
        model.forward(x, 2);
        assertThat(x).containsExactly(copy);
    }

    @Test
    void inputOfTheWrongSizeIsRefusedNamingBothSizes() {
        assertThatThrownBy(() -> model.forward(new float[100], 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model input shape mismatch").hasMessageContaining("1024")
                .hasMessageContaining("100");
        assertThatThrownBy(() -> model.forward(new float[0], 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model input shape mismatch");
        Image wrong = Image.of(48, 32, new float[48 * 32]);
        assertThatThrownBy(() -> model.segmenter().predict(wrong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32x32x1").hasMessageContaining("48x32x1");
    }

    @Test
    void loadingSomethingThatIsNotAModelNamesTheProblem() throws Exception {
        Backend b = backend();
        assertThatThrownBy(() -> b.load(tmp.resolve("absent"))).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("absent");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> b.load(empty)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(empty.toString());
    }

    @Test
    void theSegmenterGivesTheSameMasksFromManyThreadsAsFromOne() throws Exception {
        Segmenter segmenter = model.segmenter();
        List<Mask> expected = data.stream().map(s -> segmenter.predict(s.image())).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Mask>> futures = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (Sample s : data) {
                    futures.add(pool.submit(() -> segmenter.predict(s.image())));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                assertThat(futures.get(i).get()).isEqualTo(expected.get(i % data.size()));
            }
        } finally {
            pool.shutdownNow();
        }
        // trained, so the masks are not all background
        assertThat(expected.stream().mapToLong(m -> m.count(1)).sum()).isPositive();
    }

    @Test
    void savingALoadedModelAndLoadingItAgainGivesTheSameOutputs() throws Exception {
        Path again = tmp.resolve("again");
        model.save(again);
        float[] x = inputs(2);
        float[] before = model.forward(x, 2);
        try (SegmentationModel reloaded = backend().load(again)) {
            assertThat(reloaded.spec()).isEqualTo(TINY);
            float[] after = reloaded.forward(x, 2);
            for (int i = 0; i < after.length; i++) {
                assertThat(after[i]).isCloseTo(before[i], Offset.offset(1e-6f));
            }
        }
    }

    @Test
    void aLoadedModelRefusesToTrainSayingWhy() {
        assertThatThrownBy(() -> model.trainingSession(Losses.crossEntropy(), Optimizers.adam(1e-3)))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("train");
    }

    @Test
    void aClosedModelRefusesToRunAndClosesOnce() throws Exception {
        SegmentationModel m = backend().load(modelDir);
        m.close();
        m.close();
        assertThatThrownBy(() -> m.forward(inputs(1), 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    private static float[] inputs(int batch) {
        java.util.Random r = new java.util.Random(batch);
        float[] x = new float[batch * 32 * 32];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        return x;
    }
}

package io.medseg.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.backend.Backend;
import io.medseg.backend.BackendUnavailableException;
import io.medseg.backend.Backends;
import io.medseg.backend.ModelState;
import io.medseg.backend.SegmentationModel;
import io.medseg.backend.TrainingSession;
import io.medseg.data.DataFormatException;
import io.medseg.data.Image;
import io.medseg.data.Sample;
import io.medseg.loss.Losses;
import io.medseg.model.InputFitter;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.optim.Optimizers;
import io.medseg.testdata.TinyData;
import io.medseg.train.Trainer;
import io.medseg.train.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

class TensorFlowBackendTest {
    private static final UNetSpec TINY = UNet.builder().inputShape(32, 32, 1).numClasses(2).depth(2).baseFilters(4)
            .build();

    private static Backend backend() throws BackendUnavailableException {
        return Backends.load();
    }

    @Test
    void serviceLoaderFindsTheTensorFlowBackend() throws BackendUnavailableException {
        assertThat(Backends.available()).contains("tensorflow");
        assertThat(backend().name()).isEqualTo("tensorflow");
        assertThat(backend().description()).contains("TensorFlow 2.18");
    }

    @Test
    void graphHasExactlyTheParametersTheSpecCounts() throws BackendUnavailableException {
        try (SegmentationModel m = backend().create(TINY, 1)) {
            ModelState s = m.snapshot();
            // snapshot holds trainable weights plus 2 moving statistics per batch-norm layer (not trainable)
            int bnLayers = 2 * (TINY.depth() + 1) + 2 * TINY.depth();
            long movingStats = 0;
            for (String name : s.names()) {
                if (name.contains("bn_moving")) {
                    movingStats += s.get(name).length;
                }
            }
            assertThat(movingStats).isPositive();
            assertThat(s.parameterCount() - movingStats).isEqualTo(TINY.parameterCount());
            long bnCount = 0;
            for (String name : s.names()) {
                if (name.endsWith("bn_moving_mean")) {
                    bnCount++;
                }
            }
            assertThat(bnCount).isEqualTo(bnLayers);
        }
    }

    @Test
    void forwardGivesAProbabilityPerClassPerPixel() throws BackendUnavailableException {
        try (SegmentationModel m = backend().create(TINY, 3)) {
            float[] input = new float[2 * 32 * 32];
            for (int i = 0; i < input.length; i++) {
                input[i] = (i % 37) / 37f;
            }
            float[] p = m.forward(input, 2);
            assertThat(p).hasSize(2 * 32 * 32 * 2);
            for (int i = 0; i < p.length; i += 2) {
                assertThat(p[i] + p[i + 1]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    @Test
    void sameSeedSameDataGiveIdenticalLossSequences() throws BackendUnavailableException {
        List<Sample> data = TinyData.rectangles(12, 32, 5);
        float[] a = trainLosses(data, 11, 8);
        float[] b = trainLosses(data, 11, 8);
        float[] c = trainLosses(data, 12, 8);
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
    }

    private static float[] trainLosses(List<Sample> data, long seed, int steps) throws BackendUnavailableException {
        InputFitter fitter = new InputFitter(TINY);
        float[] losses = new float[steps];
        try (SegmentationModel m = backend().create(TINY, seed);
                TrainingSession s = m.trainingSession(Losses.crossEntropyPlusDice(), Optimizers.adam(1e-2))) {
            for (int step = 0; step < steps; step++) {
                float[] x = new float[4 * 32 * 32];
                byte[] y = new byte[4 * 32 * 32];
                for (int i = 0; i < 4; i++) {
                    Sample smp = data.get((step * 4 + i) % data.size());
                    System.arraycopy(fitter.input(smp.image()), 0, x, i * 1024, 1024);
                    System.arraycopy(fitter.labels(smp.mask()), 0, y, i * 1024, 1024);
                }
                losses[step] = s.step(x, y, 4, 1e-2f);
            }
        }
        return losses;
    }

    @Test
    void trainerLearnsToSegmentBrightRectangles() throws BackendUnavailableException {
        List<Sample> data = TinyData.rectangles(48, 32, 9);
        List<Sample> train = data.subList(0, 40);
        List<Sample> val = data.subList(40, 48);
        try (SegmentationModel m = backend().create(TINY, 4)) {
            double before = Trainer.validationDice(m, val);
            TrainingResult r = Trainer.builder().epochs(15).batchSize(8).seed(2)
                    .optimizer(Optimizers.adam(1e-2)).build().fit(m, train, val);
            double after = Trainer.validationDice(m, val);
            assertThat(r.history()).hasSize(15);
            assertThat(r.history().get(14).trainLoss()).isLessThan(r.history().get(0).trainLoss());
            assertThat(after).isGreaterThan(0.9).isGreaterThan(before);
            // the model holds the best epoch's weights
            assertThat(after).isCloseTo(r.bestValidationDice().getAsDouble(),
                    org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void savedModelRoundTripGivesIdenticalOutputs(@TempDir Path tmp) throws Exception {
        List<Sample> data = TinyData.rectangles(8, 32, 1);
        float[] input = new InputFitter(TINY).input(data.get(0).image());
        float[] before;
        Path dir = tmp.resolve("model");
        try (SegmentationModel m = backend().create(TINY, 7)) {
            Trainer.builder().epochs(2).batchSize(4).build().fit(m, data, List.of());
            before = m.forward(input, 1);
            m.save(dir);
        }
        assertThat(dir.resolve("saved_model.pb")).isRegularFile();
        assertThat(dir.resolve("model.json")).isRegularFile();
        assertThat(dir.resolve("variables")).isDirectory();
        float[] after;
        try (SegmentationModel loaded = backend().load(dir)) {
            assertThat(loaded.spec()).isEqualTo(TINY);
            after = loaded.forward(input, 1);
            // batch norm folded into the convolutions: the same function, rounded differently
            for (int i = 0; i < after.length; i++) {
                assertThat(after[i]).isCloseTo(before[i], org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
        // the directory is a real SavedModel: TensorFlow's own loader serves the signature
        try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), "serve");
                TFloat32 x = Tensors.floats(input, 1, 32, 32, 1)) {
            Map<String, Tensor> feeds = new HashMap<>();
            feeds.put("image", x);
            try (Result r = bundle.function("serving_default").call(feeds)) {
                assertThat(Tensors.toFloats(r.get("probabilities").orElseThrow())).containsExactly(after);
            }
        }
    }

    @Test
    void savingOverAnExistingModelReplacesIt(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("m");
        float[] input = new float[32 * 32];
        float[] second;
        try (SegmentationModel a = backend().create(TINY, 1); SegmentationModel b = backend().create(TINY, 2)) {
            a.save(dir);
            b.save(dir);
            second = b.forward(input, 1);
        }
        try (SegmentationModel loaded = backend().load(dir)) {
            float[] got = loaded.forward(input, 1);
            for (int i = 0; i < got.length; i++) {
                assertThat(got[i]).isCloseTo(second[i], org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("m");
        }
    }

    @Test
    void segmenterRefusesAnImageOfTheWrongShape() throws BackendUnavailableException {
        try (SegmentationModel m = backend().create(TINY, 1)) {
            Image wrong = Image.of(48, 32, new float[48 * 32]);
            assertThatThrownBy(() -> m.segmenter().predict(wrong))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("model input shape mismatch")
                    .hasMessageContaining("32x32x1")
                    .hasMessageContaining("48x32x1");
            assertThatThrownBy(() -> m.forward(new float[100], 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("model input shape mismatch");
        }
    }

    @Test
    void loadingSomethingThatIsNotAModelNamesTheProblem(@TempDir Path tmp) throws Exception {
        assertThatThrownBy(() -> backend().load(tmp.resolve("absent")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class)
                .hasMessageContaining("absent");
        assertThatThrownBy(() -> backend().load(tmp))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("model.json is missing");
        Path dir = tmp.resolve("m");
        try (SegmentationModel m = backend().create(TINY, 1)) {
            m.save(dir);
        }
        Files.writeString(dir.resolve("model.json"), "{\"format\": \"medseg-model\", \"backend\": \"tensorflow\", "
                + "\"spec\": {\"inputHeight\": 32}");
        assertThatThrownBy(() -> backend().load(dir))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("model.json");
    }

    @Test
    void segmenterGivesTheSameMasksFromManyThreadsAsFromOne() throws Exception {
        List<Sample> data = TinyData.rectangles(16, 32, 21);
        try (SegmentationModel m = backend().create(TINY, 5)) {
            Trainer.builder().epochs(3).batchSize(8).optimizer(Optimizers.adam(1e-2)).build().fit(m, data, List.of());
            var segmenter = m.segmenter();
            List<io.medseg.data.Mask> expected = data.stream().map(s -> segmenter.predict(s.image())).toList();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<io.medseg.data.Mask>> futures = new java.util.ArrayList<>();
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
        }
    }

    @Test
    void missingNativesNameThePlatformClassifier() {
        assertThat(TensorFlowBackendProvider.expectedClassifier("Linux", "amd64")).isEqualTo("linux-x86_64");
        assertThat(TensorFlowBackendProvider.expectedClassifier("Mac OS X", "aarch64")).isEqualTo("macosx-arm64");
    }

    @Test
    void onlyOneTrainingSessionAtATime() throws BackendUnavailableException {
        try (SegmentationModel m = backend().create(TINY, 1);
                TrainingSession s = m.trainingSession(Losses.crossEntropy(), Optimizers.sgd(0.1, 0.9))) {
            assertThat(s.steps()).isZero();
            assertThatThrownBy(() -> m.trainingSession(Losses.crossEntropy(), Optimizers.adam(1e-3)))
                    .isInstanceOf(IllegalStateException.class);
        }
    }
}

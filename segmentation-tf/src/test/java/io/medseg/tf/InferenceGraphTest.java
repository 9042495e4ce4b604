package io.medseg.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.backend.Backend;
import io.medseg.backend.BackendUnavailableException;
import io.medseg.backend.Backends;
import io.medseg.backend.ModelState;
import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.DataFormatException;
import io.medseg.io.Json;
import io.medseg.loss.Losses;
import io.medseg.model.Activation;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.optim.Optimizers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.GraphOperation;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;

/** What a saved model holds (the folded inference graph), how it loads, and the bf16 path. */
class InferenceGraphTest {
    private static final UNetSpec TINY = UNet.builder().inputShape(32, 32, 1).numClasses(2).depth(2).baseFilters(4)
            .build();

    private static Backend backend() throws BackendUnavailableException {
        return Backends.load();
    }

    /** A model whose batch norms do something: gamma, beta and the moving statistics far from 1 and 0. */
    private static SegmentationModel withBatchNormStatistics(UNetSpec spec, long seed) throws Exception {
        SegmentationModel m = backend().create(spec, seed);
        ModelState s = m.snapshot();
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, float[]> values = new LinkedHashMap<>();
        for (String name : s.names()) {
            float[] v = s.get(name).clone();
            for (int i = 0; i < v.length; i++) {
                if (name.endsWith("bn_gamma")) {
                    v[i] = (float) r.nextDouble(0.5, 1.5);
                } else if (name.endsWith("bn_beta") || name.endsWith("/bias")) {
                    v[i] = (float) r.nextDouble(-0.3, 0.3);
                } else if (name.endsWith("bn_moving_mean")) {
                    v[i] = (float) r.nextDouble(-0.5, 0.5);
                } else if (name.endsWith("bn_moving_variance")) {
                    v[i] = (float) r.nextDouble(0.05, 3);
                }
            }
            values.put(name, v);
        }
        m.restore(new ModelState(values));
        return m;
    }

    private static float[] input(UNetSpec spec, int batch, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[batch * spec.inputHeight() * spec.inputWidth() * spec.inputChannels()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        return x;
    }

    private static double maxAbsDifference(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static Set<String> opTypes(Path dir) {
        Set<String> types = new HashSet<>();
        try (SavedModelBundle b = SavedModelBundle.load(dir.toString(), "serve")) {
            b.graph().operations().forEachRemaining((GraphOperation op) -> types.add(op.type()));
        }
        return types;
    }

    @Test
    void foldedAndUnfoldedOutputsAgreeTo1e5() throws Exception {
        UNetSpec leaky = UNet.builder().inputShape(48, 32, 2).numClasses(3).depth(3).baseFilters(6)
                .activation(Activation.LEAKY_RELU).build();
        for (UNetSpec spec : List.of(TINY, leaky)) {
            Path dir = Files.createTempDirectory("folded");
            float[] x = input(spec, 3, 11);
            float[] unfolded;
            try (SegmentationModel m = withBatchNormStatistics(spec, 5)) {
                unfolded = m.forward(x, 3);
                m.save(dir);
            }
            try (SegmentationModel loaded = backend().load(dir)) {
                assertThat(loaded).isInstanceOf(TfInferenceModel.class);
                assertThat(((TfInferenceModel) loaded).folded()).isTrue();
                float[] folded = loaded.forward(x, 3);
                assertThat(maxAbsDifference(folded, unfolded)).as("%s", spec).isLessThanOrEqualTo(1e-5);
                // and the statistics mattered: with identity batch norm the output would be another
                assertThat(maxAbsDifference(folded, new float[folded.length])).isGreaterThan(0.01);
            }
            io.medseg.io.FileTrees.deleteTree(dir);
        }
    }

    @Test
    void theSavedGraphIsTheInferencePathAloneWithConvBiasAndActivation(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("m");
        try (SegmentationModel m = backend().create(TINY, 1);
                var session = m.trainingSession(Losses.crossEntropy(), Optimizers.adam(1e-3))) {
            session.step(new float[32 * 32], new byte[32 * 32], 1, 1e-3f);
            m.save(dir);
        }
        Set<String> types = opTypes(dir);
        assertThat(types).contains("Conv2D", "BiasAdd", "Relu", "Conv2DBackpropInput", "Softmax")
                .doesNotContain("Rsqrt", "Mean", "ApplyAdam", "ApplyMomentum", "SquaredDifference",
                        "RandomUniform", "OneHot");
        String json = Files.readString(dir.resolve("model.json"), StandardCharsets.UTF_8);
        assertThat(Json.tree(json).path("formatVersion").asInt()).isEqualTo(2);
        assertThat(Json.tree(json).path("graph").asString()).isEqualTo(ModelFiles.GRAPH_FOLDED);
        // no optimiser slots among the saved variables: a conv has weights and a bias, nothing else
        try (SavedModelBundle b = SavedModelBundle.load(dir.toString(), "serve")) {
            List<String> variables = new java.util.ArrayList<>();
            b.graph().operations().forEachRemaining(op -> {
                if (op.type().startsWith("Variable")) {
                    variables.add(op.name());
                }
            });
            // 2 per 3x3 conv (4 per level plus 2 at the bottleneck, here 10), 2 per upconv (2), 2 for the head
            assertThat(variables).hasSize(2 * (4 * TINY.depth() + 2) + 2 * TINY.depth() + 2)
                    .allMatch(n -> n.endsWith("/weights") || n.endsWith("/bias"));
        }
    }

    @Test
    void aLoadedModelInfersButDoesNotTrainAndSaysWhere(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("m");
        try (SegmentationModel m = backend().create(TINY, 1)) {
            m.save(dir);
        }
        try (SegmentationModel loaded = backend().load(dir)) {
            assertThat(loaded.precision()).isEqualTo(Precision.FP32);
            assertThatThrownBy(() -> loaded.trainingSession(Losses.crossEntropy(), Optimizers.adam(1e-3)))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("inference graph")
                    .hasMessageContaining("checkpoint");
            assertThatThrownBy(loaded::snapshot).isInstanceOf(UnsupportedOperationException.class);
            loaded.close();
            assertThatThrownBy(() -> loaded.forward(new float[32 * 32], 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }

    @Test
    void aLoadedModelSavesAgainToTheSameOutputs(@TempDir Path tmp) throws Exception {
        float[] x = input(TINY, 2, 3);
        float[] first;
        try (SegmentationModel m = withBatchNormStatistics(TINY, 9)) {
            m.save(tmp.resolve("a"));
        }
        try (SegmentationModel a = backend().load(tmp.resolve("a"))) {
            first = a.forward(x, 2);
            a.save(tmp.resolve("b"));
        }
        try (SegmentationModel b = backend().load(tmp.resolve("b"))) {
            assertThat(b.forward(x, 2)).containsExactly(first);
        }
    }

    /** Writes {@code model} as format version 1 did: the whole training graph, batch norm unfolded. */
    private static void saveAsVersion1(TfSegmentationModel model, Path dir) throws IOException {
        Signature signature = Signature.builder().key(Signature.DEFAULT_KEY)
                .input(ModelFiles.INPUT_NAME, model.input())
                .output(ModelFiles.OUTPUT_NAME, model.network().probabilities())
                .methodName("tensorflow/serving/predict").build();
        SavedModelBundle.exporter(dir.toString()).withTags(ModelFiles.SERVE_TAG).withSession(model.session())
                .withSignature(signature).export();
        UNetSpec spec = model.spec();
        Files.writeString(dir.resolve(ModelFiles.MODEL_JSON), "{\"format\": \"medseg-model\", \"formatVersion\": 1, "
                + "\"backend\": \"tensorflow\", \"tensorflowVersion\": \"2.18.0\", \"spec\": "
                + Json.write(spec) + "}", StandardCharsets.UTF_8);
    }

    @Test
    void aVersion1ModelWithTheTrainingGraphStillLoadsAndSavesFolded(@TempDir Path tmp) throws Exception {
        Path v1 = tmp.resolve("v1");
        float[] x = input(TINY, 2, 4);
        float[] expected;
        try (SegmentationModel m = withBatchNormStatistics(TINY, 3);
                var session = m.trainingSession(Losses.crossEntropy(), Optimizers.adam(1e-3))) {
            expected = m.forward(x, 2);
            saveAsVersion1((TfSegmentationModel) m, v1);
        }
        assertThat(opTypes(v1)).contains("Rsqrt", "ApplyAdam");
        try (SegmentationModel old = backend().load(v1)) {
            assertThat(((TfInferenceModel) old).folded()).isFalse();
            assertThat(old.forward(x, 2)).containsExactly(expected);
            old.save(tmp.resolve("v2"));
        }
        assertThat(opTypes(tmp.resolve("v2"))).doesNotContain("Rsqrt", "ApplyAdam");
        try (SegmentationModel now = backend().load(tmp.resolve("v2"))) {
            assertThat(maxAbsDifference(now.forward(x, 2), expected)).isLessThanOrEqualTo(1e-5);
        }
    }

    @Test
    void aModelFromANewerReleaseIsRefusedByName(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("m");
        try (SegmentationModel m = backend().create(TINY, 1)) {
            m.save(dir);
        }
        Path json = dir.resolve(ModelFiles.MODEL_JSON);
        Files.writeString(json, Files.readString(json).replaceFirst("\"formatVersion\"\\s*:\\s*2",
                "\"formatVersion\": 3"));
        assertThat(Files.readString(json)).contains("\"formatVersion\": 3");
        assertThatThrownBy(() -> backend().load(dir)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("model.json")
                .hasMessageContaining("formatVersion '3'")
                .hasMessageContaining("newer release");
    }

    @Test
    void bf16RunsWhereTheCpuHasItAndOtherwiseSaysFp32(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("m");
        float[] x = input(TINY, 4, 8);
        float[] fp32;
        try (SegmentationModel m = withBatchNormStatistics(TINY, 2)) {
            m.save(dir);
        }
        try (SegmentationModel a = backend().load(dir)) {
            fp32 = a.forward(x, 4);
        }
        boolean cpuHasBf16 = SessionConfigs.cpuLacksBf16() == null;
        try (SegmentationModel b = backend().load(dir, Precision.BF16)) {
            assertThat(b.precision()).isEqualTo(cpuHasBf16 ? Precision.BF16 : Precision.FP32);
            float[] bf16 = b.forward(x, 4);
            double diff = maxAbsDifference(bf16, fp32);
            // bfloat16 keeps 8 bits of mantissa: close to fp32, and not the same numbers when it really ran
            assertThat(diff).isLessThan(0.05);
            if (cpuHasBf16) {
                assertThat(diff).isGreaterThan(0);
            } else {
                assertThat(diff).isZero();
            }
        }
        try (SegmentationModel t = backend().create(TINY, 1, Precision.BF16);
                var session = t.trainingSession(Losses.crossEntropy(), Optimizers.adam(1e-3))) {
            assertThat(t.precision()).isEqualTo(cpuHasBf16 ? Precision.BF16 : Precision.FP32);
            assertThat(session.step(new float[32 * 32], new byte[32 * 32], 1, 1e-3f)).isFinite();
        }
        assertThat(backend().withPrecision(Precision.BF16).load(dir).precision())
                .isEqualTo(cpuHasBf16 ? Precision.BF16 : Precision.FP32);
    }

    @Test
    void theCpuProbeNamesWhatIsMissing(@TempDir Path tmp) throws IOException {
        Path with = tmp.resolve("with");
        Files.writeString(with, "processor\t: 0\nflags\t\t: fpu sse2 avx512f avx512_bf16 amx_tile\n");
        Path without = tmp.resolve("without");
        Files.writeString(without, "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni\n");
        assertThat(SessionConfigs.probeCpu(with, "amd64")).isEmpty();
        assertThat(SessionConfigs.probeCpu(without, "amd64")).contains("no bfloat16 instructions", "avx512_bf16",
                without.toString());
        assertThat(SessionConfigs.probeCpu(with, "aarch64")).contains("x86-64 only", "aarch64");
        assertThat(SessionConfigs.probeCpu(tmp.resolve("absent"), "x86_64")).contains("could not be read");
        assertThat(SessionConfigs.effective(Precision.BF16, true)).isEqualTo(Precision.FP32);
        assertThat(SessionConfigs.effective(Precision.FP32, false)).isEqualTo(Precision.FP32);
    }
}

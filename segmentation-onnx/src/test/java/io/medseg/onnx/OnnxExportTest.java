package io.medseg.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.backend.Backend;
import io.medseg.backend.Backends;
import io.medseg.backend.ModelState;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.DataFormatException;
import io.medseg.data.Sample;
import io.medseg.io.Json;
import io.medseg.model.Activation;
import io.medseg.model.Normalization;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.onnx.proto.ModelProto;
import io.medseg.onnx.proto.NodeProto;
import io.medseg.onnx.proto.StringStringEntryProto;
import io.medseg.testdata.TinyData;
import io.medseg.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OnnxExportTest {

    static Stream<UNetSpec> specs() {
        return Stream.of(
                UNet.builder().inputShape(32, 32, 1).numClasses(2).depth(2).baseFilters(4).build(),
                UNet.builder().inputShape(16, 24, 2).numClasses(3).depth(1).baseFilters(3).kernelSize(5)
                        .activation(Activation.LEAKY_RELU).build(),
                UNet.builder().inputShape(16, 16, 1).numClasses(2).depth(3).baseFilters(2).batchNorm(false)
                        .activation(Activation.ELU).normalization(Normalization.zScore()).build());
    }

    /** The exported network computes what TensorFlow computes, on trained weights (batch-norm statistics moved). */
    @ParameterizedTest
    @MethodSource("specs")
    void onnxRuntimeComputesWhatTensorFlowComputes(UNetSpec spec, @TempDir Path tmp) throws Exception {
        Backend tf = Backends.load("tensorflow");
        Path dir = tmp.resolve("m");
        float[] input = inputs(spec, 3, 11);
        float[] expected;
        try (SegmentationModel m = tf.create(spec, 5)) {
            if (spec.inputChannels() == 1 && spec.numClasses() == 2) {
                List<Sample> data = TinyData.rectangles(8, spec.inputHeight(), 3);
                Trainer.builder().epochs(2).batchSize(4).build().fit(m, data, List.of());
            }
            m.save(dir);
        }
        try (SegmentationModel saved = tf.load(dir)) {
            expected = saved.forward(input, 3);
        }
        Path file = OnnxExport.intoModelFolder(tf, dir);
        assertThat(file).isEqualTo(dir.resolve("model.onnx"));
        try (SegmentationModel onnx = Backends.load("onnx").load(dir)) {
            assertThat(onnx.spec()).isEqualTo(spec);
            assertThat(onnx.backendName()).isEqualTo("onnx");
            float[] got = onnx.forward(input, 3);
            assertThat(got).hasSameSizeAs(expected);
            assertThat(maxAbsDifference(got, expected)).isLessThan(1e-5);
            // batch of one: the batch dimension is free
            float[] first = onnx.forward(java.util.Arrays.copyOf(input, input.length / 3), 1);
            assertThat(maxAbsDifference(first, java.util.Arrays.copyOf(expected, first.length))).isLessThan(1e-5);
        }
    }

    @Test
    void theFileDescribesItsInterfaceAndPreparation(@TempDir Path tmp) throws Exception {
        UNetSpec spec = specs().findFirst().orElseThrow();
        Backend tf = Backends.load("tensorflow");
        Path dir = tmp.resolve("m");
        try (SegmentationModel m = tf.create(spec, 1)) {
            m.save(dir);
        }
        OnnxExport.intoModelFolder(tf, dir);
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(dir.resolve("model.onnx")));
        assertThat(model.getIrVersion()).isEqualTo(OnnxExport.IR_VERSION);
        assertThat(model.getOpsetImport(0).getVersion()).isEqualTo(OnnxExport.OPSET);
        assertThat(model.getGraph().getInput(0).getName()).isEqualTo("image");
        assertThat(model.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam())
                .isEqualTo("N");
        assertThat(model.getGraph().getOutput(0).getName()).isEqualTo("probabilities");
        Map<String, String> props = new LinkedHashMap<>();
        for (StringStringEntryProto p : model.getMetadataPropsList()) {
            props.put(p.getKey(), p.getValue());
        }
        assertThat(props).containsEntry("input_layout", "NHWC").containsEntry("input_shape", "N,32,32,1")
                .containsEntry("output_shape", "N,32,32,2").containsEntry("input_fit", "exact")
                .containsEntry("class_names", "[\"class_0\",\"class_1\"]").containsEntry("model_name", "m");
        assertThat(Json.tree(props.get("normalization")).path("type").asString()).isEqualTo("percentile");
        assertThat(Json.parse(props.get("medseg.spec"), UNetSpec.class)).isEqualTo(spec);
        // batch norm folded: convolutions, their activations, pools, upsampling, concatenations; nothing else
        assertThat(model.getGraph().getNodeList().stream().map(NodeProto::getOpType).distinct())
                .containsExactlyInAnyOrder("Transpose", "Conv", "Relu", "MaxPool", "ConvTranspose", "Concat",
                        "Softmax");
        // every layer's weights and bias, nothing more: 2 convolutions per level and bottleneck, upconv per level, head
        int layers = 2 * (spec.depth() + 1) + 3 * spec.depth() + 1;
        assertThat(model.getGraph().getInitializerCount()).isEqualTo(2 * layers);
    }

    @Test
    void weightsThatDoNotFitTheSpecAreRefusedByName() {
        UNetSpec spec = specs().findFirst().orElseThrow();
        OnnxExport.Metadata meta = OnnxExport.Metadata.of("m", 2);
        assertThatThrownBy(() -> OnnxExport.toBytes(spec, new ModelState(Map.of()), meta))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unet/enc1/conv1/weights");
        assertThatThrownBy(() -> OnnxExport.toBytes(spec, new ModelState(Map.of("unet/enc1/conv1/weights",
                new float[3])), meta))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has 3 values");
        assertThatThrownBy(() -> OnnxExport.toBytes(spec, new ModelState(Map.of()), OnnxExport.Metadata.of("m", 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 classes");
    }

    @Test
    void aDamagedOrForeignFileIsRefusedNamingIt(@TempDir Path tmp) throws Exception {
        UNetSpec spec = specs().findFirst().orElseThrow();
        Backend tf = Backends.load("tensorflow");
        Backend onnx = Backends.load("onnx");
        Path dir = tmp.resolve("m");
        try (SegmentationModel m = tf.create(spec, 1)) {
            m.save(dir);
        }
        assertThatThrownBy(() -> onnx.load(dir)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("model.onnx").hasMessageContaining("segment export --onnx");
        Path file = OnnxExport.intoModelFolder(tf, dir);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> onnx.load(dir)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("not an ONNX model");
        Files.writeString(file, "not a model at all");
        assertThatThrownBy(() -> onnx.load(dir)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(file.toString());
        ModelProto foreign = ModelProto.parseFrom(bytes).toBuilder().clearMetadataProps().build();
        Files.write(file, foreign.toByteArray());
        assertThatThrownBy(() -> onnx.load(dir)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("medseg.format");
    }

    @Test
    void theOnnxBackendRefusesToCreateOrTrainSayingWhere(@TempDir Path tmp) throws Exception {
        UNetSpec spec = specs().findFirst().orElseThrow();
        Backend onnx = Backends.load("onnx");
        assertThatThrownBy(() -> onnx.create(spec, 1)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("inference only").hasMessageContaining("tensorflow");
        Backend tf = Backends.load("tensorflow");
        Path dir = tmp.resolve("m");
        try (SegmentationModel m = tf.create(spec, 1)) {
            m.save(dir);
        }
        OnnxExport.intoModelFolder(tf, dir);
        try (SegmentationModel m = onnx.load(dir)) {
            assertThatThrownBy(() -> m.trainingSession(io.medseg.loss.Losses.crossEntropy(),
                    io.medseg.optim.Optimizers.adam(1e-3))).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("train").hasMessageContaining("tensorflow");
        }
    }

    @Test
    void tensorFlowRanksAboveOnnx() throws Exception {
        assertThat(Backends.available()).containsExactly("tensorflow", "onnx");
        assertThat(Backends.load().name()).isEqualTo("tensorflow");
        assertThat(Backends.load("onnx").description()).startsWith("ONNX Runtime 1.22").contains("optimisation all");
    }

    static float[] inputs(UNetSpec spec, int batch, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] x = new float[batch * spec.inputHeight() * spec.inputWidth() * spec.inputChannels()];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        return x;
    }

    static double maxAbsDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

}

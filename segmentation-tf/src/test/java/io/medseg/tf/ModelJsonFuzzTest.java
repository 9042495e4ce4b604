package io.medseg.tf;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.medseg.fuzz.FuzzFiles;
import io.medseg.io.Json;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A model folder's {@code model.json}: the JSON, the format and backend checks, the spec and its validation. */
class ModelJsonFuzzTest {
    private static byte[] modelJson(UNetSpec spec) {
        ModelFiles.ModelJson json = new ModelFiles.ModelJson(ModelFiles.FORMAT, ModelFiles.FORMAT_VERSION,
                TensorFlowBackend.NAME, "2.18.0", ModelFiles.GRAPH_FOLDED, new ModelFiles.SignatureJson(
                        ModelFiles.SERVE_TAG,
                        "serving_default", ModelFiles.INPUT_NAME, ModelFiles.OUTPUT_NAME,
                        List.of(-1, spec.inputHeight(), spec.inputWidth(), spec.inputChannels()),
                        List.of(-1, spec.inputHeight(), spec.inputWidth(), spec.numClasses())), spec);
        return Json.write(json).getBytes(StandardCharsets.UTF_8);
    }

    /** What the exporter writes, for a default and a fully customised spec. */
    static Map<String, byte[]> seedFiles() {
        Map<String, byte[]> seeds = new TreeMap<>();
        seeds.put("default", modelJson(UNet.builder().build()));
        seeds.put("custom", modelJson(UNet.builder().inputShape(96, 64, 2).numClasses(3).depth(2).baseFilters(4)
                .kernelSize(5).batchNorm(false).dropout(0.25).build()));
        return seeds;
    }

    static Stream<Arguments> seeds() {
        return FuzzFiles.seedsWithCuts(seedFiles());
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "5m")
    void modelJson(byte[] data) throws Exception {
        Path dir = FuzzFiles.path("model/saved_model.pb").getParent();
        Files.write(dir.resolve("saved_model.pb"), new byte[0]);
        FuzzFiles.write("model/model.json", data);
        FuzzFiles.badInputOnly(() -> ModelFiles.readSpec(dir));
    }

    @Test
    void theSeedsAreReadBack(@TempDir Path tmp) throws Exception {
        Files.write(tmp.resolve("saved_model.pb"), new byte[0]);
        Files.write(tmp.resolve("model.json"), seedFiles().get("custom"));

        assertThat(ModelFiles.readSpec(tmp).inputWidth()).isEqualTo(64);
    }
}

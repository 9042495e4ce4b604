package io.medseg.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.backend.Backend;
import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Chosen by classpath": a JVM with segmentation-onnx and without segmentation-tf or TensorFlow's jars finds the ONNX
 * backend alone, gets it from {@code Backends.load()}, and runs an exported model with it.
 */
class OnnxOnlyClasspathTest {
    @TempDir
    Path tmp;

    @Test
    void withoutTensorFlowOnTheClasspathBackendsLoadGivesOnnxAndItRunsTheModel() throws Exception {
        UNetSpec spec = UNet.builder().inputShape(16, 16, 1).numClasses(2).depth(1).baseFilters(2).build();
        Backend tf = Backends.load("tensorflow");
        Path dir = tmp.resolve("m");
        float expected;
        try (SegmentationModel m = tf.create(spec, 3)) {
            m.save(dir);
            expected = m.forward(new float[16 * 16], 1)[0];
        }
        OnnxExport.intoModelFolder(tf, dir);
        String classpath = Arrays.stream(System.getProperty("surefire.test.class.path",
                System.getProperty("java.class.path")).split(File.pathSeparator))
                .filter(e -> !e.contains("tensorflow") && !e.contains("segmentation-tf") && !e.contains("jna"))
                .collect(Collectors.joining(File.pathSeparator));
        assertThat(classpath).contains("onnxruntime").doesNotContain("tensorflow-core");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-cp", classpath, OnnxOnlyMain.class.getName(),
                dir.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("available [onnx]").contains("backend onnx");
        String line = out.lines().filter(l -> l.startsWith("probability ")).findFirst().orElseThrow();
        assertThat(Double.parseDouble(line.substring("probability ".length())))
                .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5));
    }
}

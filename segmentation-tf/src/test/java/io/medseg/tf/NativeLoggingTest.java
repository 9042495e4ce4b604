package io.medseg.tf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NativeLoggingTest {
    private static final String MLIR = "I0000 00:00:1796125255.469467   26452 mlir_graph_optimization_pass.cc:401] "
            + "MLIR V1 optimization pass is not enabled\n";
    private static final String ONEDNN = "2026-12-01 11:43:32.911121: I tensorflow/core/util/port.cc:153] oneDNN "
            + "custom operations are on.\n";
    private static final String ABSL_ERROR = "E1201 11:43:32.911121   26452 cuda_dnn.cc:8310] Unable to register "
            + "cuDNN factory\n";
    private static final String TSL_WARNING = "2026-12-01 11:43:32.911121: W tensorflow/core/framework/"
            + "op_kernel.cc:1816] OP_REQUIRES failed\n";

    @Test
    void theFilterDropsNativeLinesBelowTheLevelAndKeepsEverythingElse() {
        String captured = NativeLogging.ABSL_NOT_INITIALIZED + "\n" + MLIR + "[INFO] a line of the program\n"
                + ONEDNN + TSL_WARNING + ABSL_ERROR + "no newline at the end";

        assertThat(NativeLogging.filter(captured, 2))
                .isEqualTo("[INFO] a line of the program\n" + ABSL_ERROR + "no newline at the end");
        assertThat(NativeLogging.filter(captured, 1))
                .isEqualTo("[INFO] a line of the program\n" + TSL_WARNING + ABSL_ERROR + "no newline at the end");
        assertThat(NativeLogging.filter(captured, 0)).isEqualTo(captured);
        assertThat(NativeLogging.filter(captured, 3)).isEqualTo("[INFO] a line of the program\nno newline at the end");
    }

    @Test
    void theEnvironmentWinsOverThePropertyWhichWinsOverTheDefault() {
        assertThat(NativeLogging.level(null, null)).isEqualTo(2);
        assertThat(NativeLogging.level(" ", "")).isEqualTo(2);
        assertThat(NativeLogging.level(null, "0")).isZero();
        assertThat(NativeLogging.level("3", "0")).isEqualTo(3);
        assertThat(NativeLogging.level("0", "3")).isZero();
        assertThat(NativeLogging.level("9", null)).isEqualTo(3);
        // TensorFlow reads what is not a number as 0; a bad property falls back to the default
        assertThat(NativeLogging.level("x", null)).isZero();
        assertThat(NativeLogging.level(null, "loud")).isEqualTo(2);
    }

    @Test
    void aFreshProcessThatLoadsTheBackendPrintsNoLineOfTheNativeRuntime() throws Exception {
        String err = runProbe(null);

        assertThat(err).contains("probe: before", "probe: ran 2.0", "probe: bf16 ran 512", "probe: after")
                .doesNotContain("absl::InitializeLog", "mlir_graph_optimization_pass", "oneDNN",
                        "cpu_feature_guard", "auto_mixed_precision");
    }

    @Test
    void aLevelSetInTheEnvironmentIsHonouredAndShowsTheRuntimesLines() throws Exception {
        String err = runProbe("0");

        // the same probe: proves the test above would see the lines if they were printed
        assertThat(err).contains("probe: before", "probe: ran 2.0", "probe: after", "absl::InitializeLog",
                "MLIR V1 optimization pass is not enabled");
        if (SessionConfigs.cpuLacksBf16() == null) {
            // the bf16 rewrite's own line, written after start-up through Abseil
            assertThat(err).contains("auto_mixed_precision");
        }
    }

    /** Standard error of {@link NativeLoggingProbe} in a new JVM, with {@code TF_CPP_MIN_LOG_LEVEL} as given. */
    private static String runProbe(String level) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                NativeLoggingProbe.class.getName()));
        pb.environment().remove(NativeLogging.LEVEL_ENV);
        if (level != null) {
            pb.environment().put(NativeLogging.LEVEL_ENV, level);
        }
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String text = new String(err, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("stderr: %s", text).isZero();
        return text;
    }
}

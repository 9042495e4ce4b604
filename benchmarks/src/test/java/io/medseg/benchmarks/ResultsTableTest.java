package io.medseg.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.io.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultsTableTest {
    private static final String RESULTS = """
            [
              {"benchmark": "io.medseg.benchmarks.RawTensorFlowBenchmark.predict",
               "params": {"batch": "1", "network": "cardiac", "precision": "fp32"},
               "primaryMetric": {"score": 100.0, "scoreError": 2.0, "scoreUnit": "ops/s"},
               "secondaryMetrics": {"images": {"score": 100.0, "scoreError": 2.0},
                                    "gflop": {"score": 150.0, "scoreError": 3.0}}},
              {"benchmark": "io.medseg.benchmarks.SegmenterThroughputBenchmark.predictBatch",
               "params": {"batch": "1", "network": "cardiac", "post": "none", "precision": "fp32"},
               "primaryMetric": {"score": 80.0, "scoreError": "NaN", "scoreUnit": "ops/s"},
               "secondaryMetrics": {"images": {"score": 80.0, "scoreError": 1.0},
                                    "gflop": {"score": 120.0, "scoreError": 1.5}}},
              {"benchmark": "io.medseg.benchmarks.SegmenterThroughputBenchmark.forward",
               "params": {"batch": "8", "network": "unet256", "precision": "bf16"},
               "primaryMetric": {"score": 1.0, "scoreError": "NaN", "scoreUnit": "ops/s"},
               "secondaryMetrics": {"images": {"score": 8.0, "scoreError": "NaN"},
                                    "gflop": {"score": 193.0, "scoreError": "NaN"}}},
              {"benchmark": "io.medseg.benchmarks.ConvRooflineBenchmark.conv",
               "params": {"precision": "fp32"},
               "primaryMetric": {"score": 7.5, "scoreError": 0.1, "scoreUnit": "ops/s"},
               "secondaryMetrics": {"images": {"score": 60.0, "scoreError": 0.8},
                                    "gflop": {"score": 300.0, "scoreError": 4.0}}},
              {"benchmark": "io.medseg.benchmarks.TrainingStepBenchmark.step",
               "params": {"precision": "bf16"},
               "primaryMetric": {"score": 10.0, "scoreError": 0.5, "scoreUnit": "ops/s"},
               "secondaryMetrics": {}}
            ]
            """;

    private static String table(String json) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ResultsTable.print(ResultsTable.rows(Json.tree(json)), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void dividesByRawTensorFlowAtFp32AndByTheSingleConvolutionAtTheSamePrecision() {
        List<String> lines = table(RESULTS).lines().toList();
        assertThat(lines.get(0)).isEqualTo(ResultsTable.HEADER);
        assertThat(lines).contains(
                "| raw TensorFlow | cardiac | 1 | fp32 | 100.00 ± 2.00 | 1.00 | 150.0 | 0.50 |",
                "| Segmenter, post=none | cardiac | 1 | fp32 | 80.00 ± 1.00 | 0.80 | 120.0 | 0.40 |",
                "| single conv 3x3 64->64 | 256x256 | 8 | fp32 | 60.00 ± 0.80 | - | 300.0 | 1.00 |",
                // no raw fp32 row for unet256 at batch 8, no bf16 convolution: left open
                "| model.forward | unet256 | 8 | bf16 | 8.00 | - | 193.0 | - |",
                "| training step (samples/s) | cardiac | 8 | bf16 | 10.00 ± 0.50 | - | - | - |");
        assertThat(lines).hasSize(2 + 5);
    }

    @Test
    void refusesWhatIsNotAJmhResult() {
        assertThatThrownBy(() -> ResultsTable.rows(Json.tree("{\"benchmark\": \"x\"}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a JMH JSON result");
    }
}

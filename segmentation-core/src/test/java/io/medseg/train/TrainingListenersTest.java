package io.medseg.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class TrainingListenersTest {
    @Test
    void aProgressBarClosedAfterAFailedTrainingEndsItsLineSoTheErrorGetsOneOfItsOwn() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        TrainingListener bar = TrainingListeners.progressBar(out);
        bar.onTrainingStart(new TrainingPlan(2, 3, 18, 0, 8));
        bar.onBatchEnd(1, 1, 1.5f);
        ((AutoCloseable) bar).close(); // training stopped here (a full disk, say)
        out.print("segment: error: boom");
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("\repoch 1/2 [========                ] loss 1.5000")
                .endsWith(System.lineSeparator() + "segment: error: boom");

        // after a normal end the line is closed already: closing adds nothing
        bytes.reset();
        bar.onTrainingStart(new TrainingPlan(1, 1, 8, 0, 8));
        bar.onBatchEnd(1, 1, 1.0f);
        bar.onTrainingEnd(new TrainingResult(List.of(new EpochResult(1, 1.0, OptionalDouble.empty(), 1e-3, 0.5)),
                1, OptionalDouble.empty(), 1, Duration.ofSeconds(1)));
        String ended = bytes.toString(StandardCharsets.UTF_8);
        ((AutoCloseable) bar).close();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(ended).endsWith(System.lineSeparator());
    }
}

package io.medseg.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TrainingListenersTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static EpochResult epoch(int e, double loss, double dice) {
        return new EpochResult(e, loss, OptionalDouble.of(dice), 1e-3, 0.5);
    }

    /** Three epochs of two batches each with validation Dice 0.5, 0.7 and 0.6; epoch 2 kept as the best. */
    private static void train(TrainingListener bar) {
        bar.onTrainingStart(new TrainingPlan(3, 2, 16, 4, 8));
        List<EpochResult> history = List.of(epoch(1, 1.25, 0.5), epoch(2, 0.75, 0.7), epoch(3, 0.5, 0.6));
        for (EpochResult r : history) {
            bar.onBatchEnd(r.epoch(), 1, (float) r.trainLoss());
            bar.onBatchEnd(r.epoch(), 2, (float) r.trainLoss());
            bar.onEpochEnd(r);
        }
        bar.onTrainingEnd(new TrainingResult(history, 2, OptionalDouble.of(0.7), 6, Duration.ofSeconds(3),
                TrainingResult.Selection.BEST_VALIDATION_DICE));
    }

    @Test
    void offATerminalTheBarWritesOneCompletedLinePerEpochAndNoCarriageReturn() {
        train(TrainingListeners.progressBar(out, false));

        String text = printed();
        assertThat(text).doesNotContain("\r");
        List<String> lines = text.lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).matches("epoch 1/3  loss 1\\.2500  val dice 0\\.5000  ETA \\d+:\\d\\d");
        assertThat(lines.get(1)).matches("epoch 2/3  loss 0\\.7500  val dice 0\\.7000  ETA \\d+:\\d\\d");
        assertThat(lines.get(2)).matches("epoch 3/3  loss 0\\.5000  val dice 0\\.6000  ETA 0:00");
        assertThat(lines.get(3)).isEqualTo("done: 3 epochs in 0:03; kept epoch 2, the best validation Dice (0.7000)");
    }

    @Test
    void onATerminalEachEpochsLineEndsWithThatEpochsOwnValidationDice() {
        train(TrainingListeners.progressBar(out, true));

        // every line is drawn in place; what stays on screen is the last drawing before each line break
        List<String> screen = Arrays.stream(printed().split(Pattern.quote(System.lineSeparator())))
                .map(l -> l.substring(l.lastIndexOf('\r') + 1).stripTrailing()).toList();
        assertThat(screen).hasSize(4);
        assertThat(screen.get(0)).matches("epoch 1/3 \\[=+\\] loss 1\\.2500  val dice 0\\.5000  ETA \\d+:\\d\\d");
        assertThat(screen.get(1)).contains("epoch 2/3 [", "val dice 0.7000");
        assertThat(screen.get(2)).contains("epoch 3/3 [", "val dice 0.6000");
        assertThat(screen.get(3)).isEqualTo("done: 3 epochs in 0:03; kept epoch 2, the best validation Dice (0.7000)");
        // during an epoch the bar shows no Dice: the one of the epoch before would pass for this epoch's
        assertThat(printed()).contains("\repoch 2/3 [============            ] loss 0.7500  ETA ");
        assertThat(printed().split("\r")).filteredOn(s -> s.startsWith("epoch 2/3 [====="))
                .filteredOn(s -> !s.startsWith("epoch 2/3 [========================]"))
                .allSatisfy(s -> assertThat(s).doesNotContain("val dice"));
    }

    @Test
    void withoutValidationTheLinesHaveNoDiceAndTheEndSaysTheLastEpochWasKept() {
        TrainingListener bar = TrainingListeners.progressBar(out, false);
        trainOneEpochWithoutValidation(bar);

        assertThat(printed().lines()).containsExactly("epoch 1/1  loss 1.0000  ETA 0:00",
                "done: 1 epoch in 0:01; kept the last epoch (1): no validation data to select an epoch by");
    }

    @Test
    void aProgressBarClosedAfterAFailedTrainingEndsItsLineSoTheErrorGetsOneOfItsOwn() throws Exception {
        TrainingListener bar = TrainingListeners.progressBar(out, true);
        bar.onTrainingStart(new TrainingPlan(2, 3, 18, 0, 8));
        bar.onBatchEnd(1, 1, 1.5f);
        ((AutoCloseable) bar).close(); // training stopped here (a full disk, say)
        out.print("segment: error: boom");
        assertThat(printed()).startsWith("\repoch 1/2 [========                ] loss 1.5000")
                .endsWith(System.lineSeparator() + "segment: error: boom");

        // after a normal end the line is closed already: closing adds nothing
        bytes.reset();
        trainOneEpochWithoutValidation(bar);
        String ended = printed();
        ((AutoCloseable) bar).close();
        assertThat(printed()).isEqualTo(ended).endsWith(System.lineSeparator());
    }

    @Test
    void onlyTheProcesssOwnStreamsCanBeTerminalsAndThePropertyDecidesForThem() {
        assertThat(TrainingListeners.isTerminal(out)).isFalse();
        String before = System.getProperty(TrainingListeners.TERMINAL_PROPERTY);
        try {
            System.setProperty(TrainingListeners.TERMINAL_PROPERTY, "true");
            assertThat(TrainingListeners.isTerminal(System.err)).isTrue();
            assertThat(TrainingListeners.isTerminal(out)).isFalse();
            System.setProperty(TrainingListeners.TERMINAL_PROPERTY, "false");
            assertThat(TrainingListeners.isTerminal(System.err)).isFalse();
        } finally {
            if (before == null) {
                System.clearProperty(TrainingListeners.TERMINAL_PROPERTY);
            } else {
                System.setProperty(TrainingListeners.TERMINAL_PROPERTY, before);
            }
        }
    }

    /** One epoch of one batch, no validation data, to its end. */
    private static void trainOneEpochWithoutValidation(TrainingListener bar) {
        bar.onTrainingStart(new TrainingPlan(1, 1, 8, 0, 8));
        bar.onBatchEnd(1, 1, 1.0f);
        EpochResult only = new EpochResult(1, 1.0, OptionalDouble.empty(), 1e-3, 0.5);
        bar.onEpochEnd(only);
        bar.onTrainingEnd(new TrainingResult(List.of(only), 1, OptionalDouble.empty(), 1, Duration.ofSeconds(1),
                TrainingResult.Selection.LAST_EPOCH_NO_VALIDATION));
    }
}

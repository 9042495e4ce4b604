package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.backend.BackendUnavailableException;
import io.medseg.data.DataFormatException;
import io.medseg.examples.cli.Errors.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ErrorsTest {
    @Test
    void inputProblemsAreExitCodeTwoAndNameTheFile() {
        assertThat(Errors.describe(new NoSuchFileException("/x/y")))
                .isEqualTo(new Outcome(2, "/x/y: no such file or directory"));
        assertThat(Errors.describe(new AccessDeniedException("/x/z")))
                .isEqualTo(new Outcome(2, "/x/z: permission denied"));
        assertThat(Errors.describe(new DataFormatException(Path.of("/d/1.dcm"), "not a DICOM Part 10 file")))
                .isEqualTo(new Outcome(2, "/d/1.dcm: not a DICOM Part 10 file"));
        assertThat(Errors.describe(new IllegalArgumentException("unknown patient ids [X]")))
                .isEqualTo(new Outcome(2, "unknown patient ids [X]"));
    }

    @Test
    void wrappedIoErrorsAreUnwrapped() {
        Outcome o = Errors.describe(new UncheckedIOException(new NoSuchFileException("/gone")));
        assertThat(o).isEqualTo(new Outcome(2, "/gone: no such file or directory"));
    }

    @Test
    void backendAndOtherFailuresAreExitCodeOne() {
        assertThat(Errors.describe(new BackendUnavailableException("no TensorFlow natives for linux-aarch64")))
                .isEqualTo(new Outcome(1, "no TensorFlow natives for linux-aarch64"));
        assertThat(Errors.describe(new IOException("disk full")).exitCode()).isEqualTo(1);
        assertThat(Errors.describe(new IllegalStateException("training diverged: loss NaN")))
                .isEqualTo(new Outcome(1, "training diverged: loss NaN"));
        assertThat(Errors.describe(new NullPointerException()).message()).isEqualTo(
                "internal error (NullPointerException)");
    }

    @Test
    void aFullDiskNamesTheFileOrFolderThatCouldNotBeWritten() {
        assertThat(Errors.describe(new FileSystemException("/runs/lv/checkpoints/epoch-0003", null,
                "No space left on device")))
                .isEqualTo(new Outcome(1, "/runs/lv/checkpoints/epoch-0003: no space left on device"));
        // a copy that ran out of space names its source first; the target is what could not be written
        assertThat(Errors.describe(new FileSystemException("/runs/lv/saved_model.pb", "/pkg/saved_model.pb",
                "No space left on device")).message()).isEqualTo("/pkg/saved_model.pb: no space left on device");
        assertThat(Errors.describe(new UncheckedIOException("checkpoint after epoch 3 failed",
                new FileSystemException("/r/checkpoints/epoch-0003", null, "Disk quota exceeded"))))
                .isEqualTo(new Outcome(1, "/r/checkpoints/epoch-0003: disk quota exceeded"));
        // a bare IOException names nothing: the wrapper's message says which file was being written
        assertThat(Errors.describe(new UncheckedIOException("cannot write event file /r/tb/events.out.tfevents.1: "
                + "No space left on device", new IOException("No space left on device"))).message())
                .isEqualTo("cannot write event file /r/tb/events.out.tfevents.1: No space left on device");
    }

    @Test
    void multiLineMessagesBecomeOneLine() {
        assertThat(Errors.describe(new IllegalArgumentException("first\n  second\r\nthird")).message())
                .isEqualTo("first second third");
    }

    @Test
    void stackTraceOnlyWhenVerbose() {
        ByteArrayOutputStream quiet = new ByteArrayOutputStream();
        Errors.report(new IllegalArgumentException("bad"), false, new PrintStream(quiet, true, StandardCharsets.UTF_8));
        assertThat(quiet.toString(StandardCharsets.UTF_8)).isEqualTo("segment: error: bad" + System.lineSeparator());

        ByteArrayOutputStream verbose = new ByteArrayOutputStream();
        Errors.report(new IllegalArgumentException("bad"), true, new PrintStream(verbose, true, StandardCharsets.UTF_8));
        assertThat(verbose.toString(StandardCharsets.UTF_8)).contains("at io.medseg");
    }

    @Test
    void predictOutputsMirrorTheInputTreeWithPngNames() {
        Path[] t = PredictCommand.outputs(Path.of("out"), Path.of("SCD0000101/48.dcm"));
        assertThat(t[0]).isEqualTo(Path.of("out/SCD0000101/48.png"));
        assertThat(t[1]).isEqualTo(Path.of("out/SCD0000101/48_overlay.png"));

        Path[] single = PredictCommand.outputs(Path.of("out"), Path.of("IMG0001"));
        assertThat(single[0]).isEqualTo(Path.of("out/IMG0001.png"));
    }
}

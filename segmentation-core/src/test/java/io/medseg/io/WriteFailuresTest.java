package io.medseg.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.DataFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteFailuresTest {
    @TempDir
    Path tmp;

    @Test
    void aFullDiskIsReportedUnderTheTargetNotTheTemporaryFile() {
        Path target = Path.of("/runs/lv/checkpoints/epoch-0003");
        // what the JDK throws from a write (no file) and from a copy (source first, then the hidden target)
        IOException bare = new IOException("No space left on device");
        IOException copy = new FileSystemException("/runs/lv/variables/v.data", "/runs/.lv.export-1/v.data",
                "No space left on device");
        for (IOException e : new IOException[] {bare, copy}) {
            IOException named = WriteFailures.naming(target, e);
            assertThat(named).isInstanceOf(FileSystemException.class).hasCause(e);
            assertThat(((FileSystemException) named).getFile()).isEqualTo(target.toString());
            assertThat(((FileSystemException) named).getOtherFile()).isNull();
            assertThat(((FileSystemException) named).getReason()).isEqualTo(WriteFailures.NO_SPACE);
        }
        IOException quota = WriteFailures.naming(target, new IOException("Disk quota exceeded"));
        assertThat(((FileSystemException) quota).getReason()).isEqualTo(WriteFailures.QUOTA);
    }

    @Test
    void aFullDiskIsFoundInTheCauseChainAndOnlyThere() {
        assertThat(WriteFailures.isDiskFull(new RuntimeException("save failed",
                new IOException("/tmp/x.tempstate1; No space left on device [[{{node save/Save}}]]")))).isTrue();
        assertThat(WriteFailures.isDiskFull(new IOException("Input/output error"))).isFalse();
        assertThat(WriteFailures.isDiskFull(new FileSystemException("/a", null, null))).isFalse();
    }

    @Test
    void otherFailuresKeepTheirOwnFileAndType() {
        Path target = Path.of("/out/model.json");
        AccessDeniedException denied = new AccessDeniedException("/out/.model.json.1.tmp");
        assertThat(WriteFailures.naming(target, denied)).isSameAs(denied);
        DataFormatException bad = new DataFormatException(Path.of("/in/x.dcm"), "not a DICOM file");
        assertThat(WriteFailures.naming(target, bad)).isSameAs(bad);
        // a bare failure names nothing: it gets the target, and keeps its message
        IOException io = WriteFailures.naming(target, new IOException("Input/output error"));
        assertThat(((FileSystemException) io).getFile()).isEqualTo("/out/model.json");
        assertThat(((FileSystemException) io).getReason()).isEqualTo("Input/output error");
    }

    @Test
    void anAtomicWriteThatRunsOutOfSpaceNamesTheTargetAndKeepsThePreviousContent() throws IOException {
        Path target = tmp.resolve("losses.csv");
        Files.writeString(target, "step,epoch,batch,loss\n1,1,1,0.5\n");
        assertThatThrownBy(() -> AtomicFile.write(target, out -> {
            out.write("step,epoch,batch,loss\n1,1,1,0.5\n2,1,".getBytes(StandardCharsets.UTF_8));
            throw new IOException("No space left on device");
        })).isInstanceOf(FileSystemException.class)
                .hasMessage(target.toAbsolutePath() + ": No space left on device");
        assertThat(Files.readString(target)).isEqualTo("step,epoch,batch,loss\n1,1,1,0.5\n");
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left).containsExactly(target); // the temporary file is gone
        }
    }
}

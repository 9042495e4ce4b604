package io.medseg.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {
    @TempDir
    Path tmp;

    @Test
    void deletingAsideRemovesTheTreeAndLeavesNothingBesideIt() throws Exception {
        Path kept = Files.writeString(Files.createDirectories(tmp.resolve("elsewhere")).resolve("keep.txt"), "k");
        Path dir = Files.createDirectories(tmp.resolve("checkpoints/epoch-0001/sub"));
        Files.writeString(dir.resolve("weights.bin"), "w");
        Files.writeString(dir.getParent().resolve("checkpoint.json"), "{}");
        Files.createSymbolicLink(dir.resolve("link"), kept.getParent()); // deleted, never followed

        FileTrees.deleteTreeAside(tmp.resolve("checkpoints/epoch-0001"));

        try (Stream<Path> left = Files.list(tmp.resolve("checkpoints"))) {
            assertThat(left).isEmpty(); // neither the folder nor its hidden name
        }
        assertThat(Files.readString(kept)).isEqualTo("k");
        FileTrees.deleteTreeAside(tmp.resolve("checkpoints/epoch-0001")); // gone: nothing to do
    }
}

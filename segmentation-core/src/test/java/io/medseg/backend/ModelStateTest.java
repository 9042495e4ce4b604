package io.medseg.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.DataFormatException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStateTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripsThroughAFile() throws IOException {
        Map<String, float[]> values = new LinkedHashMap<>();
        values.put("conv/kernel", new float[] {1.5f, -2f, 0f});
        values.put("bn/mean", new float[0]);
        Path file = tmp.resolve("state.bin");
        try (OutputStream out = Files.newOutputStream(file)) {
            new ModelState(values).writeTo(out);
        }

        ModelState read = ModelState.read(file);
        assertThat(read.names()).containsExactly("conv/kernel", "bn/mean");
        assertThat(read.get("conv/kernel")).containsExactly(1.5f, -2f, 0f);
        assertThat(read.parameterCount()).isEqualTo(3);
    }

    @Test
    void aDeclaredGiantEntryInAShortFileIsRefusedWithoutAllocatingIt() throws IOException {
        // 375 million values declared (1.5 GB), 8 bytes present: must not try to allocate the declared size
        Path file = state("w", 375_000_000, new byte[8]);
        assertThatThrownBy(() -> ModelState.read(file)).isInstanceOf(DataFormatException.class)
                .hasMessage(file + ": model state ends early (truncated file): entry 'w' declares 375000000 values "
                        + "but only 2 follow");

        Path tooMany = state("w", Integer.MAX_VALUE, new byte[0]);
        assertThatThrownBy(() -> ModelState.read(tooMany)).isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(tooMany + ": model state entry 'w' declares 2147483647 values (0 to ");
    }

    @Test
    void otherMalformedStatesNameTheFile() throws IOException {
        Path badMagic = Files.write(tmp.resolve("magic.bin"), new byte[] {1, 2, 3, 4, 0, 0, 0, 0});
        Path cut = Files.write(tmp.resolve("cut.bin"), new byte[] {0x4D, 0x53});
        Path trailing = state("w", 1, new byte[] {0, 0, (byte) 0x80, 0x3F, 9});
        assertThatThrownBy(() -> ModelState.read(badMagic)).isInstanceOf(DataFormatException.class)
                .hasMessage(badMagic + ": not a model state (bad magic number 0x1020304)");
        assertThatThrownBy(() -> ModelState.read(cut)).isInstanceOf(DataFormatException.class)
                .hasMessage(cut + ": model state ends early (truncated file)");
        assertThatThrownBy(() -> ModelState.read(trailing)).isInstanceOf(DataFormatException.class)
                .hasMessage(trailing + ": model state has trailing bytes after 1 entries");
    }

    /** One entry named {@code name} declaring {@code count} values, followed by {@code payload}. */
    private Path state(String name, int count, byte[] payload) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(bytes);
        data.writeInt(0x4D535431);
        data.writeInt(1);
        data.writeUTF(name);
        data.writeInt(count);
        data.write(payload);
        return Files.write(Files.createTempFile(tmp, "state", ".bin"), bytes.toByteArray());
    }
}

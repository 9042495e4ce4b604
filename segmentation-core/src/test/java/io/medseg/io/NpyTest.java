package io.medseg.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .npy layout of NumPy's format specification, version 1.0 (numpy.load reads these in the ONNX peer check). */
class NpyTest {
    @TempDir
    Path tmp;

    @Test
    void theHeaderDescribesLittleEndianFloat32InCOrderAndTheDataFollowsAligned() throws Exception {
        Path f = tmp.resolve("a.npy");
        float[] data = new float[2 * 3 * 70_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = i * 0.5f - 7;
        }
        Npy.writeFloat32(f, data, 2, 3, 70_000);
        byte[] b = Files.readAllBytes(f);
        assertThat(Arrays.copyOf(b, 8)).containsExactly(0x93 - 256, 'N', 'U', 'M', 'P', 'Y', 1, 0);
        int headerLength = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        assertThat((10 + headerLength) % 64).isZero();
        String header = new String(b, 10, headerLength, StandardCharsets.US_ASCII);
        assertThat(header).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 70000), }")
                .endsWith("\n");
        assertThat(b.length).isEqualTo(10 + headerLength + data.length * 4);
        float[] back = new float[data.length];
        ByteBuffer.wrap(b, 10 + headerLength, data.length * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                .get(back);
        assertThat(back).containsExactly(data);
    }

    @Test
    void aOneDimensionalShapeIsATupleOfOne() throws Exception {
        Path f = tmp.resolve("b.npy");
        Npy.writeFloat32(f, new float[] {1, 2}, 2);
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.US_ASCII)).contains("'shape': (2,), }");
    }

    @Test
    void aShapeThatDoesNotHoldTheDataIsRefusedAndNothingIsWritten() {
        Path f = tmp.resolve("c.npy");
        assertThatThrownBy(() -> Npy.writeFloat32(f, new float[5], 2, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[2, 3]").hasMessageContaining("5");
        assertThat(f).doesNotExist();
    }
}

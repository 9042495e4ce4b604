package io.medseg.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Writes float32 arrays in NumPy's {@code .npy} format (version 1.0, little-endian, C order), which
 * {@code numpy.load} reads: for handing tensors to Python tools. The format is small enough to write by hand.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

    private Npy() {
    }

    /**
     * Writes {@code data} with {@code shape} to {@code file}, atomically.
     *
     * @throws IllegalArgumentException when the shape does not hold {@code data.length} values
     */
    public static void writeFloat32(Path file, float[] data, long... shape) throws IOException {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, got "
                    + data.length);
        }
        AtomicFile.write(file, out -> write(out, data, shape));
    }

    private static void write(OutputStream out, float[] data, long[] shape) throws IOException {
        String dims = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
        if (shape.length == 1) {
            dims += ",";
        }
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims
                + "), }");
        // magic (8) + header length (2) + header, padded with spaces to a multiple of 64 and ended by a newline
        int total = MAGIC.length + 2 + header.length() + 1;
        header.append(" ".repeat((64 - total % 64) % 64)).append('\n');
        byte[] h = header.toString().getBytes(StandardCharsets.US_ASCII);
        out.write(MAGIC);
        out.write(h.length & 0xff);
        out.write(h.length >>> 8);
        out.write(h);
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : data) {
            if (!buf.hasRemaining()) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            buf.putFloat(v);
        }
        out.write(buf.array(), 0, buf.position());
    }
}

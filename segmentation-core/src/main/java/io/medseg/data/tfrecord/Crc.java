package io.medseg.data.tfrecord;

import java.util.zip.CRC32C;

/**
 * The TFRecord checksum: CRC32C, rotated and offset ("masked") so that a CRC of CRCs does not degenerate. Public
 * for the other writers of TFRecord-framed files (TensorBoard event files); the byte helpers stay package-private.
 */
public final class Crc {
    private static final int MASK_DELTA = 0xa282ead8;

    private Crc() {
    }

    /** The masked CRC32C of {@code length} bytes of {@code data} from {@code offset}. */
    public static int masked(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    static long readLongLE(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xffL);
        }
        return v;
    }

    static int readIntLE(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    static void writeLongLE(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    static void writeIntLE(byte[] b, int off, int v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    static String hex(int v) {
        return String.format("0x%08x", v);
    }
}

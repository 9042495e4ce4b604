package io.medseg.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Recognises TFRecord files by content, not by name: a TFRecord file starts with the first record's length (uint64,
 * little-endian) followed by the masked CRC-32C of those 8 bytes, a 12-byte header that random data matches with
 * probability 2^-32. Gzip-compressed files (magic {@code 1f 8b}) are accepted too, since TFRecord writers commonly
 * compress and the content cannot be checked without inflating it.
 */
public final class TfRecordSniffer {
    private static final int MASK_DELTA = 0xa282ead8;

    private TfRecordSniffer() {
    }

    /** Whether {@code file} is a regular file that starts with a valid TFRecord header or the gzip magic. */
    public static boolean looksLikeTFRecord(Path file) {
        if (file == null || !Files.isRegularFile(file)) {
            return false;
        }
        byte[] head = new byte[12];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            return false;
        }
        if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return true;
        }
        return n == 12 && isTfRecordHeader(head);
    }

    /** Whether the first 12 bytes of {@code head} are a TFRecord length and its masked CRC-32C. */
    static boolean isTfRecordHeader(byte[] head) {
        CRC32C crc = new CRC32C();
        crc.update(head, 0, 8);
        int stored = (head[8] & 0xff) | (head[9] & 0xff) << 8 | (head[10] & 0xff) << 16 | (head[11] & 0xff) << 24;
        return maskedCrc((int) crc.getValue()) == stored;
    }

    /** TensorFlow's CRC mask: rotate right by 15 bits and add a constant, so CRCs of CRCs stay well spread. */
    static int maskedCrc(int crc) {
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }
}

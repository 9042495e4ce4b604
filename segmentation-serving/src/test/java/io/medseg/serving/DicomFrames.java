package io.medseg.serving;

import io.medseg.data.DataFormatException;
import io.medseg.data.Image;
import io.medseg.data.ReadLimits;
import io.medseg.data.dicom.DicomImage;
import io.medseg.data.dicom.DicomReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Real DICOM frames as request bodies, and copies of them with other pixel values: the pixel data of these files
 * is their last {@code rows * columns} 16-bit words, so a copy keeps every other byte of the original and
 * replaces only those.
 */
final class DicomFrames {
    private DicomFrames() {
    }

    /** The DICOM files under {@code dir}, sorted by path. */
    static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
        }
    }

    /**
     * A copy of the single-frame, 16-bit, unit-rescale file {@code original} whose pixels are {@code pixels}
     * rounded to whole numbers (row-major, as {@link Image#toArray()}); checked by reading it back.
     *
     * @throws IllegalArgumentException if the file is not of that kind or a value does not fit 16 bits
     */
    static byte[] withPixels(byte[] original, float[] pixels) {
        DicomImage d = read(original);
        int n = d.rows() * d.columns();
        if (d.bitsAllocated() != 16 || d.rescaleSlope() != 1 || d.rescaleIntercept() != 0 || pixels.length != n) {
            throw new IllegalArgumentException("expected a 16-bit frame of " + pixels.length + " pixels with unit "
                    + "rescale, got " + d);
        }
        int at = original.length - 2 * n;
        for (int i = 0; i < n; i++) {
            int stored = (short) ((original[at + 2 * i] & 0xFF) | (original[at + 2 * i + 1] << 8));
            int expected = d.storedValue(i / d.columns(), i % d.columns());
            if ((d.signed() ? stored : stored & 0xFFFF) != expected) {
                throw new IllegalArgumentException("the pixel data is not the last " + 2 * n + " bytes of the file");
            }
        }
        byte[] out = original.clone();
        float[] written = new float[n];
        for (int i = 0; i < n; i++) {
            long v = Math.round(pixels[i]);
            if (d.signed() ? v < Short.MIN_VALUE || v > Short.MAX_VALUE : v < 0 || v > 0xFFFF) {
                throw new IllegalArgumentException("pixel " + i + " = " + v + " does not fit the file's 16 bits");
            }
            out[at + 2 * i] = (byte) v;
            out[at + 2 * i + 1] = (byte) (v >>> 8);
            written[i] = v;
        }
        Image back = read(out).toImage();
        if (!Arrays.equals(back.toArray(), written) || !back.spacing().equals(d.toImage().spacing())) {
            throw new IllegalStateException("the copy does not read back as written");
        }
        return out;
    }

    /** The image a server reads from {@code dicom}. */
    static Image image(byte[] dicom) {
        return read(dicom).toImage();
    }

    private static DicomImage read(byte[] bytes) {
        try {
            return DicomReader.read(bytes, "test frame", ReadLimits.defaults());
        } catch (DataFormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}

package io.medseg.testdata;

import io.medseg.data.dicom.DicomTestWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/**
 * One input of each class of hostile file the readers must refuse quickly and clearly, built in code: the digit runs
 * that made backtracking number patterns take quadratic time, compressed lengths and PNG sizes that announce
 * gigabytes, an unbounded UID, a cut-off gzip stream. Each is laid out as a dataset the command line reads with
 * {@code segment inspect --data}, so the same inputs serve the library's tests and the command line's.
 */
public final class HostileInputs {
    /** The Sunnybrook layout's contour-file name for frame 1. */
    private static final String CONTOUR_NAME = "IM-0001-0001-icontour-manual.txt";
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private HostileInputs() {
    }

    /**
     * One hostile input.
     *
     * @param name short name, also the folder it is built in
     * @param defect what it attacks
     * @param data the path to read ({@code --data})
     * @param culprit the file an error must name
     */
    public record Case(String name, String defect, Path data, Path culprit) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Every case, each built in its own folder under {@code dir}. */
    public static List<Case> all(Path dir) throws IOException {
        return List.of(dicomDecimalDigitRun(dir), contourDigitRun(dir), contourNumberDigitRun(dir),
                gzipRecordAnnouncingOneGib(dir), gzipRecordAnnouncingLessThanItHolds(dir), pngOf20000Squared(dir),
                tinyPngAnnouncing30000Squared(dir), dicomUidOf60000Bytes(dir), twoByteGzip(dir));
    }

    /**
     * Builds every case, and the well-formed control, under the folder {@code args[0]} and prints one line per case:
     * name, data path, culprit and defect, separated by tabs (for {@code scripts/hostile-inputs}).
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: HostileInputs DIR");
            System.exit(2);
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        Case control = wellFormed(dir);
        System.out.println(control.name() + "\t" + control.data() + "\t-\t" + control.defect());
        for (Case c : all(dir)) {
            System.out.println(c.name() + "\t" + c.data() + "\t" + c.culprit() + "\t" + c.defect());
        }
    }

    /** The control: a well-formed one-frame Sunnybrook dataset, read in the same way as the hostile ones. */
    public static Case wellFormed(Path dir) throws IOException {
        Path root = sunnybrook(dir.resolve("well-formed"));
        Path dicom = frame(DicomTestWriter.explicitVr(), "0.5\\0.5").write(root.resolve("dicoms/P1"), "1.dcm");
        contour(root, "1.5 1.5\n4.5 1.5\n4.5 3.5\n1.5 3.5\n");
        return new Case("well-formed", "a well-formed one-frame dataset (the control)", root, dicom);
    }

    // ---- class 1: numeric text that made backtracking patterns quadratic ----

    /** A DICOM whose pixel spacing (a Decimal String) is 67,000 digits and then a letter. */
    public static Case dicomDecimalDigitRun(Path dir) throws IOException {
        Path root = sunnybrook(dir.resolve("dicom-decimal-digit-run"));
        Path dicom = frame(DicomTestWriter.implicitVr(), "0.5\\" + "1".repeat(67_000) + "x")
                .write(root.resolve("dicoms/P1"), "1.dcm");
        contour(root, "1.5 1.5\n4.5 1.5\n4.5 3.5\n1.5 3.5\n");
        return new Case("dicom-decimal-digit-run", "a 67 KB decimal string of digits", root, dicom);
    }

    /** A contour file whose only line is 80,000 digits. */
    public static Case contourDigitRun(Path dir) throws IOException {
        Path root = sunnybrook(dir.resolve("contour-digit-run"));
        frame(DicomTestWriter.explicitVr(), "0.5\\0.5").write(root.resolve("dicoms/P1"), "1.dcm");
        Path contour = contour(root, "1".repeat(80_000) + "\n");
        return new Case("contour-digit-run", "an 80 KB contour line of digits", root, contour);
    }

    /** A contour line within the line limit whose second number is 4,000 digits and then a letter. */
    public static Case contourNumberDigitRun(Path dir) throws IOException {
        Path root = sunnybrook(dir.resolve("contour-number-digit-run"));
        frame(DicomTestWriter.explicitVr(), "0.5\\0.5").write(root.resolve("dicoms/P1"), "1.dcm");
        Path contour = contour(root, "1.5 1.5\n4.5 " + "9".repeat(4_000) + "e\n4.5 3.5\n");
        return new Case("contour-number-digit-run", "a contour coordinate of 4,000 digits", root, contour);
    }

    // ---- class 2: lengths declared inside compressed data ----

    /** A gzip TFRecord of about 30 bytes whose first header (with a valid checksum) announces a 1 GiB record. */
    public static Case gzipRecordAnnouncingOneGib(Path dir) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("gzip-record-1gib"));
        Path file = folder.resolve("train_images.tfrecords");
        Files.write(file, gzip(recordHeader(1L << 30)));
        return new Case("gzip-record-1gib", "a 30-byte gzip TFRecord announcing a 1 GiB record", folder, file);
    }

    /** A gzip TFRecord whose header announces 100 MiB (under the record limit) and holds 16 bytes. */
    public static Case gzipRecordAnnouncingLessThanItHolds(Path dir) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("gzip-record-short"));
        Path file = folder.resolve("train_images.tfrecords");
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        raw.writeBytes(recordHeader(100L << 20));
        raw.writeBytes(new byte[16]);
        Files.write(file, gzip(raw.toByteArray()));
        return new Case("gzip-record-short", "a gzip TFRecord announcing 100 MiB, holding 16 bytes", folder, file);
    }

    // ---- class 3: image dimensions declared in a PNG ----

    /** A real 20000 x 20000 grey PNG (about 390 KB of compressed zeros) among the images of a folder dataset. */
    public static Case pngOf20000Squared(Path dir) throws IOException {
        return pngCase(dir, "png-20000", "a 389 KB PNG of 20000 x 20000 pixels", 20_000, true);
    }

    /** A PNG of 56 bytes whose header announces 30000 x 30000 pixels and whose data stops after 16 of them. */
    public static Case tinyPngAnnouncing30000Squared(Path dir) throws IOException {
        return pngCase(dir, "png-30000-tiny", "a 56-byte PNG announcing 30000 x 30000 pixels", 30_000, false);
    }

    private static Case pngCase(Path dir, String name, String defect, int size, boolean complete) throws IOException {
        Path root = Files.createDirectories(dir.resolve(name));
        Path image = Files.createDirectories(root.resolve("images")).resolve("a.png");
        try (OutputStream out = Files.newOutputStream(image)) {
            writeGreyPng(out, size, size, complete);
        }
        maskOf(root, "a");
        return new Case(name, defect, root, image);
    }

    // ---- class 5: unbounded raw input in messages ----

    /** A DICOM whose transfer syntax UID is 60,000 bytes, control characters among them. */
    public static Case dicomUidOf60000Bytes(Path dir) throws IOException {
        Path root = sunnybrook(dir.resolve("dicom-uid-60000"));
        StringBuilder uid = new StringBuilder("1.2.");
        for (int i = 0; uid.length() < 60_000; i++) {
            uid.append(i % 97 == 0 ? '\u0007' : i % 89 == 0 ? '\n' : (char) ('0' + i % 10));
        }
        Path dicom = frame(DicomTestWriter.claiming(uid.toString()), "0.5\\0.5").write(root.resolve("dicoms/P1"),
                "1.dcm");
        contour(root, "1.5 1.5\n4.5 1.5\n4.5 3.5\n");
        return new Case("dicom-uid-60000", "a 60,000-byte UID with control characters", root, dicom);
    }

    // ---- class 6: a cut-off compressed stream ----

    /** A TFRecord file of two bytes, the gzip magic number and nothing else. */
    public static Case twoByteGzip(Path dir) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("gzip-2-bytes"));
        Path file = Files.write(folder.resolve("train_images.tfrecords"), new byte[] {0x1f, (byte) 0x8b});
        return new Case("gzip-2-bytes", "a 2-byte gzip file", folder, file);
    }

    // ---- building blocks ----

    private static Path sunnybrook(Path root) throws IOException {
        Files.createDirectories(root.resolve("dicoms/P1"));
        Files.createDirectories(root.resolve("contourfiles/O1/i-contours"));
        Files.writeString(root.resolve("link.csv"), "patient_id,original_id\nP1,O1\n");
        return root;
    }

    private static Path contour(Path root, String text) throws IOException {
        return Files.writeString(root.resolve("contourfiles/O1/i-contours").resolve(CONTOUR_NAME), text,
                StandardCharsets.US_ASCII);
    }

    /** Frame 1 of patient P1: 8 x 8, 16-bit, the given pixel spacing. */
    private static DicomTestWriter frame(DicomTestWriter w, String spacing) {
        return w.text(0x0010_0020, "LO", "P1")
                .text(0x0020_0013, "IS", "1")
                .us(0x0028_0010, 8).us(0x0028_0011, 8)
                .text(0x0028_0030, "DS", spacing)
                .us(0x0028_0100, 16).us(0x0028_0103, 0)
                .element(0x7FE0_0010, "OW", new byte[128]);
    }

    private static void maskOf(Path root, String name) throws IOException {
        try (OutputStream out = Files.newOutputStream(Files.createDirectories(root.resolve("masks"))
                .resolve(name + ".png"))) {
            writeGreyPng(out, 8, 8, true);
        }
    }

    /** A TFRecord header: the little-endian length and its masked CRC32C. */
    private static byte[] recordHeader(long length) {
        byte[] h = new byte[12];
        for (int i = 0; i < 8; i++) {
            h[i] = (byte) (length >>> (8 * i));
        }
        int crc = maskedCrc32c(h, 8);
        for (int i = 0; i < 4; i++) {
            h[8 + i] = (byte) (crc >>> (8 * i));
        }
        return h;
    }

    /** TFRecord's masked CRC32C of the first {@code n} bytes, bit by bit (independent of the reader's table). */
    public static int maskedCrc32c(byte[] b, int n) {
        int crc = ~0;
        for (int i = 0; i < n; i++) {
            crc ^= b[i] & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc >>> 1) ^ (0x82F63B78 & -(crc & 1));
            }
        }
        crc = ~crc;
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    /**
     * An 8-bit grey PNG of zeros, streamed row by row so that no image is held; with {@code complete} false the
     * image data holds the first 16 pixels and the file ends there, without an {@code IEND} chunk.
     */
    public static void writeGreyPng(OutputStream out, int width, int height, boolean complete) throws IOException {
        out.write(PNG_SIGNATURE);
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        writeInt(ihdr, width);
        writeInt(ihdr, height);
        ihdr.write(new byte[] {8, 0, 0, 0, 0});
        chunk(out, "IHDR", ihdr.toByteArray());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, deflater, 1 << 16)) {
            if (complete) {
                byte[] row = new byte[1 + width];
                for (int y = 0; y < height; y++) {
                    z.write(row);
                }
            } else {
                z.write(new byte[17]);
            }
        } finally {
            deflater.end();
        }
        chunk(out, "IDAT", idat.toByteArray());
        if (complete) {
            chunk(out, "IEND", new byte[0]);
        }
    }

    private static void chunk(OutputStream out, String type, byte[] data) throws IOException {
        ByteArrayOutputStream c = new ByteArrayOutputStream();
        writeInt(c, data.length);
        c.write(type.getBytes(StandardCharsets.US_ASCII));
        c.write(data);
        byte[] bytes = c.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(bytes, 4, bytes.length - 4);
        out.write(bytes);
        writeInt(out, (int) crc.getValue());
    }

    private static void writeInt(OutputStream out, int v) throws IOException {
        out.write(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }
}

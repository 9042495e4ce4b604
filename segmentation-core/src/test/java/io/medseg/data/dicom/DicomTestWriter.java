package io.medseg.data.dicom;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** Writes small DICOM Part 10 files for tests, element by element, so each byte is known to the test. */
public final class DicomTestWriter {
    static final String EXPLICIT = "1.2.840.10008.1.2.1";
    static final String IMPLICIT = "1.2.840.10008.1.2";
    private static final Set<String> LONG_VRS =
            Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV");

    private final String transferSyntax;
    private final boolean explicit;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    private DicomTestWriter(String transferSyntax, boolean explicit) {
        this.transferSyntax = transferSyntax;
        this.explicit = explicit;
    }

    public static DicomTestWriter explicitVr() {
        return new DicomTestWriter(EXPLICIT, true);
    }

    public static DicomTestWriter implicitVr() {
        return new DicomTestWriter(IMPLICIT, false);
    }

    /** A file that claims {@code uid} but is written in explicit VR little endian. */
    public static DicomTestWriter claiming(String uid) {
        return new DicomTestWriter(uid, true);
    }

    boolean explicit() {
        return explicit;
    }

    public DicomTestWriter element(int tag, String vr, byte[] value) {
        write(body, encode(tag, vr, value.length), value);
        return this;
    }

    public DicomTestWriter us(int tag, int value) {
        return element(tag, "US", new byte[] {(byte) value, (byte) (value >>> 8)});
    }

    public DicomTestWriter text(int tag, String vr, String value) {
        byte[] s = value.getBytes(StandardCharsets.US_ASCII);
        byte[] padded = new byte[s.length + (s.length % 2)];
        System.arraycopy(s, 0, padded, 0, s.length);
        if (s.length % 2 == 1) {
            padded[s.length] = (byte) ("UI".equals(vr) ? 0 : ' ');
        }
        return element(tag, vr, padded);
    }

    /** A header with an arbitrary declared length and no value bytes. */
    public DicomTestWriter header(int tag, String vr, long declaredLength) {
        write(body, encode(tag, vr, declaredLength));
        return this;
    }

    public DicomTestWriter raw(byte[] bytes) {
        write(body, bytes);
        return this;
    }

    /** Bytes of one element in this writer's VR encoding (for sequence items). */
    byte[] encodeElement(int tag, String vr, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, encode(tag, vr, value.length), value);
        return out.toByteArray();
    }

    byte[] encode(int tag, String vr, long length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, le16(tag >>> 16), le16(tag & 0xFFFF));
        if ((tag >>> 16) == 0xFFFE || !explicit) {
            write(out, le32(length));
        } else if (LONG_VRS.contains(vr)) {
            write(out, vr.getBytes(StandardCharsets.US_ASCII), new byte[2], le32(length));
        } else {
            write(out, vr.getBytes(StandardCharsets.US_ASCII), le16((int) length));
        }
        return out.toByteArray();
    }

    public byte[] toBytes() {
        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        byte[] ts = transferSyntax.getBytes(StandardCharsets.US_ASCII);
        byte[] tsPadded = new byte[ts.length + (ts.length % 2)];
        System.arraycopy(ts, 0, tsPadded, 0, ts.length);
        // The meta group is always explicit VR little endian.
        write(meta, le16(0x0002), le16(0x0001), "OB".getBytes(StandardCharsets.US_ASCII), new byte[2], le32(2),
                new byte[] {0, 1});
        write(meta, le16(0x0002), le16(0x0010), "UI".getBytes(StandardCharsets.US_ASCII), le16(tsPadded.length),
                tsPadded);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, new byte[128], "DICM".getBytes(StandardCharsets.US_ASCII));
        write(out, le16(0x0002), le16(0x0000), "UL".getBytes(StandardCharsets.US_ASCII), le16(4), le32(meta.size()));
        write(out, meta.toByteArray(), body.toByteArray());
        return out.toByteArray();
    }

    public Path write(Path dir, String name) throws IOException {
        return Files.write(dir.resolve(name), toBytes());
    }

    static byte[] le16(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8)};
    }

    static byte[] le32(long v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    public static byte[] words(int... values) {
        byte[] out = new byte[values.length * 2];
        for (int i = 0; i < values.length; i++) {
            out[2 * i] = (byte) values[i];
            out[2 * i + 1] = (byte) (values[i] >>> 8);
        }
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, parts);
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, byte[]... parts) {
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
    }
}

package io.medseg.data.dicom;

import io.medseg.data.DataFormatException;
import io.medseg.data.PixelSpacing;
import io.medseg.data.ReadLimits;
import io.medseg.io.TextFields;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A small, strict reader for single-frame grayscale DICOM Part 10 files with uncompressed little-endian pixel
 * data, the form clinical short-axis MRI usually comes in.
 *
 * <p>What it reads: the 128-byte preamble and {@code DICM} magic; the file meta group (0002), always explicit VR
 * little endian; a data set in Implicit VR Little Endian (1.2.840.10008.1.2) or Explicit VR Little Endian
 * (1.2.840.10008.1.2.1); 8- or 16-bit pixels, signed or unsigned (Pixel Representation), one sample per pixel,
 * masked to Bits Stored and sign-extended when signed. Sequences, of defined or undefined length, are skipped;
 * attributes inside them are ignored. Parsing stops after the top-level Pixel Data (7FE0,0010).
 *
 * <p>What it refuses, each with a {@link DataFormatException} naming the file, the tag and/or byte offset, and
 * what was expected: any other transfer syntax (by UID and name), a missing preamble or magic, a declared length
 * that runs past the end of the file (checked before anything is allocated), a truncated element header, missing
 * Rows, Columns, Bits Allocated, Pixel Representation or Pixel Data, pixel data shorter than
 * {@code rows * columns * bytes per pixel}, more than one frame, more than one sample per pixel, a photometric
 * interpretation other than MONOCHROME1/2, and a High Bit other than {@code bitsStored - 1}. Bits Stored defaults
 * to Bits Allocated and Samples per Pixel to 1 when absent.
 */
public final class DicomReader {
    /** The Part 10 preamble before the {@code DICM} magic; {@link #HEADER_LENGTH} covers both. */
    private static final int PREAMBLE_LENGTH = 128;
    static final int HEADER_LENGTH = PREAMBLE_LENGTH + 4;
    private static final long UNDEFINED_LENGTH = 0xFFFFFFFFL;
    private static final int MAX_SEQUENCE_DEPTH = 32;

    static final int TRANSFER_SYNTAX = 0x0002_0010;

    /** Whether {@code b} starts with a 128-byte preamble followed by {@code DICM}, as DICOM Part 10 files do. */
    static boolean hasPart10Header(byte[] b) {
        return b.length >= HEADER_LENGTH && b[PREAMBLE_LENGTH] == 'D' && b[PREAMBLE_LENGTH + 1] == 'I'
                && b[PREAMBLE_LENGTH + 2] == 'C' && b[PREAMBLE_LENGTH + 3] == 'M';
    }
    static final int SERIES_DESCRIPTION = 0x0008_103E;
    static final int PATIENT_ID = 0x0010_0020;
    static final int INSTANCE_NUMBER = 0x0020_0013;
    static final int SAMPLES_PER_PIXEL = 0x0028_0002;
    static final int PHOTOMETRIC = 0x0028_0004;
    static final int NUMBER_OF_FRAMES = 0x0028_0008;
    static final int ROWS = 0x0028_0010;
    static final int COLUMNS = 0x0028_0011;
    static final int PIXEL_SPACING = 0x0028_0030;
    static final int BITS_ALLOCATED = 0x0028_0100;
    static final int BITS_STORED = 0x0028_0101;
    static final int HIGH_BIT = 0x0028_0102;
    static final int PIXEL_REPRESENTATION = 0x0028_0103;
    static final int RESCALE_INTERCEPT = 0x0028_1052;
    static final int RESCALE_SLOPE = 0x0028_1053;
    static final int PIXEL_DATA = 0x7FE0_0010;
    private static final int ITEM = 0xFFFE_E000;
    private static final int ITEM_DELIMITATION = 0xFFFE_E00D;
    private static final int SEQUENCE_DELIMITATION = 0xFFFE_E0DD;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(TRANSFER_SYNTAX, "transfer syntax uid"),
            Map.entry(SERIES_DESCRIPTION, "series description"),
            Map.entry(PATIENT_ID, "patient id"),
            Map.entry(INSTANCE_NUMBER, "instance number"),
            Map.entry(SAMPLES_PER_PIXEL, "samples per pixel"),
            Map.entry(PHOTOMETRIC, "photometric interpretation"),
            Map.entry(NUMBER_OF_FRAMES, "number of frames"),
            Map.entry(ROWS, "rows"),
            Map.entry(COLUMNS, "columns"),
            Map.entry(PIXEL_SPACING, "pixel spacing"),
            Map.entry(BITS_ALLOCATED, "bits allocated"),
            Map.entry(BITS_STORED, "bits stored"),
            Map.entry(HIGH_BIT, "high bit"),
            Map.entry(PIXEL_REPRESENTATION, "pixel representation"),
            Map.entry(RESCALE_INTERCEPT, "rescale intercept"),
            Map.entry(RESCALE_SLOPE, "rescale slope"),
            Map.entry(PIXEL_DATA, "pixel data"));

    /** VRs whose explicit encoding has two reserved bytes and a 32-bit length (PS3.5 7.1.2). */
    private static final Set<String> LONG_VRS =
            Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV");

    /** Integer String: at most 12 characters (PS3.5 6.2), so at most 10 digits of an int after a sign. */
    private static final int INTEGER_DIGITS = 10;

    private DicomReader() {
    }

    /**
     * Reads one DICOM Part 10 file.
     *
     * @throws DataFormatException if the file is not a readable single-frame, uncompressed, little-endian
     *     grayscale DICOM; the message names the file, the tag and/or byte offset, and what was expected
     * @throws IOException if the file cannot be read
     */
    public static DicomImage read(Path file) throws IOException {
        return read(file, ReadLimits.defaults());
    }

    /**
     * Reads one DICOM Part 10 file within {@code limits}: the file size before it is read, the image size before the
     * pixels are decoded.
     *
     * @throws DataFormatException as {@link #read(Path)}, and when the file or the image is over a limit
     */
    public static DicomImage read(Path file, ReadLimits limits) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(limits, "limits");
        limits.checkFileSize(file, Files.size(file));
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (OutOfMemoryError e) {
            throw new DataFormatException(file, "too large to read into this JVM's heap of "
                    + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB (give Java more memory, or lower "
                    + ReadLimits.PROPERTY_PREFIX + "maxFileBytes)");
        }
        return new Parser(file, bytes, limits).parse();
    }

    /**
     * Reads one DICOM Part 10 file already in memory, such as a request body; {@code source} names it in errors
     * (for example {@code "request body"}). The bytes are not copied and must not change while this reads them.
     *
     * @throws DataFormatException as {@link #read(Path)}, and when the bytes or the image are over a limit
     */
    public static DicomImage read(byte[] bytes, String source, ReadLimits limits) throws DataFormatException {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(limits, "limits");
        Path name = Path.of(source);
        limits.checkFileSize(name, bytes.length);
        return new Parser(name, bytes, limits).parse();
    }

    static String tagString(int tag) {
        return String.format("(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
    }

    private static String describe(int tag) {
        String name = NAMES.get(tag);
        return name == null ? tagString(tag) : name + " " + tagString(tag);
    }

    private record Header(int tag, String vr, long length, int offset, int valueOffset) {
    }

    private record Value(String vr, int offset, int valueOffset, int length) {
    }

    private static final class Parser {
        private final Path file;
        private final byte[] b;
        private final ReadLimits limits;
        private int pos;
        private final Map<Integer, Value> values = new HashMap<>();
        private Value pixelData;

        Parser(Path file, byte[] bytes, ReadLimits limits) {
            this.file = file;
            this.b = bytes;
            this.limits = limits;
        }

        DicomImage parse() throws DataFormatException {
            if (b.length < PREAMBLE_LENGTH + 4) {
                throw fail("file has " + b.length + " bytes, too short for dicom part 10: expected a "
                        + PREAMBLE_LENGTH + "-byte preamble followed by 'DICM' at byte offset " + PREAMBLE_LENGTH);
            }
            if (!hasPart10Header(b)) {
                throw fail("missing 'DICM' magic at byte offset " + PREAMBLE_LENGTH + ": found '"
                        + printable(PREAMBLE_LENGTH, 4) + "'; not a dicom part 10 file");
            }
            pos = PREAMBLE_LENGTH + 4;
            int metaElements = 0;
            while (pos + 2 <= b.length && u16(pos) == 0x0002) {
                Header h = readHeader(true);
                consume(h, true, true);
                metaElements++;
            }
            if (metaElements == 0) {
                throw fail("missing file meta information group (0002) at byte offset " + (PREAMBLE_LENGTH + 4));
            }
            String ts = string(TRANSFER_SYNTAX);
            if (ts == null) {
                throw fail("missing " + describe(TRANSFER_SYNTAX) + " in the file meta information");
            }
            if (!TransferSyntax.isSupported(ts)) {
                // a UID has at most 64 characters; anything longer is shown cut short
                throw fail("unsupported transfer syntax " + TextFields.excerpt(ts, 64) + " (" + TransferSyntax.name(ts)
                        + "): only uncompressed little-endian is supported ("
                        + TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN + ", " + TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN
                        + ")");
            }
            boolean explicit = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.equals(ts);
            while (pixelData == null && pos < b.length) {
                Header h = readHeader(explicit);
                if ((h.tag >>> 16) == 0xFFFE) {
                    throw fail("unexpected item tag " + tagString(h.tag) + " at byte offset " + h.offset
                            + " outside any sequence");
                }
                consume(h, explicit, true);
            }
            if (pixelData == null) {
                throw fail("missing " + describe(PIXEL_DATA) + ": reached end of file at byte offset " + b.length);
            }
            return build(ts);
        }

        /** Reads an element header at {@code pos} and leaves {@code pos} at the value. */
        private Header readHeader(boolean explicit) throws DataFormatException {
            int start = pos;
            if (b.length - start < 4) {
                throw fail("truncated element header at byte offset " + start + ": expected a 4-byte tag, found "
                        + (b.length - start) + " bytes");
            }
            int tag = (u16(start) << 16) | u16(start + 2);
            if ((tag >>> 16) == 0xFFFE || !explicit) {
                need(start, 8, tag);
                pos = start + 8;
                return new Header(tag, null, u32(start + 4), start, pos);
            }
            need(start, 8, tag);
            char c0 = (char) (b[start + 4] & 0xFF);
            char c1 = (char) (b[start + 5] & 0xFF);
            if (c0 < 'A' || c0 > 'Z' || c1 < 'A' || c1 > 'Z') {
                throw fail("invalid vr '" + printable(start + 4, 2) + "' for element " + tagString(tag)
                        + " at byte offset " + start + ": expected two upper-case letters (explicit vr)");
            }
            String vr = "" + c0 + c1;
            if (LONG_VRS.contains(vr)) {
                need(start, 12, tag);
                pos = start + 12;
                return new Header(tag, vr, u32(start + 8), start, pos);
            }
            pos = start + 8;
            return new Header(tag, vr, u16(start + 6), start, pos);
        }

        private void need(int start, int headerLength, int tag) throws DataFormatException {
            if (b.length - start < headerLength) {
                throw fail("truncated header of element " + tagString(tag) + " at byte offset " + start
                        + ": expected " + headerLength + " bytes, file has " + (b.length - start) + " left");
            }
        }

        /** Records or skips the value of {@code h}, leaving {@code pos} after it. */
        private void consume(Header h, boolean explicit, boolean topLevel) throws DataFormatException {
            if (h.tag == PIXEL_DATA && topLevel) {
                if (h.length == UNDEFINED_LENGTH) {
                    throw fail(describe(PIXEL_DATA) + " at byte offset " + h.offset
                            + " has undefined length (encapsulated, compressed pixel data): expected native pixel "
                            + "data of defined length");
                }
                checkFits(h);
                pixelData = new Value(h.vr, h.offset, h.valueOffset, (int) h.length);
                pos = h.valueOffset + (int) h.length;
                return;
            }
            if (h.length == UNDEFINED_LENGTH) {
                boolean sequence = !explicit || "SQ".equals(h.vr) || "UN".equals(h.vr);
                if (!sequence) {
                    throw fail("undefined length on element " + tagString(h.tag) + " with vr " + h.vr
                            + " at byte offset " + h.offset + ": only sequences may have undefined length");
                }
                // An undefined-length UN holds an implicit-VR sequence (PS3.5 6.2.2).
                skipSequence(h, explicit && !"UN".equals(h.vr), 1);
                return;
            }
            checkFits(h);
            if (topLevel && NAMES.containsKey(h.tag)) {
                values.put(h.tag, new Value(h.vr, h.offset, h.valueOffset, (int) h.length));
            }
            pos = h.valueOffset + (int) h.length;
        }

        private void checkFits(Header h) throws DataFormatException {
            long left = (long) b.length - h.valueOffset;
            if (h.length > left) {
                throw fail("declared length " + h.length + " of element " + describe(h.tag) + " at byte offset "
                        + h.offset + " runs past end of file: only " + left + " bytes remain");
            }
        }

        private void skipSequence(Header seq, boolean explicit, int depth) throws DataFormatException {
            if (depth > MAX_SEQUENCE_DEPTH) {
                throw fail("sequences nested deeper than " + MAX_SEQUENCE_DEPTH + " levels at byte offset "
                        + seq.offset);
            }
            while (true) {
                Header item = readHeader(explicit);
                if (item.tag == SEQUENCE_DELIMITATION) {
                    return;
                }
                if (item.tag != ITEM) {
                    throw fail("expected an item (FFFE,E000) or sequence delimitation (FFFE,E0DD) at byte offset "
                            + item.offset + " inside sequence " + tagString(seq.tag) + " that starts at byte offset "
                            + seq.offset + ", found " + tagString(item.tag));
                }
                if (item.length != UNDEFINED_LENGTH) {
                    checkFits(item);
                    pos = item.valueOffset + (int) item.length;
                    continue;
                }
                while (true) {
                    Header h = readHeader(explicit);
                    if (h.tag == ITEM_DELIMITATION) {
                        break;
                    }
                    if ((h.tag >>> 16) == 0xFFFE) {
                        throw fail("unexpected " + tagString(h.tag) + " at byte offset " + h.offset
                                + " inside an item of sequence " + tagString(seq.tag)
                                + ": expected an element or item delimitation (FFFE,E00D)");
                    }
                    if (h.length == UNDEFINED_LENGTH) {
                        boolean sequence = !explicit || "SQ".equals(h.vr) || "UN".equals(h.vr);
                        if (!sequence) {
                            throw fail("undefined length on element " + tagString(h.tag) + " with vr " + h.vr
                                    + " at byte offset " + h.offset + ": only sequences may have undefined length");
                        }
                        skipSequence(h, explicit && !"UN".equals(h.vr), depth + 1);
                    } else {
                        checkFits(h);
                        pos = h.valueOffset + (int) h.length;
                    }
                }
            }
        }

        private DicomImage build(String ts) throws DataFormatException {
            int rows = requiredUs(ROWS);
            int columns = requiredUs(COLUMNS);
            if (rows <= 0 || columns <= 0) {
                throw fail("image size must be positive: " + describe(ROWS) + " = " + rows + ", "
                        + describe(COLUMNS) + " = " + columns);
            }
            limits.checkImage(file, "rows (0028,0010) x columns (0028,0011)", columns, rows, 1);
            int samples = optionalUs(SAMPLES_PER_PIXEL, 1);
            if (samples != 1) {
                throw fail(describe(SAMPLES_PER_PIXEL) + " " + samples + " is not supported: expected 1 (grayscale)");
            }
            String photometric = string(PHOTOMETRIC);
            if (photometric != null && !photometric.equals("MONOCHROME1") && !photometric.equals("MONOCHROME2")) {
                throw fail(describe(PHOTOMETRIC) + " " + TextFields.excerpt(photometric)
                        + " is not supported: expected MONOCHROME1 or MONOCHROME2");
            }
            String frames = string(NUMBER_OF_FRAMES);
            if (frames != null && !frames.equals("1")) {
                throw fail(describe(NUMBER_OF_FRAMES) + " " + TextFields.excerpt(frames)
                        + " is not supported: expected 1");
            }
            int bitsAllocated = requiredUs(BITS_ALLOCATED);
            if (bitsAllocated != 8 && bitsAllocated != 16) {
                throw fail(describe(BITS_ALLOCATED) + " " + bitsAllocated + " is not supported: expected 8 or 16");
            }
            int bitsStored = optionalUs(BITS_STORED, bitsAllocated);
            if (bitsStored < 1 || bitsStored > bitsAllocated) {
                throw fail(describe(BITS_STORED) + " " + bitsStored + " must be in 1.." + bitsAllocated
                        + " (bits allocated)");
            }
            int highBit = optionalUs(HIGH_BIT, bitsStored - 1);
            if (highBit != bitsStored - 1) {
                throw fail(describe(HIGH_BIT) + " " + highBit + " is not supported: expected bits stored - 1 = "
                        + (bitsStored - 1));
            }
            int representation = requiredUs(PIXEL_REPRESENTATION);
            if (representation != 0 && representation != 1) {
                throw fail(describe(PIXEL_REPRESENTATION) + " " + representation
                        + " is invalid: expected 0 (unsigned) or 1 (signed)");
            }
            boolean signed = representation == 1;
            int bytesPerPixel = bitsAllocated / 8;
            long expected = (long) rows * columns * bytesPerPixel;
            long declared = pixelData.length;
            boolean padded = expected % 2 == 1 && declared == expected + 1;
            if (declared < expected) {
                throw fail(describe(PIXEL_DATA) + " at byte offset " + pixelData.offset + " has " + declared
                        + " bytes, expected rows x columns x bytes per pixel = " + rows + " x " + columns + " x "
                        + bytesPerPixel + " = " + expected);
            }
            if (declared != expected && !padded) {
                throw fail(describe(PIXEL_DATA) + " at byte offset " + pixelData.offset + " has " + declared
                        + " bytes, more than rows x columns x bytes per pixel = " + rows + " x " + columns + " x "
                        + bytesPerPixel + " = " + expected + " (one frame)");
            }
            int[] stored = decode(rows * columns, bitsAllocated, bitsStored, signed);
            double slope = optionalDecimal(RESCALE_SLOPE, 1.0);
            double intercept = optionalDecimal(RESCALE_INTERCEPT, 0.0);
            return new DicomImage(rows, columns, bitsAllocated, bitsStored, signed, slope, intercept,
                    optionalInteger(INSTANCE_NUMBER), string(PATIENT_ID), string(SERIES_DESCRIPTION), spacing(), ts,
                    stored);
        }

        private int[] decode(int count, int bitsAllocated, int bitsStored, boolean signed) {
            int[] out = new int[count];
            int mask = (1 << bitsStored) - 1;
            int signBit = 1 << (bitsStored - 1);
            int p = pixelData.valueOffset;
            for (int i = 0; i < count; i++) {
                int raw;
                if (bitsAllocated == 8) {
                    raw = b[p++] & 0xFF;
                } else {
                    raw = (b[p] & 0xFF) | ((b[p + 1] & 0xFF) << 8);
                    p += 2;
                }
                int v = raw & mask;
                if (signed && (v & signBit) != 0) {
                    v -= 1 << bitsStored;
                }
                out[i] = v;
            }
            return out;
        }

        private int requiredUs(int tag) throws DataFormatException {
            if (!values.containsKey(tag)) {
                throw fail("missing " + describe(tag) + ": required for pixel data");
            }
            return optionalUs(tag, 0);
        }

        private int optionalUs(int tag, int fallback) throws DataFormatException {
            Value v = values.get(tag);
            if (v == null) {
                return fallback;
            }
            if (v.length != 2) {
                throw fail(describe(tag) + " at byte offset " + v.offset + ": expected a 2-byte us value, found length "
                        + v.length);
            }
            return u16(v.valueOffset);
        }

        private double optionalDecimal(int tag, double fallback) throws DataFormatException {
            String s = string(tag);
            if (s == null) {
                return fallback;
            }
            return decimal(tag, s, s);
        }

        private double decimal(int tag, String text, String whole) throws DataFormatException {
            String t = text.trim();
            if (!TextFields.isDecimal(t)) {
                throw fail(describe(tag) + " at byte offset " + values.get(tag).offset + ": expected a decimal, found "
                        + TextFields.excerpt(whole));
            }
            double d = Double.parseDouble(t);
            if (!Double.isFinite(d)) {
                throw fail(describe(tag) + " at byte offset " + values.get(tag).offset
                        + ": expected a finite decimal, found " + TextFields.excerpt(whole));
            }
            return d;
        }

        private OptionalInt optionalInteger(int tag) throws DataFormatException {
            String s = string(tag);
            if (s == null) {
                return OptionalInt.empty();
            }
            if (!TextFields.isInteger(s, INTEGER_DIGITS)) {
                throw fail(describe(tag) + " at byte offset " + values.get(tag).offset
                        + ": expected an integer string, found " + TextFields.excerpt(s));
            }
            long n = Long.parseLong(s);
            if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
                throw fail(describe(tag) + " at byte offset " + values.get(tag).offset + ": " + s
                        + " is out of integer range");
            }
            return OptionalInt.of((int) n);
        }

        private PixelSpacing spacing() throws DataFormatException {
            String s = string(PIXEL_SPACING);
            if (s == null) {
                return null;
            }
            String[] parts = s.split("\\\\", -1);
            if (parts.length != 2) {
                throw fail(describe(PIXEL_SPACING) + " at byte offset " + values.get(PIXEL_SPACING).offset
                        + ": expected two values 'row\\column', found " + TextFields.excerpt(s));
            }
            double row = decimal(PIXEL_SPACING, parts[0], s);
            double col = decimal(PIXEL_SPACING, parts[1], s);
            if (!(row > 0) || !(col > 0)) {
                throw fail(describe(PIXEL_SPACING) + " at byte offset " + values.get(PIXEL_SPACING).offset
                        + ": expected positive values, found " + TextFields.excerpt(s));
            }
            return new PixelSpacing(row, col);
        }

        /** The value of {@code tag} as text without padding (spaces, NULs), or null when absent or blank. */
        private String string(int tag) {
            Value v = values.get(tag);
            if (v == null) {
                return null;
            }
            String s = new String(b, v.valueOffset, v.length, StandardCharsets.ISO_8859_1);
            int end = s.length();
            while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\0')) {
                end--;
            }
            int start = 0;
            while (start < end && s.charAt(start) == ' ') {
                start++;
            }
            return start == end ? null : s.substring(start, end);
        }

        private String printable(int offset, int length) {
            StringBuilder sb = new StringBuilder();
            for (int i = offset; i < offset + length && i < b.length; i++) {
                int c = b[i] & 0xFF;
                sb.append(c >= 0x20 && c < 0x7F ? Character.toString(c) : String.format("\\x%02x", c));
            }
            return sb.toString();
        }

        private int u16(int at) {
            return (b[at] & 0xFF) | ((b[at + 1] & 0xFF) << 8);
        }

        private long u32(int at) {
            return (u16(at) | ((long) u16(at + 2) << 16)) & 0xFFFFFFFFL;
        }

        private DataFormatException fail(String message) {
            return new DataFormatException(file, message);
        }
    }
}

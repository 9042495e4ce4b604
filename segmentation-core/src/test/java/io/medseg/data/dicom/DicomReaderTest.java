package io.medseg.data.dicom;

import static io.medseg.data.dicom.DicomTestWriter.concat;
import static io.medseg.data.dicom.DicomTestWriter.le16;
import static io.medseg.data.dicom.DicomTestWriter.words;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.DataFormatException;
import io.medseg.data.Image;
import io.medseg.data.PixelSpacing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DicomReaderTest {
    private static final int PATIENT_ID = 0x0010_0020;
    private static final int INSTANCE_NUMBER = 0x0020_0013;
    private static final int SAMPLES_PER_PIXEL = 0x0028_0002;
    private static final int PHOTOMETRIC = 0x0028_0004;
    private static final int ROWS = 0x0028_0010;
    private static final int COLUMNS = 0x0028_0011;
    private static final int PIXEL_SPACING = 0x0028_0030;
    private static final int BITS_ALLOCATED = 0x0028_0100;
    private static final int BITS_STORED = 0x0028_0101;
    private static final int HIGH_BIT = 0x0028_0102;
    private static final int PIXEL_REPRESENTATION = 0x0028_0103;
    private static final int RESCALE_INTERCEPT = 0x0028_1052;
    private static final int RESCALE_SLOPE = 0x0028_1053;
    private static final int PIXEL_DATA = 0x7FE0_0010;
    private static final int ITEM = 0xFFFE_E000;
    private static final int ITEM_DELIMITATION = 0xFFFE_E00D;
    private static final int SEQUENCE_DELIMITATION = 0xFFFE_E0DD;
    private static final long UNDEFINED = 0xFFFFFFFFL;

    @TempDir
    Path tmp;

    /** Everything an image needs except the pixel data. */
    private static DicomTestWriter header(DicomTestWriter w, int rows, int cols, int bitsAllocated, int bitsStored,
            int pixelRepresentation) {
        return w.text(PATIENT_ID, "LO", "P1")
                .text(INSTANCE_NUMBER, "IS", "7")
                .us(SAMPLES_PER_PIXEL, 1)
                .text(PHOTOMETRIC, "CS", "MONOCHROME2")
                .us(ROWS, rows)
                .us(COLUMNS, cols)
                .text(PIXEL_SPACING, "DS", "0.5\\0.75")
                .us(BITS_ALLOCATED, bitsAllocated)
                .us(BITS_STORED, bitsStored)
                .us(HIGH_BIT, bitsStored - 1)
                .us(PIXEL_REPRESENTATION, pixelRepresentation);
    }

    private static int[] stored(DicomImage d) {
        int[] out = new int[d.rows() * d.columns()];
        for (int r = 0; r < d.rows(); r++) {
            for (int c = 0; c < d.columns(); c++) {
                out[r * d.columns() + c] = d.storedValue(r, c);
            }
        }
        return out;
    }

    @Test
    void readsExplicitVrEightBitUnsignedPixelsAndAttributes() throws IOException {
        byte[] px = {0, 1, 127, (byte) 128, (byte) 200, (byte) 255};
        Path f = header(DicomTestWriter.explicitVr(), 2, 3, 8, 8, 0).element(PIXEL_DATA, "OB", px)
                .write(tmp, "u8.dcm");

        DicomImage d = DicomReader.read(f);

        assertThat(d.rows()).isEqualTo(2);
        assertThat(d.columns()).isEqualTo(3);
        assertThat(d.bitsAllocated()).isEqualTo(8);
        assertThat(d.signed()).isFalse();
        assertThat(d.instanceNumber()).hasValue(7);
        assertThat(d.patientId()).contains("P1");
        assertThat(d.seriesDescription()).isEmpty();
        assertThat(d.spacing()).contains(new PixelSpacing(0.5, 0.75));
        assertThat(d.transferSyntaxUid()).isEqualTo("1.2.840.10008.1.2.1");
        assertThat(stored(d)).containsExactly(0, 1, 127, 128, 200, 255);
        Image img = d.toImage();
        assertThat(img.height()).isEqualTo(2);
        assertThat(img.width()).isEqualTo(3);
        assertThat(img.channels()).isEqualTo(1);
        assertThat(img.get(1, 0)).isEqualTo(128f);
        assertThat(img.toArray()).containsExactly(0f, 1f, 127f, 128f, 200f, 255f);
        assertThat(img.spacing()).contains(new PixelSpacing(0.5, 0.75));
    }

    @Test
    void acceptsOddEightBitPixelDataPaddedToEvenLength() throws IOException {
        Path f = header(DicomTestWriter.explicitVr(), 1, 3, 8, 8, 0)
                .element(PIXEL_DATA, "OB", new byte[] {9, 8, 7, 0}).write(tmp, "odd.dcm");

        assertThat(stored(DicomReader.read(f))).containsExactly(9, 8, 7);
    }

    @Test
    void implicitVrSixteenBitSignedWithTwelveBitsStoredIsMaskedAndSignExtended() throws IOException {
        // 12-bit two's complement: 0x7FF = 2047, 0x800 = -2048, 0xFFF = -1; bits above bit 11 are ignored.
        int[] raw = {0x0000, 0x07FF, 0x0800, 0x0FFF, 0xF005, 0x1801};
        Path f = header(DicomTestWriter.implicitVr(), 2, 3, 16, 12, 1).element(PIXEL_DATA, "OW", words(raw))
                .write(tmp, "s12.dcm");

        DicomImage d = DicomReader.read(f);

        assertThat(d.transferSyntaxUid()).isEqualTo("1.2.840.10008.1.2");
        assertThat(d.signed()).isTrue();
        assertThat(d.bitsStored()).isEqualTo(12);
        assertThat(stored(d)).containsExactly(0, 2047, -2048, -1, 5, -2047);
        assertThat(d.toImage().toArray()).containsExactly(0f, 2047f, -2048f, -1f, 5f, -2047f);
        assertThat(d.instanceNumber()).hasValue(7);
        assertThat(d.spacing()).contains(new PixelSpacing(0.5, 0.75));
    }

    @Test
    void unsignedTwelveBitsStoredIsMaskedWithoutSignExtension() throws IOException {
        Path f = header(DicomTestWriter.implicitVr(), 1, 4, 16, 12, 0)
                .element(PIXEL_DATA, "OW", words(0x0800, 0x0FFF, 0xF005, 0xFFFF)).write(tmp, "u12.dcm");

        assertThat(stored(DicomReader.read(f))).containsExactly(2048, 4095, 5, 4095);
    }

    @Test
    void sixteenBitSignedCoversTheFullRange() throws IOException {
        Path f = header(DicomTestWriter.explicitVr(), 1, 4, 16, 16, 1)
                .element(PIXEL_DATA, "OW", words(0x8000, 0xFFFF, 0x7FFF, 0x0001)).write(tmp, "s16.dcm");

        assertThat(stored(DicomReader.read(f))).containsExactly(-32768, -1, 32767, 1);
    }

    @Test
    void rescaleSlopeAndInterceptAreApplied() throws IOException {
        Path f = header(DicomTestWriter.explicitVr(), 1, 4, 16, 16, 0)
                .text(RESCALE_INTERCEPT, "DS", "-100")
                .text(RESCALE_SLOPE, "DS", "2.5")
                .element(PIXEL_DATA, "OW", words(0, 10, 1000, 65535)).write(tmp, "rescale.dcm");

        DicomImage d = DicomReader.read(f);

        assertThat(d.rescaleSlope()).isEqualTo(2.5);
        assertThat(d.rescaleIntercept()).isEqualTo(-100.0);
        assertThat(stored(d)).containsExactly(0, 10, 1000, 65535);
        // 0*2.5-100, 10*2.5-100, 1000*2.5-100, 65535*2.5-100
        assertThat(d.toImage().toArray()).containsExactly(-100f, -75f, 2400f, 163737.5f);
    }

    @Test
    void missingOptionalAttributesGiveEmptyValues() throws IOException {
        Path f = DicomTestWriter.explicitVr().us(ROWS, 1).us(COLUMNS, 2).us(BITS_ALLOCATED, 16)
                .us(PIXEL_REPRESENTATION, 0).element(PIXEL_DATA, "OW", words(3, 4)).write(tmp, "bare.dcm");

        DicomImage d = DicomReader.read(f);

        assertThat(d.instanceNumber()).isEmpty();
        assertThat(d.patientId()).isEmpty();
        assertThat(d.spacing()).isEmpty();
        assertThat(d.toImage().spacing()).isEmpty();
        assertThat(d.bitsStored()).isEqualTo(16);
        assertThat(d.rescaleSlope()).isEqualTo(1.0);
        assertThat(stored(d)).containsExactly(3, 4);
    }

    @ParameterizedTest(name = "explicit VR = {0}")
    @ValueSource(booleans = {true, false})
    void sequencesBeforePixelDataAreSkippedAndTheirContentIgnored(boolean explicit) throws IOException {
        DicomTestWriter w = explicit ? DicomTestWriter.explicitVr() : DicomTestWriter.implicitVr();
        // Decoys inside items: a reader that does not skip sequences would take these as the image size.
        byte[] fakeRows = w.encodeElement(ROWS, "US", le16(999));
        byte[] fakeColumns = w.encodeElement(COLUMNS, "US", le16(777));
        byte[] nested = concat(
                w.encode(0x0008_1250, "SQ", UNDEFINED),
                w.encode(ITEM, null, UNDEFINED), fakeColumns, w.encode(ITEM_DELIMITATION, null, 0),
                w.encode(SEQUENCE_DELIMITATION, null, 0));
        byte[] undefinedItem = concat(w.encode(ITEM, null, UNDEFINED), fakeRows, nested,
                w.encode(ITEM_DELIMITATION, null, 0));
        byte[] definedItem = concat(w.encode(ITEM, null, fakeColumns.length), fakeColumns);
        byte[] undefinedSequence = concat(w.encode(0x0008_1140, "SQ", UNDEFINED), undefinedItem, definedItem,
                w.encode(SEQUENCE_DELIMITATION, null, 0));
        byte[] definedContent = concat(w.encode(ITEM, null, fakeRows.length), fakeRows);
        byte[] definedSequence = concat(w.encode(0x0008_1111, "SQ", definedContent.length), definedContent);
        w.raw(definedSequence).raw(undefinedSequence);
        Path f = header(w, 2, 3, 16, 16, 1).element(PIXEL_DATA, "OW", words(1, 2, 3, 4, 5, 0xFFFF))
                .write(tmp, "seq.dcm");

        DicomImage d = DicomReader.read(f);

        assertThat(d.rows()).isEqualTo(2);
        assertThat(d.columns()).isEqualTo(3);
        assertThat(stored(d)).containsExactly(1, 2, 3, 4, 5, -1);
        assertThat(d.patientId()).contains("P1");
    }

    // ---- bad input ----

    private AbstractThrowableAssert<?, ? extends Throwable> assertFails(Path f) {
        return assertThatThrownBy(() -> DicomReader.read(f))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(f.toString() + ": ")
                .satisfies(e -> assertThat(((DataFormatException) e).file()).contains(f));
    }

    private Path writeBytes(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    private static byte[] validImage() {
        return header(DicomTestWriter.explicitVr(), 4, 4, 16, 16, 1).element(PIXEL_DATA, "OW", new byte[32])
                .toBytes();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("pattern not found");
    }

    @Test
    void fileTruncatedInsidePixelDataNamesPixelDataTagAndOffset() throws IOException {
        byte[] full = validImage();
        int pixelHeader = full.length - 32 - 12;
        Path f = writeBytes("cut-pixels.dcm", Arrays.copyOf(full, full.length - 5));

        assertFails(f).hasMessageContaining("declared length 32 of element pixel data (7FE0,0010) at byte offset "
                + pixelHeader + " runs past end of file: only 27 bytes remain");
    }

    @Test
    void fileTruncatedInsideAnElementHeaderNamesTheTag() throws IOException {
        byte[] full = validImage();
        int rowsAt = indexOf(full, DicomTestWriter.explicitVr().encodeElement(ROWS, "US", le16(4)));
        Path f = writeBytes("cut-header.dcm", Arrays.copyOf(full, rowsAt + 5));

        assertFails(f).hasMessageContaining("truncated header of element (0028,0010) at byte offset " + rowsAt
                + ": expected 8 bytes, file has 5 left");
    }

    @Test
    void fileTruncatedInsideAHeaderValueNamesTheTag() throws IOException {
        byte[] full = validImage();
        byte[] patient = DicomTestWriter.explicitVr().encodeElement(PATIENT_ID, "LO", "P1".getBytes(
                StandardCharsets.US_ASCII));
        int at = indexOf(full, patient);
        Path f = writeBytes("cut-value.dcm", Arrays.copyOf(full, at + 9));

        assertFails(f).hasMessageContaining("declared length 2 of element patient id (0010,0020) at byte offset "
                + at + " runs past end of file: only 1 bytes remain");
    }

    @ParameterizedTest
    @CsvSource({
        "1.2.840.10008.1.2.4.50, JPEG Baseline",
        "1.2.840.10008.1.2.4.80, JPEG-LS Lossless",
        "1.2.840.10008.1.2.4.90, JPEG 2000 Lossless Only",
        "1.2.840.10008.1.2.5, RLE Lossless",
        "1.2.840.10008.1.2.1.99, Deflated Explicit VR Little Endian",
        "1.2.840.10008.1.2.2, Explicit VR Big Endian",
        "1.2.3.4, unknown"})
    void otherTransferSyntaxesAreRefusedByName(String uid, String name) throws IOException {
        Path f = header(DicomTestWriter.claiming(uid), 4, 4, 16, 16, 1).element(PIXEL_DATA, "OW", new byte[32])
                .write(tmp, "ts.dcm");

        assertFails(f).hasMessageContaining("unsupported transfer syntax '" + uid + "' (" + name
                + "): only uncompressed little-endian is supported");
    }

    @Test
    void declaredLengthPastEndOfFileIsRefusedBeforeAllocating() throws IOException {
        DicomTestWriter w = header(DicomTestWriter.explicitVr(), 4, 4, 16, 16, 1);
        int offset = w.toBytes().length;
        Path f = w.header(0x0029_1010, "OB", 0x7FFF_FFF0L).write(tmp, "huge.dcm");

        assertFails(f).hasMessageContaining("declared length 2147483632 of element (0029,1010) at byte offset "
                + offset + " runs past end of file: only 0 bytes remain");
    }

    @Test
    void missingDicmMagicIsRefused() throws IOException {
        byte[] bytes = validImage();
        bytes[131] = 'X';
        Path f = writeBytes("nodicm.dcm", bytes);

        assertFails(f).hasMessageContaining("missing 'DICM' magic at byte offset 128: found 'DICX'");
    }

    @Test
    void fileShorterThanThePreambleIsRefused() throws IOException {
        Path f = writeBytes("short.dcm", new byte[100]);

        assertFails(f).hasMessageContaining("file has 100 bytes, too short for dicom part 10");
    }

    @Test
    void missingRowsIsRefused() throws IOException {
        Path f = DicomTestWriter.explicitVr().us(COLUMNS, 2).us(BITS_ALLOCATED, 16).us(PIXEL_REPRESENTATION, 0)
                .element(PIXEL_DATA, "OW", words(3, 4)).write(tmp, "norows.dcm");

        assertFails(f).hasMessageContaining("missing rows (0028,0010)");
    }

    @Test
    void missingPixelDataIsRefused() throws IOException {
        DicomTestWriter w = header(DicomTestWriter.explicitVr(), 4, 4, 16, 16, 1);
        int end = w.toBytes().length;
        Path f = w.write(tmp, "nopixels.dcm");

        assertFails(f).hasMessageContaining("missing pixel data (7FE0,0010): reached end of file at byte offset "
                + end);
    }

    @Test
    void pixelDataShorterThanTheImageIsRefused() throws IOException {
        DicomTestWriter w = header(DicomTestWriter.explicitVr(), 4, 4, 16, 16, 1);
        int at = w.toBytes().length;
        Path f = w.element(PIXEL_DATA, "OW", new byte[16]).write(tmp, "fewpixels.dcm");

        assertFails(f).hasMessageContaining("pixel data (7FE0,0010) at byte offset " + at
                + " has 16 bytes, expected rows x columns x bytes per pixel = 4 x 4 x 2 = 32");
    }

    @Test
    void encapsulatedPixelDataIsRefused() throws IOException {
        Path f = header(DicomTestWriter.explicitVr(), 4, 4, 16, 16, 1).header(PIXEL_DATA, "OB", UNDEFINED)
                .raw(new byte[40]).write(tmp, "encapsulated.dcm");

        assertFails(f).hasMessageContaining("pixel data (7FE0,0010)").hasMessageContaining("undefined length");
    }

    @Test
    void malformedPixelSpacingNamesTheTag() throws IOException {
        Path f = DicomTestWriter.explicitVr().us(ROWS, 1).us(COLUMNS, 2).text(PIXEL_SPACING, "DS", "0.5")
                .us(BITS_ALLOCATED, 16).us(PIXEL_REPRESENTATION, 0).element(PIXEL_DATA, "OW", words(3, 4))
                .write(tmp, "spacing.dcm");

        assertFails(f).hasMessageContaining("pixel spacing (0028,0030)")
                .hasMessageContaining("expected two values 'row\\column', found '0.5'");
    }
}

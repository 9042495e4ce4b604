package io.medseg.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.medseg.data.dicom.DicomReader;
import io.medseg.data.dicom.DicomTestWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** DICOM Part 10 files: {@link DicomReader#read} and the conversion to an image. */
class DicomFuzzTest {
    private static final int ROWS = 0x0028_0010;
    private static final int COLUMNS = 0x0028_0011;
    private static final int PIXEL_DATA = 0x7FE0_0010;

    /** Valid files of every supported kind, written element by element. */
    static Map<String, byte[]> seedFiles() {
        Map<String, byte[]> seeds = new TreeMap<>();
        int[] px = new int[16];
        for (int i = 0; i < px.length; i++) {
            px[i] = 37 * i;
        }
        seeds.put("explicit-u16", frame(DicomTestWriter.explicitVr(), 16, 0)
                .element(PIXEL_DATA, "OW", DicomTestWriter.words(px)).toBytes());
        seeds.put("implicit-s12-rescaled", frame(DicomTestWriter.implicitVr(), 16, 1)
                .text(0x0028_1052, "DS", "-1024").text(0x0028_1053, "DS", "1.5E0")
                .element(PIXEL_DATA, "OW", DicomTestWriter.words(px)).toBytes());
        seeds.put("explicit-u8-monochrome1", frame(DicomTestWriter.explicitVr(), 8, 0)
                .text(0x0028_0004, "CS", "MONOCHROME1")
                .element(PIXEL_DATA, "OB", new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
                .toBytes());
        DicomTestWriter withSequence = DicomTestWriter.explicitVr();
        withSequence.header(0x0008_1140, "SQ", 0xFFFFFFFFL)
                .header(0xFFFE_E000, "", 0xFFFFFFFFL).text(0x0008_1150, "UI", "1.2.3")
                .header(0xFFFE_E00D, "", 0).header(0xFFFE_E0DD, "", 0);
        seeds.put("explicit-sequence", frame(withSequence, 16, 0)
                .element(PIXEL_DATA, "OW", DicomTestWriter.words(px)).toBytes());
        return seeds;
    }

    /** A 4 x 4 frame's attributes, up to the pixel data. */
    private static DicomTestWriter frame(DicomTestWriter w, int bits, int signed) {
        return w.text(0x0010_0020, "LO", "P1").text(0x0020_0013, "IS", "3")
                .us(ROWS, 4).us(COLUMNS, 4).text(0x0028_0030, "DS", "1.25\\1.25")
                .us(0x0028_0100, bits).us(0x0028_0101, bits == 16 && signed == 1 ? 12 : bits)
                .us(0x0028_0103, signed);
    }

    static Stream<Arguments> seeds() {
        return FuzzFiles.seedsWithCuts(seedFiles());
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "5m")
    void dicom(byte[] data) throws Exception {
        Path file = FuzzFiles.write("dicom/frame.dcm", data);
        FuzzFiles.badInputOnly(() -> DicomReader.read(file).toImage());
    }
}

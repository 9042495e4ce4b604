package io.medseg.data.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import io.medseg.data.Image;
import io.medseg.data.PixelSpacing;
import io.medseg.testdata.SunnybrookTestData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reads real Sunnybrook files and checks every pixel against bytes decoded here, independently of the reader. */
class RealDicomTest {

    /** Finds the last explicit-VR (7FE0,0010) OW header and decodes its value as int16 little endian. */
    private static short[] pixelsDecodedByHand(byte[] b) {
        byte[] tag = {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'W', 0, 0};
        int at = -1;
        for (int i = b.length - tag.length; i >= 0 && at < 0; i--) {
            boolean match = true;
            for (int j = 0; j < tag.length && match; j++) {
                match = b[i + j] == tag[j];
            }
            if (match) {
                at = i;
            }
        }
        assertThat(at).as("offset of (7FE0,0010)").isPositive();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int length = bb.getInt(at + 8);
        assertThat(length).isEqualTo(256 * 256 * 2);
        short[] out = new short[length / 2];
        bb.position(at + 12);
        bb.asShortBuffer().get(out);
        return out;
    }

    @ParameterizedTest
    @CsvSource({
        "SCD0000101, 48, 1.367188",
        "SCD0000201, 220, 1.367188",
        "SCD0000301, 7, 1.2891"})
    void realFileMatchesIndependentlyDecodedPixelsAndReadmeAttributes(String patient, int instance,
            double spacing) throws IOException {
        Path f = SunnybrookTestData.dir().resolve("dicoms").resolve(patient).resolve(instance + ".dcm");
        short[] expected = pixelsDecodedByHand(Files.readAllBytes(f));

        DicomImage d = DicomReader.read(f);

        assertThat(d.transferSyntaxUid()).isEqualTo("1.2.840.10008.1.2.1");
        assertThat(d.rows()).isEqualTo(256);
        assertThat(d.columns()).isEqualTo(256);
        assertThat(d.bitsAllocated()).isEqualTo(16);
        assertThat(d.bitsStored()).isEqualTo(16);
        assertThat(d.signed()).isTrue();
        assertThat(d.instanceNumber()).hasValue(instance);
        assertThat(d.patientId()).contains(patient);
        assertThat(d.spacing()).contains(new PixelSpacing(spacing, spacing));
        Image img = d.toImage();
        assertThat(img.spacing()).contains(new PixelSpacing(spacing, spacing));
        int max = Integer.MIN_VALUE;
        int min = Integer.MAX_VALUE;
        for (int i = 0; i < expected.length; i++) {
            int r = i / 256;
            int c = i % 256;
            if (d.storedValue(r, c) != expected[i] || img.get(r, c) != expected[i]) {
                throw new AssertionError("pixel (" + r + ", " + c + "): expected " + expected[i] + ", reader gave "
                        + d.storedValue(r, c) + " / " + img.get(r, c));
            }
            max = Math.max(max, expected[i]);
            min = Math.min(min, expected[i]);
        }
        // README: pixel values lie roughly in 0..2700.
        assertThat(min).isGreaterThanOrEqualTo(0);
        assertThat(max).isBetween(200, 4000);
    }
}

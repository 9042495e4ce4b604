package io.medseg.data.sunnybrook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.DataFormatException;
import io.medseg.data.PixelSpacing;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.dicom.DicomTestWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Sunnybrook layout rules, on small synthetic folders. */
class SunnybrookLayoutTest {
    private static final String RECTANGLE = "1.5 1.5\n4.5 1.5\n4.5 3.5\n1.5 3.5\n";

    @TempDir
    Path root;

    @BeforeEach
    void layout() throws IOException {
        Files.createDirectories(root.resolve("dicoms"));
        Files.createDirectories(root.resolve("contourfiles"));
    }

    /** An 8x8 16-bit unsigned frame whose pixel (r, c) holds {@code 100 * instance + 8 * r + c}. */
    private void dicom(String patient, int instance) throws IOException {
        int[] px = new int[64];
        for (int i = 0; i < 64; i++) {
            px[i] = 100 * instance + i;
        }
        Path dir = Files.createDirectories(root.resolve("dicoms").resolve(patient));
        DicomTestWriter.explicitVr()
                .text(0x0010_0020, "LO", patient)
                .text(0x0020_0013, "IS", Integer.toString(instance))
                .us(0x0028_0010, 8).us(0x0028_0011, 8)
                .text(0x0028_0030, "DS", "0.8\\0.9")
                .us(0x0028_0100, 16).us(0x0028_0103, 0)
                .element(0x7FE0_0010, "OW", DicomTestWriter.words(px))
                .write(dir, instance + ".dcm");
    }

    private Path contour(String originalId, int n, String text) throws IOException {
        Path dir = Files.createDirectories(root.resolve("contourfiles").resolve(originalId).resolve("i-contours"));
        return Files.writeString(dir.resolve(String.format("IM-0001-%04d-icontour-manual.txt", n)), text);
    }

    private Path link(String text) throws IOException {
        return Files.writeString(root.resolve("link.csv"), text);
    }

    private void twoPatients() throws IOException {
        link("patient_id,original_id\nP2,O2\nP1,O1\n");
        dicom("P1", 5);
        dicom("P2", 2);
        dicom("P2", 3); // no contour: not a sample
        dicom("P2", 10);
        contour("O1", 5, RECTANGLE);
        contour("O2", 2, RECTANGLE);
        contour("O2", 10, "0 0\n8 0\n0 8\n");
    }

    @Test
    void loadsFramesWithInnerContoursSortedByPatientThenNumber() throws IOException {
        twoPatients();

        SegmentationDataset ds = SunnybrookDataset.load(root);

        assertThat(ds.samples()).extracting(Sample::id).containsExactly("P1/5", "P2/2", "P2/10");
        assertThat(ds.samples()).extracting(Sample::patientId).containsExactly("P1", "P2", "P2");
        Sample s = ds.get(1);
        assertThat(s.image().get(3, 4)).isEqualTo(200f + 8 * 3 + 4);
        assertThat(s.image().spacing()).contains(new PixelSpacing(0.8, 0.9));
        // The rectangle covers columns 2..4 of rows 2..3.
        for (int r = 0; r < 8; r++) {
            for (int c = 0; c < 8; c++) {
                assertThat(s.mask().get(r, c)).as("(%d, %d)", r, c)
                        .isEqualTo(r >= 2 && r <= 3 && c >= 2 && c <= 4 ? 1 : 0);
            }
        }
        // Triangle (0,0), (8,0), (0,8) on an 8x8 image: centres with c, r <= 7 and c + r <= 8, row by row
        // 8 + 8 + 7 + 6 + 5 + 4 + 3 + 2 = 43 (column 8 of rows 0 lies outside the image).
        assertThat(ds.get(2).mask().count(1)).isEqualTo(43);
    }

    @Test
    void contourWithoutItsDicomIsAnErrorNamingTheContour() throws IOException {
        twoPatients();
        Path orphan = contour("O1", 6, RECTANGLE);

        assertThatThrownBy(() -> SunnybrookDataset.load(root))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(orphan + ": no dicom for this contour: expected "
                        + root.resolve("dicoms/P1/6.dcm"));
    }

    @Test
    void instanceNumberMustMatchTheFileName() throws IOException {
        twoPatients();
        Path p1 = root.resolve("dicoms/P1");
        Files.move(p1.resolve("5.dcm"), p1.resolve("6.dcm"));
        contour("O1", 6, RECTANGLE);
        Files.delete(root.resolve("contourfiles/O1/i-contours/IM-0001-0005-icontour-manual.txt"));

        assertThatThrownBy(() -> SunnybrookDataset.load(root))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(p1.resolve("6.dcm") + ": instance number (0020,0013) 5 does not match");
    }

    @Test
    void malformedLinkLineIsNamed() throws IOException {
        twoPatients();
        Path link = link("patient_id,original_id\nP2,O2\nP1\n");

        assertThatThrownBy(() -> SunnybrookDataset.load(root))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(link + ": line 3: expected 'patient_id,original_id', found 'P1'");
    }

    @Test
    void linkWithoutHeaderOrWithDuplicatesIsRefused() throws IOException {
        twoPatients();
        Path link = link("P2,O2\nP1,O1\n");
        assertThatThrownBy(() -> SunnybrookDataset.load(root))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(link + ": line 1: expected the header 'patient_id,original_id', found 'P2,O2'");

        link("patient_id,original_id\nP2,O2\nP2,O1\n");
        assertThatThrownBy(() -> SunnybrookDataset.load(root))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(link + ": line 3: duplicate patient id P2");
    }

    @Test
    void listedPatientWithoutDicomFolderIsAnError() throws IOException {
        twoPatients();
        Path link = link("patient_id,original_id\nP2,O2\nP1,O1\nP3,O3\n");

        assertThatThrownBy(() -> SunnybrookDataset.load(root))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(link + ": patient P3 has no dicom folder: expected " + root.resolve("dicoms/P3"));
    }

    @Test
    void folderWithoutTheLayoutIsRejected() throws IOException {
        Path empty = Files.createDirectories(root.resolve("empty"));

        assertThat(SunnybrookDataset.looksLikeSunnybrook(empty)).isFalse();
        assertThatThrownBy(() -> SunnybrookDataset.load(empty))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a sunnybrook folder (expected dicoms/, contourfiles/ and link.csv): " + empty);
    }

    @Test
    void dicomFilesSortsNumericallyAndIgnoresOtherFiles() throws IOException {
        twoPatients();
        Files.writeString(root.resolve("dicoms/P2/notes.txt"), "x");

        assertThat(SunnybrookDataset.dicomFiles(root.resolve("dicoms"))).containsExactly(
                root.resolve("dicoms/P1/5.dcm"), root.resolve("dicoms/P2/2.dcm"), root.resolve("dicoms/P2/3.dcm"),
                root.resolve("dicoms/P2/10.dcm"));
        assertThatThrownBy(() -> SunnybrookDataset.dicomFiles(root.resolve("missing")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }
}

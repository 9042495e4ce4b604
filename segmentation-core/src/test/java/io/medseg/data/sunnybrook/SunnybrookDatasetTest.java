package io.medseg.data.sunnybrook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.medseg.data.PixelSpacing;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.dicom.DicomReader;
import io.medseg.testdata.SunnybrookTestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real Sunnybrook subset, checked against the README and against independent computations. */
class SunnybrookDatasetTest {
    private static final Map<String, String> ORIGINAL_IDS =
            Map.of("SCD0000101", "SC-HF-I-1", "SCD0000201", "SC-HF-I-2", "SCD0000301", "SC-HF-I-4");
    private static final Map<String, Double> SPACING =
            Map.of("SCD0000101", 1.367188, "SCD0000201", 1.367188, "SCD0000301", 1.2891);

    private static Path root;
    private static SegmentationDataset all;

    @BeforeAll
    static void load() throws IOException {
        root = SunnybrookTestData.dir();
        all = SunnybrookDataset.load(root);
    }

    /** Frame numbers of a patient's inner contours, read from the file names here (sorted numerically). */
    private static List<Integer> contourNumbers(String patient) throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("contourfiles").resolve(ORIGINAL_IDS.get(patient))
                .resolve("i-contours"))) {
            return s.map(p -> Integer.parseInt(p.getFileName().toString().substring(8, 12))).sorted().toList();
        }
    }

    @Test
    void loadsTheThreePatientsWithReadmeFrameCounts() throws IOException {
        assertThat(all.size()).isEqualTo(56);
        assertThat(all.name()).isEqualTo("sunnybrook");
        assertThat(all.patients()).containsExactly("SCD0000101", "SCD0000201", "SCD0000301");
        assertThat(all.byPatient().get("SCD0000101")).hasSize(18);
        assertThat(all.byPatient().get("SCD0000201")).hasSize(18);
        assertThat(all.byPatient().get("SCD0000301")).hasSize(20);
    }

    @Test
    void samplesAreSortedByPatientThenFrameNumberWithReadmeIds() throws IOException {
        List<String> expected = new ArrayList<>();
        for (String p : List.of("SCD0000101", "SCD0000201", "SCD0000301")) {
            for (int n : contourNumbers(p)) {
                expected.add(p + "/" + n);
            }
        }
        assertThat(all.samples().stream().map(Sample::id).toList()).containsExactlyElementsOf(expected);
        assertThat(all.get(0).id()).isEqualTo("SCD0000101/48");
        for (Sample s : all) {
            assertThat(s.id()).startsWith(s.patientId() + "/");
        }
    }

    @Test
    void dicomFileNamesTheFileEachSampleWasReadFrom() throws IOException {
        for (Sample s : all) {
            Path file = SunnybrookDataset.dicomFile(root, s.id());
            int n = Integer.parseInt(s.id().substring(s.id().indexOf('/') + 1));
            assertThat(file).isEqualTo(root.resolve("dicoms").resolve(s.patientId()).resolve(n + ".dcm"));
            assertThat(DicomReader.read(file).toImage()).as(s.id()).isEqualTo(s.image());
        }
    }

    @Test
    void imagesAreTheDicomPixelsWithReadmeSpacing() throws IOException {
        for (Sample s : all) {
            assertThat(s.image().height()).isEqualTo(256);
            assertThat(s.image().width()).isEqualTo(256);
            assertThat(s.image().channels()).isEqualTo(1);
            double mm = SPACING.get(s.patientId());
            assertThat(s.image().spacing()).as(s.id()).contains(new PixelSpacing(mm, mm));
        }
        Sample first = all.get(0);
        assertThat(first.image()).isEqualTo(
                DicomReader.read(root.resolve("dicoms/SCD0000101/48.dcm")).toImage());
    }

    @Test
    void masksAreFilledInnerContoursOfPlausibleArea() throws IOException {
        for (Sample s : all) {
            assertThat(s.mask().height()).isEqualTo(256);
            assertThat(s.mask().width()).isEqualTo(256);
            assertThat(s.mask().maxLabel()).as(s.id()).isEqualTo(1);
            int area = s.mask().count(1);
            double mm2 = area * s.image().spacing().orElseThrow().pixelAreaMm2();
            // An LV cavity slice: roughly 1 to 50 cm^2 from apex to base.
            assertThat(mm2).as("LV cavity area of %s in mm^2", s.id()).isBetween(100.0, 5000.0);

            // Independent check: the pixel count is the polygon's shoelace area up to half a pixel along the edge.
            String n = s.id().substring(s.id().indexOf('/') + 1);
            Path contour = root.resolve("contourfiles").resolve(ORIGINAL_IDS.get(s.patientId()))
                    .resolve("i-contours").resolve(String.format("IM-0001-%04d-icontour-manual.txt",
                            Integer.parseInt(n)));
            double[] shoelaceAndPerimeter = shoelaceAndPerimeter(Files.readAllLines(contour));
            assertThat((double) area).as("pixel count of %s against its shoelace area", s.id())
                    .isCloseTo(shoelaceAndPerimeter[0], offset(shoelaceAndPerimeter[1] / 2));
        }
    }

    private static double[] shoelaceAndPerimeter(List<String> lines) {
        List<double[]> pts = lines.stream().filter(l -> !l.isBlank())
                .map(l -> l.trim().split("\\s+"))
                .map(f -> new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1])}).toList();
        double twice = 0;
        double perimeter = 0;
        for (int i = 0; i < pts.size(); i++) {
            double[] a = pts.get(i);
            double[] b = pts.get((i + 1) % pts.size());
            twice += a[0] * b[1] - b[0] * a[1];
            perimeter += Math.hypot(b[0] - a[0], b[1] - a[1]);
        }
        return new double[] {Math.abs(twice) / 2, perimeter};
    }

    @Test
    void loadsASubsetOfPatients() throws IOException {
        SegmentationDataset one = SunnybrookDataset.load(root, List.of("SCD0000201"));

        assertThat(one.patients()).containsExactly("SCD0000201");
        assertThat(one.samples()).containsExactlyElementsOf(all.byPatient().get("SCD0000201"));
    }

    @Test
    void unknownPatientIdListsTheAvailableOnes() {
        assertThatThrownBy(() -> SunnybrookDataset.load(root, List.of("SCD0000101", "SCD9999999")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown sunnybrook patient ids [SCD9999999] (available: [SCD0000101, SCD0000201, "
                        + "SCD0000301])");
    }

    @Test
    void recognisesTheLayout() {
        assertThat(SunnybrookDataset.looksLikeSunnybrook(root)).isTrue();
        assertThat(SunnybrookDataset.looksLikeSunnybrook(root.resolve("dicoms"))).isFalse();
    }

    @Test
    void dicomFilesListsAFolderInNumericOrderOrASingleFile() throws IOException {
        List<Path> files = SunnybrookDataset.dicomFiles(root.resolve("dicoms/SCD0000301"));

        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly(
                "7.dcm", "20.dcm", "27.dcm", "40.dcm", "47.dcm", "60.dcm", "67.dcm", "80.dcm", "87.dcm", "100.dcm",
                "107.dcm", "120.dcm", "127.dcm", "140.dcm", "147.dcm", "160.dcm", "167.dcm", "180.dcm", "187.dcm",
                "200.dcm");
        assertThat(SunnybrookDataset.dicomFiles(root.resolve("dicoms"))).hasSize(56)
                .first().isEqualTo(root.resolve("dicoms/SCD0000101/48.dcm"));
        Path one = root.resolve("dicoms/SCD0000201/47.dcm");
        assertThat(SunnybrookDataset.dicomFiles(one)).containsExactly(one);
    }
}

package io.medseg.data.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.medseg.data.PixelSpacing;
import io.medseg.io.Json;
import io.medseg.testdata.SunnybrookTestData;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Compares {@link DicomReader} on every real Sunnybrook file with pydicom, an independent and widely used DICOM
 * implementation. pydicom's view of each file is the fixture {@code pydicom-sunnybrook.json}, written by
 * {@code scripts/pydicom-check} (see its header for how to regenerate it); it holds hashes and numbers only, so
 * the real data never enters the repository.
 */
class PydicomPeerTest {
    private static final String FIXTURE = "pydicom-sunnybrook.json";

    record Fixture(String pydicom, String numpy, List<PeerFile> files) {
    }

    /** One file as pydicom decoded it; a null spacing or instance number means the file has none. */
    record PeerFile(
            String path,
            int rows,
            int columns,
            @JsonProperty("stored_sha256") String storedSha256,
            @JsonProperty("rescale_slope") double rescaleSlope,
            @JsonProperty("rescale_intercept") double rescaleIntercept,
            @JsonProperty("pixel_spacing_row") Double pixelSpacingRow,
            @JsonProperty("pixel_spacing_column") Double pixelSpacingColumn,
            @JsonProperty("instance_number") Integer instanceNumber) {
    }

    private static Fixture fixture() {
        try (InputStream in = PydicomPeerTest.class.getResourceAsStream(FIXTURE)) {
            assertThat(in).as("test resource %s", FIXTURE).isNotNull();
            return Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), Fixture.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The script's canonical form: stored values (before rescale), row-major, each as a little-endian int32, so
     * that the hash does not depend on how either side holds the values (int16 in numpy, int here).
     */
    static String storedSha256(DicomImage d) {
        ByteBuffer bytes = ByteBuffer.allocate(d.rows() * d.columns() * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < d.rows(); r++) {
            for (int c = 0; c < d.columns(); c++) {
                bytes.putInt(d.storedValue(r, c));
            }
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every jvm has sha-256", e);
        }
    }

    /** The script's rule for what a DICOM file is: a .dcm name (any case) or the Part 10 magic at byte 128. */
    private static boolean isDicom(Path file) {
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".dcm")) {
            return true;
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(132);
            return head.length == 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C'
                    && head[131] == 'M';
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String relative(Path dir, Path file) {
        return dir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    }

    @Test
    void canonicalHashMatchesTheOneNumpyGivesForTheSameStoredValues() {
        // 2x3 int16 values chosen to cover zero, both signs and both int16 extremes; the expected digest is
        // hashlib.sha256(np.array(v, dtype=np.int16).astype('<i4').tobytes()).hexdigest(), pydicom 3.0.2's numpy.
        int[] stored = {0, 1, -1, 32767, -32768, 2700};
        DicomImage d = new DicomImage(2, 3, 16, 16, true, 1, 0, OptionalInt.empty(), null, null, null,
                TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, stored);

        assertThat(storedSha256(d)).isEqualTo("d5dbfcf7ecec907f2b873c0b5be681d1b2e4ff55971364a0b5de8e7ede1e31ee");
    }

    @Test
    void fixtureListsEachFileOnceInSortedOrderWithTheVersionsThatMadeIt() {
        Fixture f = fixture();

        assertThat(f.pydicom()).isNotBlank();
        assertThat(f.numpy()).isNotBlank();
        List<String> paths = f.files().stream().map(PeerFile::path).toList();
        // README: 3 patients, 56 labelled frames, each a dicoms/<patient>/<instance>.dcm
        assertThat(paths).hasSize(56).doesNotHaveDuplicates().isSorted()
                .allMatch(p -> p.matches("dicoms/SCD\\d{7}/\\d+\\.dcm"), "dicoms/<patient>/<n>.dcm");
    }

    @Test
    void dicomReaderReadsExactlyTheFilesPydicomDecoded() throws IOException {
        Path dir = SunnybrookTestData.dir();
        List<Path> dicoms;
        try (Stream<Path> walk = Files.walk(dir)) {
            dicoms = walk.filter(Files::isRegularFile).filter(PydicomPeerTest::isDicom).toList();
        }
        List<String> read = new ArrayList<>();
        Map<String, String> failures = new TreeMap<>();
        for (Path file : dicoms) {
            try {
                DicomReader.read(file);
                read.add(relative(dir, file));
            } catch (IOException e) {
                failures.put(relative(dir, file), e.getMessage());
            }
        }
        Collections.sort(read);

        assertThat(failures).as("files DicomReader cannot read").isEmpty();
        assertThat(read).as("files DicomReader read under %s vs files pydicom decoded", dir)
                .containsExactlyElementsOf(fixture().files().stream().map(PeerFile::path).sorted().toList());
    }

    @Test
    void everyFileHasPydicomsSizeStoredValuesRescaleSpacingAndInstanceNumber() throws IOException {
        Path dir = SunnybrookTestData.dir();
        List<PeerFile> files = fixture().files();
        SoftAssertions softly = new SoftAssertions();

        for (PeerFile peer : files) {
            DicomImage d = DicomReader.read(dir.resolve(peer.path()));
            String p = peer.path();
            softly.assertThat(d.rows()).as("%s rows", p).isEqualTo(peer.rows());
            softly.assertThat(d.columns()).as("%s columns", p).isEqualTo(peer.columns());
            softly.assertThat(storedSha256(d)).as("%s sha-256 of stored values", p).isEqualTo(peer.storedSha256());
            // Exact: both sides parse the same decimal strings to the nearest double (Java's parseDouble and
            // Python's float are both correctly rounded), so any difference is a real one.
            softly.assertThat(d.rescaleSlope()).as("%s rescale slope", p).isEqualTo(peer.rescaleSlope());
            softly.assertThat(d.rescaleIntercept()).as("%s rescale intercept", p).isEqualTo(peer.rescaleIntercept());
            softly.assertThat(d.spacing().map(PixelSpacing::rowMm).orElse(null)).as("%s row spacing", p)
                    .isEqualTo(peer.pixelSpacingRow());
            softly.assertThat(d.spacing().map(PixelSpacing::colMm).orElse(null)).as("%s column spacing", p)
                    .isEqualTo(peer.pixelSpacingColumn());
            softly.assertThat(d.instanceNumber().isPresent() ? d.instanceNumber().getAsInt() : null)
                    .as("%s instance number", p).isEqualTo(peer.instanceNumber());
        }

        softly.assertAll();
        assertThat(files).as("files compared").isNotEmpty();
    }
}

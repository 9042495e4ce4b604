package io.medseg.data.sunnybrook;

import io.medseg.data.DataFormatException;
import io.medseg.data.PairCsv;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.dicom.DicomFiles;
import io.medseg.data.dicom.DicomImage;
import io.medseg.data.dicom.DicomReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the Sunnybrook Cardiac Data (labelled left-ventricle subset) as a {@link SegmentationDataset}.
 *
 * <p>Layout under the root folder:
 * <ul>
 *   <li>{@code link.csv}: a header {@code patient_id,original_id}, then one line per patient;</li>
 *   <li>{@code dicoms/<patient_id>/<N>.dcm}: the frames, {@code N} = Instance Number (0020,0013);</li>
 *   <li>{@code contourfiles/<original_id>/i-contours/IM-0001-<NNNN>-icontour-manual.txt}: the inner (LV cavity)
 *       contour of frame {@code N = int(NNNN)}.</li>
 * </ul>
 *
 * <p>Only frames with an inner contour become samples: id {@code "<patient_id>/<N>"}, patient id the DICOM folder
 * name, image the DICOM pixels (after rescale) with their pixel spacing, mask the contour filled by
 * {@link PolygonFill} (1 = LV cavity). Samples are sorted by patient id, then by {@code N}. A contour whose DICOM
 * is missing, a DICOM whose Instance Number disagrees with its file name, or a malformed {@code link.csv} is a
 * {@link DataFormatException} naming the file (and line).
 */
public final class SunnybrookDataset {
    private static final Logger LOG = LoggerFactory.getLogger(SunnybrookDataset.class);
    private static final String NAME = "sunnybrook";
    private static final String HEADER = "patient_id,original_id";
    private static final String DICOMS = "dicoms";
    private static final Pattern ICONTOUR = Pattern.compile("IM-0001-(\\d{4})-icontour-manual\\.txt");

    private SunnybrookDataset() {
    }

    /** Whether {@code dir} has the Sunnybrook layout: {@code dicoms/}, {@code contourfiles/} and {@code link.csv}. */
    public static boolean looksLikeSunnybrook(Path dir) {
        return dir != null && Files.isDirectory(dir.resolve(DICOMS))
                && Files.isDirectory(dir.resolve("contourfiles")) && Files.isRegularFile(dir.resolve("link.csv"));
    }

    /** Loads every patient listed in {@code link.csv}. */
    public static SegmentationDataset load(Path root) throws IOException {
        Map<String, String> link = readLink(checkRoot(root));
        return load(root, link, link.keySet());
    }

    /**
     * Loads the given patients (DICOM folder names such as {@code SCD0000101}).
     *
     * @throws IllegalArgumentException if {@code patientIds} is empty or names a patient not in {@code link.csv};
     *     the message lists the available ids
     */
    public static SegmentationDataset load(Path root, Collection<String> patientIds) throws IOException {
        Objects.requireNonNull(patientIds, "patientIds");
        Map<String, String> link = readLink(checkRoot(root));
        if (patientIds.isEmpty()) {
            throw new IllegalArgumentException("patient ids must not be empty (available: " + link.keySet() + ")");
        }
        Set<String> unknown = new TreeSet<>(patientIds);
        unknown.removeAll(link.keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown sunnybrook patient ids " + unknown + " (available: "
                    + link.keySet() + ")");
        }
        return load(root, link, patientIds);
    }

    /**
     * The DICOM files to read from {@code dirOrFile}, as {@link DicomFiles#find}: the file itself when it is a
     * regular file; otherwise every file under the folder named {@code *.dcm} or starting like DICOM, sorted by
     * folder, then by name with runs of digits compared as numbers.
     *
     * @throws java.nio.file.NoSuchFileException if {@code dirOrFile} does not exist
     */
    public static List<Path> dicomFiles(Path dirOrFile) throws IOException {
        return DicomFiles.find(dirOrFile);
    }

    private static Path checkRoot(Path root) {
        Objects.requireNonNull(root, "root");
        if (!looksLikeSunnybrook(root)) {
            throw new IllegalArgumentException("not a sunnybrook folder (expected dicoms/, contourfiles/ and "
                    + "link.csv): " + root);
        }
        return root;
    }

    private static SegmentationDataset load(Path root, Map<String, String> link, Collection<String> patientIds)
            throws IOException {
        List<Sample> samples = new ArrayList<>();
        Map<String, Integer> perPatient = new LinkedHashMap<>();
        for (String patient : new TreeSet<>(patientIds)) {
            List<Sample> ps = loadPatient(root, patient, link.get(patient));
            perPatient.put(patient, ps.size());
            samples.addAll(ps);
        }
        LOG.info("loaded sunnybrook from {}: {} samples from {} patients {}", root, samples.size(), perPatient.size(),
                perPatient);
        return SegmentationDataset.of(NAME, samples);
    }

    /**
     * The DICOM file a sample of {@link #load load(root)} was read from: {@code dicoms/<patient>/<N>.dcm} for the
     * sample id {@code <patient>/<N>}.
     */
    public static Path dicomFile(Path root, String sampleId) {
        return root.resolve(DICOMS).resolve(sampleId + ".dcm");
    }

    private static List<Sample> loadPatient(Path root, String patient, String originalId) throws IOException {
        Path dicomDir = root.resolve(DICOMS).resolve(patient);
        Path contourDir = root.resolve("contourfiles").resolve(originalId).resolve("i-contours");
        if (!Files.isDirectory(dicomDir)) {
            throw new DataFormatException(root.resolve("link.csv"), "patient " + patient
                    + " has no dicom folder: expected " + dicomDir);
        }
        if (!Files.isDirectory(contourDir)) {
            throw new DataFormatException(root.resolve("link.csv"), "patient " + patient + " (" + originalId
                    + ") has no inner contour folder: expected " + contourDir);
        }
        TreeMap<Integer, Path> contours = new TreeMap<>();
        try (Stream<Path> s = Files.list(contourDir)) {
            for (Path p : s.sorted().toList()) {
                Matcher m = ICONTOUR.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    LOG.warn("ignoring {}: not named IM-0001-<NNNN>-icontour-manual.txt", p);
                    continue;
                }
                contours.put(Integer.parseInt(m.group(1)), p);
            }
        }
        List<Sample> out = new ArrayList<>();
        for (Map.Entry<Integer, Path> e : contours.entrySet()) {
            int n = e.getKey();
            Path contour = e.getValue();
            Path dicom = dicomFile(root, patient + "/" + n);
            if (!Files.isRegularFile(dicom)) {
                throw new DataFormatException(contour, "no dicom for this contour: expected " + dicom);
            }
            DicomImage d = DicomReader.read(dicom);
            if (d.instanceNumber().isPresent() && d.instanceNumber().getAsInt() != n) {
                throw new DataFormatException(dicom, "instance number (0020,0013) " + d.instanceNumber().getAsInt()
                        + " does not match the file name and contour " + contour.getFileName() + ": expected " + n);
            }
            Image image = d.toImage();
            Mask mask = PolygonFill.fill(ContourFile.read(contour, d.rows(), d.columns()), d.rows(), d.columns());
            out.add(new Sample(patient + "/" + n, patient, image, mask)); // the id dicomFile(root, id) resolves
        }
        return out;
    }

    /** {@code link.csv} as patient id to original id, in file order. */
    private static Map<String, String> readLink(Path root) throws IOException {
        Path file = root.resolve("link.csv");
        Map<String, String> link = new LinkedHashMap<>();
        for (PairCsv.Row row : PairCsv.read(file, HEADER)) {
            int i = row.line() - 1;
            String line = row.first() + "," + row.second();
            String patient = row.first();
            String original = row.second();
            if (patient.contains("/") || patient.contains("\\") || patient.startsWith(".")
                    || original.contains("/") || original.contains("\\") || original.startsWith(".")) {
                throw new DataFormatException(file, "line " + (i + 1) + ": ids must be plain folder names, found '"
                        + line + "'");
            }
            if (link.put(patient, original) != null) {
                throw new DataFormatException(file, "line " + (i + 1) + ": duplicate patient id " + patient);
            }
        }
        if (link.isEmpty()) {
            throw new DataFormatException(file, "no patients listed after the header");
        }
        return link;
    }
}

package io.medseg.data.folder;

import io.medseg.io.AtomicFile;
import io.medseg.viz.MaskPng;
import io.medseg.data.DataFormatException;
import io.medseg.data.PairCsv;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The common 2D segmentation layout: grayscale PNG images with same-named PNG masks. Two layouts are read:
 *
 * <ul>
 *   <li><b>split</b>: {@code DIR/images/<name>.png} with {@code DIR/masks/<name>.png} (what {@link #write} writes);</li>
 *   <li><b>suffixed</b>: {@code DIR/<name>.png} with {@code DIR/<name>_mask.png}.</li>
 * </ul>
 *
 * <p>Images: 1-, 2-, 4-, 8- or 16-bit single-band grayscale PNG; the stored values become the pixel values exactly
 * (16-bit values are read from the raster, not through a colour conversion). Colour, grayscale-with-alpha and
 * colour-palette images are refused.
 *
 * <p>Masks: single-band PNG (a palette PNG's raw indices count as class indices). Each mask is judged on its own:
 * if its only values are 0 and 255 (or only 255), 255 means foreground and becomes 1; otherwise the values are class
 * indices 0..127 and any value above 127 is a {@link DataFormatException} naming the file, the pixel and the value.
 *
 * <p>Patients: if {@code DIR/patients.csv} exists (header {@code name,patient_id}, one line per image name, the name
 * without {@code .png}), it gives each image's patient, and every image must be listed. Without it each image is its
 * own patient (patient id = name), which makes patient-wise splits image-wise: add a {@code patients.csv} when
 * several images come from one patient, or validation scores will be optimistic.
 *
 * <p>Samples have id = name, are sorted by name, and carry no pixel spacing (PNG has none we can trust). An image
 * without its mask, a mask without its image, a non-PNG file among the images or masks, and an image/mask size
 * mismatch are each a {@link DataFormatException} naming the file(s).
 */
public final class ImageMaskFolder {
    private static final Logger LOG = LoggerFactory.getLogger(ImageMaskFolder.class);
    private static final String IMAGES = "images";
    private static final String MASKS = "masks";
    private static final String MASK_SUFFIX = "_mask";
    private static final String PATIENTS = "patients.csv";
    private static final String PATIENTS_HEADER = "name,patient_id";

    private ImageMaskFolder() {
    }

    /**
     * Whether {@code dir} has either layout: {@code images/} and {@code masks/} folders with at least one
     * {@code .png} in {@code images/}, or at least one {@code <name>.png} next to its {@code <name>_mask.png}.
     */
    public static boolean looksLikeImageMaskFolder(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return false;
        }
        try {
            if (Files.isDirectory(dir.resolve(IMAGES)) && Files.isDirectory(dir.resolve(MASKS))) {
                return !listPngs(dir.resolve(IMAGES)).isEmpty();
            }
            for (Path p : listPngs(dir)) {
                String stem = stem(p);
                if (stem.endsWith(MASK_SUFFIX) && stem.length() > MASK_SUFFIX.length()
                        && Files.isRegularFile(dir.resolve(stem.substring(0, stem.length() - MASK_SUFFIX.length())
                                + ".png"))) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Loads every image/mask pair of {@code dir}; see the class description for the rules. */
    public static SegmentationDataset load(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir)) {
            throw new DataFormatException(dir, "not a folder (expected an image/mask folder)");
        }
        Map<String, Path[]> pairs = pairs(dir);
        if (pairs.isEmpty()) {
            throw new DataFormatException(dir, "no images found: expected " + IMAGES + "/<name>.png with "
                    + MASKS + "/<name>.png, or <name>.png with <name>" + MASK_SUFFIX + ".png");
        }
        Map<String, String> patients = readPatients(dir, pairs.keySet());
        List<Sample> samples = new ArrayList<>(pairs.size());
        for (Map.Entry<String, Path[]> e : pairs.entrySet()) {
            Path imageFile = e.getValue()[0];
            Path maskFile = e.getValue()[1];
            Image image = readImage(imageFile);
            Mask mask = readMask(maskFile);
            if (image.height() != mask.height() || image.width() != mask.width()) {
                throw new DataFormatException(imageFile, "image is " + image.width() + "x" + image.height()
                        + " (width x height) but its mask " + maskFile + " is " + mask.width() + "x"
                        + mask.height());
            }
            String name = e.getKey();
            samples.add(new Sample(name, patients == null ? name : patients.get(name), image, mask));
        }
        LOG.info("loaded {} image/mask pairs from {}", samples.size(), dir);
        Path fileName = dir.toAbsolutePath().normalize().getFileName();
        return SegmentationDataset.of(fileName == null ? "image-mask-folder" : fileName.toString(), samples);
    }

    /**
     * Writes {@code samples} in the split layout under {@code dir}: {@code images/<name>.png} as 16-bit grayscale
     * (pixel values rounded and clamped to 0..65535, so negative or fractional intensities do not survive),
     * {@code masks/<name>.png} as 8-bit class indices, and a {@code patients.csv} so patient ids survive a round
     * trip. The name is the sample id with every character outside {@code [A-Za-z0-9._-]} replaced by {@code _}
     * (a Sunnybrook id {@code SCD0000101/48} becomes {@code SCD0000101_48}). Each file is written atomically.
     * Pixel spacing is not written.
     *
     * @throws IllegalArgumentException if an image has more than one channel, two ids map to the same name, or a
     *     patient id holds a comma or line break
     */
    public static void write(Collection<Sample> samples, Path dir) throws IOException {
        Objects.requireNonNull(samples, "samples");
        Objects.requireNonNull(dir, "dir");
        Map<String, Sample> byName = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Sample s : samples) {
            String name = fileName(s.id());
            if (s.image().channels() != 1) {
                problems.add("sample " + s.id() + " has " + s.image().channels()
                        + " channels, only single-channel images can be written");
            }
            if (s.patientId().contains(",") || s.patientId().contains("\n") || s.patientId().contains("\r")) {
                problems.add("patient id of sample " + s.id() + " holds a comma or line break: " + s.patientId());
            }
            Sample previous = byName.put(name, s);
            if (previous != null) {
                problems.add("sample ids " + previous.id() + " and " + s.id() + " both map to file name " + name);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot write image/mask folder " + dir + ": "
                    + String.join("; ", problems));
        }
        Path images = dir.resolve(IMAGES);
        Path masks = dir.resolve(MASKS);
        Files.createDirectories(images);
        Files.createDirectories(masks);
        StringBuilder csv = new StringBuilder(PATIENTS_HEADER).append('\n');
        for (Map.Entry<String, Sample> e : byName.entrySet()) {
            Sample s = e.getValue();
            writeAtomically(images.resolve(e.getKey() + ".png"), out -> writePng(toUShortImage(s.image()), out));
            writeAtomically(masks.resolve(e.getKey() + ".png"), out -> writePng(MaskPng.toImage(s.mask()), out));
            csv.append(e.getKey()).append(',').append(s.patientId()).append('\n');
        }
        byte[] csvBytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        writeAtomically(dir.resolve(PATIENTS), out -> out.write(csvBytes));
        LOG.info("wrote {} image/mask pairs to {}", byName.size(), dir);
    }

    // ---------------------------------------------------------------- reading

    /**
     * The image file of each sample {@link #load} reads from {@code dir}, by sample id (the image's name without
     * {@code .png}), sorted by id: which file a sample came from.
     *
     * @throws DataFormatException as {@link #load} does when images and masks do not pair up
     */
    public static Map<String, Path> imageFiles(Path dir) throws IOException {
        Map<String, Path> images = new TreeMap<>();
        pairs(dir).forEach((name, pair) -> images.put(name, pair[0]));
        return images;
    }

    /** name -> {image, mask}, sorted by name. */
    private static Map<String, Path[]> pairs(Path dir) throws IOException {
        Map<String, Path[]> pairs = new TreeMap<>();
        Path imagesDir = dir.resolve(IMAGES);
        Path masksDir = dir.resolve(MASKS);
        if (Files.isDirectory(imagesDir) && Files.isDirectory(masksDir)) {
            List<Path> images = listChecked(imagesDir);
            Set<String> imageNames = new HashSet<>();
            for (Path img : images) {
                String name = stem(img);
                imageNames.add(name);
                Path mask = masksDir.resolve(img.getFileName().toString());
                if (!Files.isRegularFile(mask)) {
                    throw new DataFormatException(img, "image has no mask: expected " + mask);
                }
                pairs.put(name, new Path[] {img, mask});
            }
            for (Path mask : listChecked(masksDir)) {
                if (!imageNames.contains(stem(mask))) {
                    throw new DataFormatException(mask, "mask has no image: expected " + imagesDir.resolve(
                            mask.getFileName().toString()));
                }
            }
            return pairs;
        }
        List<Path> pngs = listPngs(dir);
        Set<String> stems = new HashSet<>();
        for (Path p : pngs) {
            stems.add(stem(p));
        }
        for (Path p : pngs) {
            String name = stem(p);
            if (name.endsWith(MASK_SUFFIX)) {
                String imageName = name.substring(0, name.length() - MASK_SUFFIX.length());
                if (!stems.contains(imageName)) {
                    throw new DataFormatException(p, "mask has no image: expected " + dir.resolve(imageName
                            + ".png"));
                }
                continue;
            }
            Path mask = dir.resolve(name + MASK_SUFFIX + ".png");
            if (!Files.isRegularFile(mask)) {
                throw new DataFormatException(p, "image has no mask: expected " + mask);
            }
            pairs.put(name, new Path[] {p, mask});
        }
        return pairs;
    }

    /** The regular, non-hidden files of a folder, every one of which must be a {@code .png}. */
    private static List<Path> listChecked(Path folder) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : list(folder)) {
            if (!p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
                throw new DataFormatException(p, "not a PNG file: only .png images and masks are supported in "
                        + folder);
            }
            out.add(p);
        }
        return out;
    }

    private static List<Path> listPngs(Path folder) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : list(folder)) {
            if (p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
                out.add(p);
            }
        }
        return out;
    }

    private static List<Path> list(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        return n.substring(0, n.length() - 4);
    }

    /** name -> patient id from patients.csv, or null when there is none. */
    private static Map<String, String> readPatients(Path dir, Set<String> names) throws IOException {
        Path file = dir.resolve(PATIENTS);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Map<String, String> map = new TreeMap<>();
        for (PairCsv.Row row : PairCsv.read(file, PATIENTS_HEADER)) {
            int i = row.line() - 1;
            String name = row.first();
            if (!names.contains(name)) {
                throw new DataFormatException(file, "line " + (i + 1) + ": no image named '" + name + "'");
            }
            if (map.put(name, row.second()) != null) {
                throw new DataFormatException(file, "line " + (i + 1) + ": image '" + name + "' listed twice");
            }
        }
        Set<String> missing = new TreeSet<>(names);
        missing.removeAll(map.keySet());
        if (!missing.isEmpty()) {
            throw new DataFormatException(file, "no patient id for images " + missing);
        }
        return map;
    }


    /** Reads a grayscale PNG image with its stored values as pixel values. */
    static Image readImage(Path file) throws IOException {
        BufferedImage img = MaskPng.decode(file);
        Raster raster = img.getRaster();
        ColorModel cm = img.getColorModel();
        int bits = raster.getSampleModel().getSampleSize(0);
        if (raster.getNumBands() != 1) {
            throw new DataFormatException(file, "expected a single-band grayscale image, got " + raster.getNumBands()
                    + " bands (colour or with alpha)");
        }
        if (cm instanceof IndexColorModel icm && !isGrayRamp(icm)) {
            throw new DataFormatException(file, "expected a grayscale image, got a colour-palette image");
        }
        if (bits > 16) {
            throw new DataFormatException(file, "expected at most 16 bits per pixel, got " + bits);
        }
        int w = img.getWidth();
        int h = img.getHeight();
        float[] px = new float[w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                px[y * w + x] = row[x];
            }
        }
        return Image.wrap(h, w, 1, px, null);
    }

    /** Grayscale PNGs below 8 bits come back from ImageIO with a palette that is an even gray ramp. */
    private static boolean isGrayRamp(IndexColorModel icm) {
        int n = icm.getMapSize();
        for (int i = 0; i < n; i++) {
            int r = icm.getRed(i);
            if (r != icm.getGreen(i) || r != icm.getBlue(i)) {
                return false;
            }
        }
        return true;
    }

    /** Reads a mask PNG: 0/255 masks become 0/1, other masks must hold class indices 0..127. */
    static Mask readMask(Path file) throws IOException {
        BufferedImage img = MaskPng.decode(file);
        Raster raster = img.getRaster();
        if (raster.getNumBands() != 1) {
            throw new DataFormatException(file, "expected a single-band mask of class indices, got "
                    + raster.getNumBands() + " bands (colour or with alpha)");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        int[] values = raster.getSamples(0, 0, w, h, 0, (int[]) null);
        boolean binary255 = true;
        for (int v : values) {
            if (v != 0 && v != 255) {
                binary255 = false;
                break;
            }
        }
        byte[] labels = new byte[w * h];
        for (int i = 0; i < values.length; i++) {
            int v = values[i];
            if (binary255) {
                labels[i] = (byte) (v == 255 ? 1 : 0);
            } else if (v > 127) {
                throw new DataFormatException(file, "pixel (x=" + (i % w) + ", y=" + (i / w) + ") has value " + v
                        + ": a mask must hold class indices 0..127, or only 0 and 255");
            } else {
                labels[i] = (byte) v;
            }
        }
        return Mask.wrap(h, w, labels);
    }

    // ---------------------------------------------------------------- writing

    static String fileName(String id) {
        String s = id.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
    }

    private static BufferedImage toUShortImage(Image image) {
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster r = out.getRaster();
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                float v = image.get(y, x);
                long q = Float.isNaN(v) ? 0 : Math.round((double) v);
                r.setSample(x, y, 0, (int) Math.max(0, Math.min(65535, q)));
            }
        }
        return out;
    }

    private static void writePng(BufferedImage image, OutputStream out) throws IOException {
        if (!ImageIO.write(image, "png", out)) {
            throw new IOException("no PNG writer available for image type " + image.getType());
        }
    }

    @FunctionalInterface
    private interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private static void writeAtomically(Path target, Writer writer) throws IOException {
        AtomicFile.write(target, writer::write);
    }
}

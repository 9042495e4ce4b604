package io.medseg.data.dicom;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Finds the DICOM files under a folder, recognised by their content as well as by their name, so that files
 * exported without an extension are found too.
 */
public final class DicomFiles {
    /** The media directory of a DICOM file set (PS3.10): a DICOM Part 10 file, but an index, not an image. */
    private static final String DICOMDIR = "DICOMDIR";

    private DicomFiles() {
    }

    /**
     * Whether {@code file} is a regular file that starts like DICOM Part 10: a 128-byte preamble followed by
     * {@code DICM}. Says nothing about whether the rest is readable ({@link DicomReader#read} tells).
     */
    public static boolean looksLikeDicom(Path file) {
        if (file == null || !Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            return DicomReader.hasPart10Header(in.readNBytes(DicomReader.HEADER_LENGTH));
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether {@code bytes} start like DICOM Part 10 (a 128-byte preamble, then {@code DICM}). */
    public static boolean looksLikeDicom(byte[] bytes) {
        return bytes != null && DicomReader.hasPart10Header(bytes);
    }

    /** Whether a file's name ends in {@code .dcm}, in any case. */
    public static boolean hasDicomName(String name) {
        return name != null && name.toLowerCase(Locale.ROOT).endsWith(".dcm");
    }

    /** Whether the name ends with {@code .dcm}, in any case. */
    public static boolean hasDicomName(Path file) {
        return file.getFileName() != null && hasDicomName(file.getFileName().toString());
    }

    /**
     * The DICOM files of {@code dirOrFile}: the file itself when it is not a folder; otherwise every regular file
     * under the folder, at any depth, that is named {@code *.dcm} (in any case) or {@linkplain #looksLikeDicom
     * starts like DICOM}, except a {@code DICOMDIR} index. A file named {@code *.dcm} is listed even when its
     * content is not DICOM, so that reading it reports what is wrong with it. Sorted by folder, then by name with
     * runs of digits compared as numbers ({@code 7.dcm} before {@code 20.dcm}); an empty folder gives an empty
     * list.
     *
     * @throws java.nio.file.NoSuchFileException if {@code dirOrFile} does not exist
     */
    public static List<Path> find(Path dirOrFile) throws IOException {
        Objects.requireNonNull(dirOrFile, "dirOrFile");
        if (!Files.exists(dirOrFile)) {
            throw new java.nio.file.NoSuchFileException(dirOrFile.toString(), null, "no such file or folder");
        }
        if (!Files.isDirectory(dirOrFile)) {
            return List.of(dirOrFile);
        }
        try (Stream<Path> s = Files.walk(dirOrFile)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().equalsIgnoreCase(DICOMDIR))
                    .filter(p -> hasDicomName(p) || looksLikeDicom(p))
                    .sorted(Comparator.comparing((Path p) -> p.getParent().toString())
                            .thenComparing(p -> p.getFileName().toString(), DicomFiles::compareNatural))
                    .toList();
        }
    }

    /** Compares names with runs of ASCII digits taken as numbers, so "7.dcm" sorts before "20.dcm". */
    static int compareNatural(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (isDigit(ca) && isDigit(cb)) {
                int si = i;
                int sj = j;
                while (i < a.length() && isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && isDigit(b.charAt(j))) {
                    j++;
                }
                String da = a.substring(si, i).replaceFirst("^0+(?=.)", "");
                String db = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
                int cmp = da.length() != db.length() ? Integer.compare(da.length(), db.length()) : da.compareTo(db);
                if (cmp != 0) {
                    return cmp;
                }
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        int rest = Integer.compare(a.length() - i, b.length() - j);
        return rest != 0 ? rest : a.compareTo(b);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}

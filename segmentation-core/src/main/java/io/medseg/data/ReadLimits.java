package io.medseg.data;

import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * How large an input the readers accept, checked before anything is allocated: a file or record over a limit is a
 * {@link DataFormatException} naming the file, the field and the limit, never an exhausted heap or a stalled
 * thread. The defaults are far above what cardiac MRI needs (512 x 512 frames, records of a few MB) and well inside
 * a 512 MB heap.
 *
 * <p>Each limit can be raised for the whole process with a system property {@code medseg.limits.<name>} (for
 * example {@code -Dmedseg.limits.maxPixels=67108864}; {@code SEGMENT_JAVA_OPTS} passes it to the command line), or
 * per call where a reader takes a {@code ReadLimits}. The table of limits is in {@code docs/data-formats.md}.
 *
 * @param maxImageWidth widest image (columns) a DICOM, PNG or TFRecord may declare
 * @param maxImageHeight tallest image (rows)
 * @param maxPixels most pixels (width x height x channels) of one image
 * @param maxFileBytes largest file read whole into memory (a DICOM, a PNG, a JSON file, a MANIFEST)
 * @param maxRecordBytes largest TFRecord record, plain or compressed
 * @param maxDecompressedBytes most bytes one gzip-compressed TFRecord file may expand to
 * @param maxLineChars longest line of a text file (contours, {@code link.csv}, pair lists, MANIFEST)
 */
public record ReadLimits(int maxImageWidth, int maxImageHeight, long maxPixels, long maxFileBytes,
        long maxRecordBytes, long maxDecompressedBytes, int maxLineChars) {

    /** Prefix of the system properties that set the defaults. */
    public static final String PROPERTY_PREFIX = "medseg.limits.";

    private static final ReadLimits BUILT_IN = new ReadLimits(8192, 8192, 16L << 20, 256L << 20, 128L << 20,
            8L << 30, 4096);

    public ReadLimits {
        if (maxImageWidth < 1 || maxImageHeight < 1 || maxPixels < 1 || maxFileBytes < 1 || maxRecordBytes < 1
                || maxDecompressedBytes < 1 || maxLineChars < 1) {
            throw new IllegalArgumentException("read limits must all be positive");
        }
    }

    /** The limits in force: the built-in ones, each overridden by its {@code medseg.limits.*} property if set. */
    public static ReadLimits defaults() {
        return new ReadLimits(
                (int) property("maxImageWidth", BUILT_IN::maxImageWidth, Integer.MAX_VALUE),
                (int) property("maxImageHeight", BUILT_IN::maxImageHeight, Integer.MAX_VALUE),
                property("maxPixels", BUILT_IN::maxPixels, Long.MAX_VALUE),
                property("maxFileBytes", BUILT_IN::maxFileBytes, Integer.MAX_VALUE - 16L),
                property("maxRecordBytes", BUILT_IN::maxRecordBytes, Integer.MAX_VALUE - 16L),
                property("maxDecompressedBytes", BUILT_IN::maxDecompressedBytes, Long.MAX_VALUE),
                (int) property("maxLineChars", BUILT_IN::maxLineChars, Integer.MAX_VALUE - 16L));
    }

    /** The built-in limits, whatever the system properties say. */
    public static ReadLimits builtIn() {
        return BUILT_IN;
    }

    private static long property(String name, LongSupplier fallback, long most) {
        String text = System.getProperty(PROPERTY_PREFIX + name);
        if (text == null || text.isBlank()) {
            return fallback.getAsLong();
        }
        long v;
        try {
            v = Long.parseLong(text.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PROPERTY_PREFIX + name + " must be a whole number: " + text, e);
        }
        if (v < 1 || v > most) {
            throw new IllegalArgumentException(PROPERTY_PREFIX + name + " must be in 1.." + most + ": " + text);
        }
        return v;
    }

    public ReadLimits withMaxPixels(long newMaxPixels) {
        return new ReadLimits(maxImageWidth, maxImageHeight, newMaxPixels, maxFileBytes, maxRecordBytes,
                maxDecompressedBytes, maxLineChars);
    }

    public ReadLimits withMaxImageSize(int newMaxWidth, int newMaxHeight) {
        return new ReadLimits(newMaxWidth, newMaxHeight, maxPixels, maxFileBytes, maxRecordBytes,
                maxDecompressedBytes, maxLineChars);
    }

    public ReadLimits withMaxFileBytes(long newMaxFileBytes) {
        return new ReadLimits(maxImageWidth, maxImageHeight, maxPixels, newMaxFileBytes, maxRecordBytes,
                maxDecompressedBytes, maxLineChars);
    }

    public ReadLimits withMaxRecordBytes(long newMaxRecordBytes) {
        return new ReadLimits(maxImageWidth, maxImageHeight, maxPixels, maxFileBytes, newMaxRecordBytes,
                maxDecompressedBytes, maxLineChars);
    }

    public ReadLimits withMaxDecompressedBytes(long newMaxDecompressedBytes) {
        return new ReadLimits(maxImageWidth, maxImageHeight, maxPixels, maxFileBytes, maxRecordBytes,
                newMaxDecompressedBytes, maxLineChars);
    }

    public ReadLimits withMaxLineChars(int newMaxLineChars) {
        return new ReadLimits(maxImageWidth, maxImageHeight, maxPixels, maxFileBytes, maxRecordBytes,
                maxDecompressedBytes, newMaxLineChars);
    }

    /**
     * Refuses an image of {@code width x height x channels} over the limits.
     *
     * @param what the field that declared the size, for the message ({@code "IHDR"}, {@code "rows/columns"})
     */
    public void checkImage(Path file, String what, long width, long height, long channels)
            throws DataFormatException {
        if (width > maxImageWidth || height > maxImageHeight) {
            throw new DataFormatException(file, String.format(Locale.ROOT, "%s declares %d x %d pixels (width x "
                    + "height), over the limit of %d x %d (raise it with -D%smaxImageWidth / maxImageHeight)", what,
                    width, height, maxImageWidth, maxImageHeight, PROPERTY_PREFIX));
        }
        long pixels = width * height * Math.max(1, channels);
        if (pixels > maxPixels) {
            throw new DataFormatException(file, String.format(Locale.ROOT, "%s declares %d pixels (%d x %d x %d), "
                    + "over the limit of %d (raise it with -D%smaxPixels)", what, pixels, width, height,
                    Math.max(1, channels), maxPixels, PROPERTY_PREFIX));
        }
    }

    /** Refuses a file of {@code size} bytes that is to be read whole. */
    public void checkFileSize(Path file, long size) throws DataFormatException {
        if (size > maxFileBytes) {
            throw new DataFormatException(file, "file of " + size + " bytes is over the limit of " + maxFileBytes
                    + " bytes for a file read whole (raise it with -D" + PROPERTY_PREFIX + "maxFileBytes)");
        }
    }
}

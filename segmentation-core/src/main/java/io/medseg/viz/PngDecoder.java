package io.medseg.viz;

import io.medseg.data.DataFormatException;
import io.medseg.data.ReadLimits;
import io.medseg.io.TextFields;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes PNG images from untrusted files and records. The signature and the {@code IHDR} chunk (width, height,
 * colour type) are read and checked against {@link ReadLimits} before the decoder allocates anything, so a small
 * file that announces a huge image is refused in microseconds; whatever the decoder itself then fails with is one
 * {@link DataFormatException} naming the file.
 */
public final class PngDecoder {
    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** Signature, IHDR length and type, width, height, bit depth, colour type. */
    private static final int HEADER = 8 + 8 + 4 + 4 + 1 + 1;

    private PngDecoder() {
    }

    /** What the {@code IHDR} chunk declares. */
    public record Header(long width, long height, int bitDepth, int colourType) {
        /** Samples per pixel of the colour type (grey 1, RGB 3, palette 1, grey + alpha 2, RGBA 4). */
        public int channels() {
            return switch (colourType) {
                case 2 -> 3;
                case 4 -> 2;
                case 6 -> 4;
                default -> 1;
            };
        }
    }

    /** Decodes the PNG file {@code file} within {@code limits}. */
    public static BufferedImage decode(Path file, ReadLimits limits) throws IOException {
        Objects.requireNonNull(file, "file");
        limits.checkFileSize(file, Files.size(file));
        return decode(Files.readAllBytes(file), file, "", limits);
    }

    /**
     * Decodes PNG bytes within {@code limits}.
     *
     * @param file the file the bytes come from, for messages
     * @param where what in the file holds them ({@code "feature 'image'"}), or empty for the whole file
     * @throws DataFormatException naming {@code file} (and {@code where}) if the bytes are not a PNG, declare an image
     *     over the limits, or cannot be decoded
     */
    public static BufferedImage decode(byte[] png, Path file, String where, ReadLimits limits)
            throws DataFormatException {
        String prefix = where.isEmpty() ? "" : where + ": ";
        return decode(png, limits, (message, cause) -> new DataFormatException(file, prefix + message, cause));
    }

    /** Builds the exception for a PNG that cannot be read, from what is wrong and its cause (or null). */
    @FunctionalInterface
    public interface Failure<E extends DataFormatException> {
        E of(String message, Throwable cause);
    }

    /**
     * Decodes PNG bytes within {@code limits}, reporting a problem through {@code failure}: for bytes that are not a
     * file of their own, such as a feature of a TFRecord example.
     */
    public static <E extends DataFormatException> BufferedImage decode(byte[] png, ReadLimits limits,
            Failure<E> failure) throws E {
        Header h = header(png, failure);
        if (h.width() > limits.maxImageWidth() || h.height() > limits.maxImageHeight()
                || h.width() * h.height() * h.channels() > limits.maxPixels()) {
            throw failure.of("the PNG header (IHDR) declares " + h.width() + " x " + h.height() + " pixels with "
                    + h.channels() + " sample(s) each, over the limits of " + limits.maxImageWidth() + " x "
                    + limits.maxImageHeight() + " and " + limits.maxPixels() + " pixels (raise them with -D"
                    + ReadLimits.PROPERTY_PREFIX + "maxImageWidth, maxImageHeight, maxPixels)", null);
        }
        BufferedImage img;
        ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
        // an in-memory stream: ImageIO.read would copy an InputStream to a temporary file first
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(png))) {
            reader.setInput(in, true, true);
            img = reader.read(0);
        } catch (IOException | RuntimeException e) {
            if (outOfMemory(e)) {
                // the decoder wraps the error of its image allocation in "Caught exception during read"
                throw tooLargeForHeap(h, failure);
            }
            // the decoder's exceptions (IIOException, or an index error on a damaged stream) carry their reason in
            // their causes: "Caught exception during read" alone says nothing
            throw failure.of("not a readable PNG image: " + reasons(e), e);
        } catch (OutOfMemoryError e) {
            throw tooLargeForHeap(h, failure);
        } finally {
            reader.dispose();
        }
        return img;
    }

    private static <E extends DataFormatException> E tooLargeForHeap(Header h, Failure<E> failure) {
        return failure.of("a " + h.width() + " x " + h.height() + " PNG does not fit in this JVM's heap of "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB", null);
    }

    private static boolean outOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    /** The {@code IHDR} fields of PNG bytes; a missing or invalid signature or {@code IHDR} goes to {@code failure}. */
    public static <E extends DataFormatException> Header header(byte[] png, Failure<E> failure) throws E {
        if (png.length < SIGNATURE.length || !Arrays.equals(png, 0, SIGNATURE.length, SIGNATURE, 0,
                SIGNATURE.length)) {
            throw failure.of("not a PNG file (no PNG signature)", null);
        }
        if (png.length < HEADER || u32(png, 8) != 13 || png[12] != 'I' || png[13] != 'H' || png[14] != 'D'
                || png[15] != 'R') {
            throw failure.of("not a readable PNG image: the IHDR chunk must follow the signature (" + png.length
                    + " bytes)", null);
        }
        long width = u32(png, 16);
        long height = u32(png, 20);
        if (width == 0 || height == 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw failure.of("the PNG header (IHDR) declares an invalid size " + width + " x " + height, null);
        }
        return new Header(width, height, png[24] & 0xFF, png[25] & 0xFF);
    }

    private static long u32(byte[] b, int at) {
        return ((b[at] & 0xFFL) << 24) | ((b[at + 1] & 0xFFL) << 16) | ((b[at + 2] & 0xFFL) << 8) | (b[at + 3] & 0xFFL);
    }

    /** The messages of {@code e} and its causes, without repeats, on one line. */
    static String reasons(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName()
                    : TextFields.stripTrailing(t.getMessage().strip(), ":");
            if (sb.indexOf(m) < 0) {
                sb.append(sb.length() == 0 ? "" : ": ").append(m);
            }
        }
        return TextFields.oneLine(sb);
    }
}

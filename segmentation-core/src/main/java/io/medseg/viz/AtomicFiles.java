package io.medseg.viz;

import io.medseg.io.AtomicFile;
import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** PNG writes that either complete or leave nothing behind under the target name. */
final class AtomicFiles {
    /**
     * The PNG writer's compression quality for deflate level 1 (its level is {@code 9 - round(9 * quality)}): on
     * overlays about three times faster than its default level 4, and the files no larger (a mask, a few hundred
     * bytes, takes a few hundred more).
     */
    static final float FAST_DEFLATE = 8f / 9f;

    private AtomicFiles() {
    }

    /**
     * Writes {@code image} as a non-interlaced PNG. The encoder buffers in memory, not in a cache file of its own
     * in the temporary folder as {@link ImageIO#write} does.
     */
    static void writePng(RenderedImage image, Path target) throws IOException {
        AtomicFile.write(target, os -> encodePng(image, os, target.toString()));
    }

    /** {@code image} as the bytes of a non-interlaced PNG, at the fast deflate level. */
    static byte[] encodePng(RenderedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        try {
            encodePng(image, bytes, "in-memory PNG");
        } catch (IOException e) {
            throw new UncheckedIOException(e); // no file, so only an encoder failure: not expected
        }
        return bytes.toByteArray();
    }

    private static void encodePng(RenderedImage image, OutputStream os, String target) throws IOException {
        Iterator<ImageWriter> writers = ImageIO.getImageWriters(ImageTypeSpecifier.createFromRenderedImage(image),
                "png");
        if (!writers.hasNext()) {
            throw new IOException(target + ": no PNG writer available for this image type");
        }
        ImageWriter writer = writers.next();
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(os)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(ImageWriteParam.MODE_DISABLED);
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(FAST_DEFLATE);
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
    }
}

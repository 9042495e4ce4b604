package io.medseg.report;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.viz.Overlays;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * A picture of one case for the report, held as PNG bytes so the value is immutable. {@code kind} says in which
 * section it appears; {@code caption} is free text shown under it (e.g. the case's metric values).
 */
public record CaseImage(Kind kind, String title, String id, String caption, byte[] png) {
    /** The section a case picture belongs to. */
    public enum Kind { WORST, BEST, OTHER }

    public CaseImage {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(id, "id");
        caption = caption == null ? "" : caption;
        png = Objects.requireNonNull(png, "png").clone();
    }

    @Override
    public byte[] png() {
        return png.clone();
    }

    /** A case picture from any image (encoded as PNG now). */
    public static CaseImage of(Kind kind, String title, String id, String caption, BufferedImage image) {
        return new CaseImage(kind, title, id, caption, encodePng(image));
    }

    /**
     * The {@link Overlays} picture of {@code image} with the contours of {@code predicted} and {@code reference}
     * (colours {@link Overlays#PREDICTED}, {@link Overlays#REFERENCE}, {@link Overlays#BOTH}).
     */
    public static CaseImage overlay(Kind kind, String title, String id, String caption, Image image, Mask predicted,
            Mask reference) {
        return of(kind, title, id, caption, Overlays.render(image, predicted, reference));
    }

    static byte[] encodePng(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", bos)) {
                throw new IllegalArgumentException("no PNG writer for image type " + image.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a PNG in memory failed", e);
        }
        return bos.toByteArray();
    }
}

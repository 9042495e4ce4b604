package io.medseg.mlops.report;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.viz.Overlays;
import io.medseg.viz.UncertaintyHeatMap;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * A picture of one case for the report, held as PNG bytes so the value is immutable. {@code kind} says in which
 * section it appears; {@code caption} is free text shown under it (e.g. the case's metric values); {@code zoomPng},
 * empty when there is none, is a close-up shown beside the picture (for small structures such as the left
 * ventricle, whose contours are a few pixels apart).
 */
@SuppressWarnings("ArrayRecordComponent") // PNG bytes of a picture, never compared
public record CaseImage(Kind kind, String title, String id, String caption, byte[] png, byte[] zoomPng) {
    /** The section a case picture belongs to. */
    public enum Kind { WORST, BEST, MOST_UNCERTAIN, OTHER }

    public CaseImage {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(id, "id");
        caption = caption == null ? "" : caption;
        png = Objects.requireNonNull(png, "png").clone();
        zoomPng = zoomPng == null ? new byte[0] : zoomPng.clone();
    }

    @Override
    public byte[] png() {
        return png.clone();
    }

    @Override
    public byte[] zoomPng() {
        return zoomPng.clone();
    }

    public boolean hasZoom() {
        return zoomPng.length > 0;
    }

    /** A case picture from any image (encoded as PNG now), without a close-up. */
    public static CaseImage of(Kind kind, String title, String id, String caption, BufferedImage image) {
        return new CaseImage(kind, title, id, caption, encodePng(image), null);
    }

    /** A case picture with a close-up ({@code zoom} may be null for none). */
    public static CaseImage of(Kind kind, String title, String id, String caption, BufferedImage image,
            BufferedImage zoom) {
        return new CaseImage(kind, title, id, caption, encodePng(image), zoom == null ? null : encodePng(zoom));
    }

    /**
     * The {@link Overlays} picture of {@code image} with the contours of {@code predicted} and {@code reference}
     * (colours {@link Overlays#PREDICTED}, {@link Overlays#REFERENCE}, {@link Overlays#BOTH}), with a close-up of
     * the square around both masks' foreground (see {@link #zoomBox}) when that square is under half the image.
     */
    public static CaseImage overlay(Kind kind, String title, String id, String caption, Image image, Mask predicted,
            Mask reference) {
        BufferedImage full = Overlays.render(image, predicted, reference);
        int[] box = zoomBox(predicted, reference);
        BufferedImage zoom = box == null ? null : full.getSubimage(box[1], box[0], box[2], box[2]);
        return of(kind, title, id, caption, full, zoom);
    }

    /**
     * As {@link #overlay}, with {@code heatMap} (a picture of the image's size, e.g. an uncertainty heat map) to the
     * right of the overlay, and to the right of its close-up the same square of the heat map.
     *
     * @throws IllegalArgumentException if the heat map's size differs from the image's
     */
    public static CaseImage overlayBesideHeatMap(Kind kind, String title, String id, String caption, Image image,
            Mask predicted, Mask reference, BufferedImage heatMap) {
        Objects.requireNonNull(heatMap, "heatMap");
        if (heatMap.getWidth() != image.width() || heatMap.getHeight() != image.height()) {
            throw new IllegalArgumentException("the heat map is " + heatMap.getHeight() + "x" + heatMap.getWidth()
                    + " but the image is " + image.height() + "x" + image.width());
        }
        BufferedImage full = Overlays.render(image, predicted, reference);
        int[] box = zoomBox(predicted, reference);
        BufferedImage zoom = box == null ? null : UncertaintyHeatMap.besideEachOther(
                full.getSubimage(box[1], box[0], box[2], box[2]), heatMap.getSubimage(box[1], box[0], box[2], box[2]));
        return of(kind, title, id, caption, UncertaintyHeatMap.besideEachOther(full, heatMap), zoom);
    }

    /**
     * The square {@code {top, left, side}} centred on the bounding box of the foreground of {@code a} and
     * {@code b} (either may be null), padded by half its larger side and at least 8 pixels, moved to lie inside
     * the image; null when there is no foreground or the square would cover half the image's width or more.
     */
    static int[] zoomBox(Mask a, Mask b) {
        Mask any = a != null ? a : b;
        int h = any.height();
        int w = any.width();
        int top = h;
        int left = w;
        int bottom = -1;
        int right = -1;
        for (Mask m : new Mask[] {a, b}) {
            if (m == null) {
                continue;
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (m.get(y, x) != 0) {
                        top = Math.min(top, y);
                        bottom = Math.max(bottom, y);
                        left = Math.min(left, x);
                        right = Math.max(right, x);
                    }
                }
            }
        }
        if (bottom < 0) {
            return null;
        }
        int extent = Math.max(bottom - top + 1, right - left + 1);
        int side = extent + 2 * Math.max(8, extent / 2);
        if (side * 2 > Math.min(w, h)) {
            return null;
        }
        int cy = (top + bottom) / 2;
        int cx = (left + right) / 2;
        int t = Math.max(0, Math.min(h - side, cy - side / 2));
        int l = Math.max(0, Math.min(w - side, cx - side / 2));
        return new int[] {t, l, side};
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

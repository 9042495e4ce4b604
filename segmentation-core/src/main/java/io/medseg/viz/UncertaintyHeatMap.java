package io.medseg.viz;

import io.medseg.inference.UncertaintyMap;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An uncertainty map as a picture: the normalised predictive entropy of each pixel ({@link UncertaintyMap#entropy},
 * 0 to 1) in a fixed "hot" colour scale, the same for every image so that pictures can be compared: black at 0
 * (certain), through red at 1/3 and yellow at 2/3, to white at 1 (all classes equally likely). The channels rise in
 * turn: red {@code min(1, 3e)}, green {@code clamp(3e - 1)}, blue {@code clamp(3e - 2)}, each then scaled to 0..255.
 */
public final class UncertaintyHeatMap {
    private UncertaintyHeatMap() {
    }

    /** The colour (RGB) of an entropy {@code e} in {@code [0, 1]}; values outside are clamped, NaN is white. */
    public static int colour(float e) {
        float v = Float.isNaN(e) ? 1f : Math.max(0f, Math.min(1f, e));
        int r = channel(3 * v);
        int g = channel(3 * v - 1);
        int b = channel(3 * v - 2);
        return (r << 16) | (g << 8) | b;
    }

    /** The entropy of {@code map} in the colour scale, an RGB image of the map's size. */
    public static BufferedImage render(UncertaintyMap map) {
        Objects.requireNonNull(map, "map");
        BufferedImage out = new BufferedImage(map.width(), map.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < map.height(); y++) {
            for (int x = 0; x < map.width(); x++) {
                out.setRGB(x, y, colour(map.entropy(y, x)));
            }
        }
        return out;
    }

    /** Writes {@link #render}'s picture of {@code map} to {@code file} as a PNG (parent folders created), atomically. */
    public static void write(UncertaintyMap map, Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        AtomicFiles.writePng(render(map), file);
    }

    /** {@code left} and {@code right} side by side (the taller sets the height, black below the shorter). */
    public static BufferedImage besideEachOther(BufferedImage left, BufferedImage right) {
        Objects.requireNonNull(left, "left");
        Objects.requireNonNull(right, "right");
        int h = Math.max(left.getHeight(), right.getHeight());
        BufferedImage out = new BufferedImage(left.getWidth() + right.getWidth(), h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < left.getHeight(); y++) {
            for (int x = 0; x < left.getWidth(); x++) {
                out.setRGB(x, y, left.getRGB(x, y));
            }
        }
        for (int y = 0; y < right.getHeight(); y++) {
            for (int x = 0; x < right.getWidth(); x++) {
                out.setRGB(left.getWidth() + x, y, right.getRGB(x, y));
            }
        }
        return out;
    }

    private static int channel(float v) {
        return Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
    }
}

package io.medseg.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.medseg.data.folder.ImageMaskFolder;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** PNG images and masks of an image/mask folder dataset, read through {@link ImageMaskFolder#load}. */
class PngFuzzTest {
    private static final int SIZE = 8;

    private static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", out)) {
                throw new IllegalStateException("no PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static BufferedImage filled(int type, int max) {
        BufferedImage img = new BufferedImage(SIZE, SIZE, type);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                img.getRaster().setSample(x, y, 0, (x * 7 + y * 3) % (max + 1));
            }
        }
        return img;
    }

    /** Grey PNGs of 8 and 16 bits, a 1-bit one and a palette one, made with ImageIO. */
    static Map<String, byte[]> seedFiles() {
        Map<String, byte[]> seeds = new TreeMap<>();
        seeds.put("grey8", png(filled(BufferedImage.TYPE_BYTE_GRAY, 255)));
        seeds.put("grey16", png(filled(BufferedImage.TYPE_USHORT_GRAY, 65535)));
        seeds.put("binary", png(filled(BufferedImage.TYPE_BYTE_BINARY, 1)));
        byte[] ramp = {0, 85, (byte) 170, (byte) 255};
        seeds.put("palette", png(filledIndexed(new IndexColorModel(2, 4, ramp, ramp, ramp))));
        return seeds;
    }

    private static BufferedImage filledIndexed(IndexColorModel palette) {
        BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_BINARY, palette);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                img.getRaster().setSample(x, y, 0, (x + y) % 4);
            }
        }
        return img;
    }

    static Stream<Arguments> seeds() {
        return FuzzFiles.seedsWithCuts(seedFiles());
    }

    /** A folder of one image and one mask, with {@code fuzzed} ({@code images} or {@code masks}) given the bytes. */
    private static void loadWith(String fuzzed, byte[] data) throws Exception {
        String other = fuzzed.equals("images") ? "masks" : "images";
        Path root = FuzzFiles.path("png-" + fuzzed + "/x").getParent();
        Path fixed = root.resolve(other).resolve("a.png");
        if (!fixed.toFile().isFile()) {
            FuzzFiles.write("png-" + fuzzed + "/" + other + "/a.png", png(filled(BufferedImage.TYPE_BYTE_GRAY, 1)));
        }
        FuzzFiles.write("png-" + fuzzed + "/" + fuzzed + "/a.png", data);
        FuzzFiles.badInputOnly(() -> ImageMaskFolder.load(root));
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "5m")
    void image(byte[] data) throws Exception {
        loadWith("images", data);
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "5m")
    void mask(byte[] data) throws Exception {
        loadWith("masks", data);
    }
}

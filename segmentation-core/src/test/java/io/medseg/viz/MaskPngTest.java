package io.medseg.viz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.DataFormatException;
import io.medseg.data.Mask;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaskPngTest {
    @TempDir
    Path dir;

    @Test
    void roundTripKeepsEveryClassIndexExactly() throws IOException {
        int h = 7;
        int w = 11; // not square, so a width/height swap would show
        byte[] labels = new byte[h * w];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) ((i * 37) % 128);
        }
        Mask mask = Mask.of(h, w, labels);
        Path file = dir.resolve("sub/folder/mask.png");

        MaskPng.write(mask, file);
        Mask back = MaskPng.read(file);

        assertThat(back.height()).isEqualTo(h);
        assertThat(back.width()).isEqualTo(w);
        assertThat(back.toArray()).containsExactly(labels);
    }

    @Test
    void writtenFileIsAnEightBitGrayscalePngWithRawClassValues() throws IOException {
        byte[] labels = {0, 1, 2, 1, 0, 0};
        Path file = dir.resolve("m.png");
        MaskPng.write(Mask.of(2, 3, labels), file);

        BufferedImage img = ImageIO.read(file.toFile());
        assertThat(img.getWidth()).isEqualTo(3);
        assertThat(img.getHeight()).isEqualTo(2);
        assertThat(img.getRaster().getNumBands()).isEqualTo(1);
        assertThat(img.getColorModel().getPixelSize()).isEqualTo(8);
        assertThat(img.getRaster().getSample(2, 0, 0)).isEqualTo(2);
        assertThat(img.getRaster().getSample(0, 1, 0)).isEqualTo(1);
    }

    @Test
    void writeLeavesNoTemporaryFilesBehind() throws IOException {
        Path file = dir.resolve("m.png");
        MaskPng.write(Mask.empty(4, 4), file);
        MaskPng.write(Mask.empty(4, 4), file); // overwrite in place

        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("m.png");
        }
    }

    @Test
    void readingAColourPngIsRefusedNamingTheFile() throws IOException {
        Path file = dir.resolve("rgb.png");
        ImageIO.write(new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB), "png", file.toFile());

        assertThatThrownBy(() -> MaskPng.read(file)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("grayscale");
    }

    @Test
    void readingSomethingThatIsNotAnImageIsRefused() throws IOException {
        Path file = dir.resolve("text.png");
        Files.writeString(file, "hello");

        assertThatThrownBy(() -> MaskPng.read(file)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void readingAMissingFileIsNoSuchFile() {
        assertThatThrownBy(() -> MaskPng.read(dir.resolve("nope.png"))).isInstanceOf(NoSuchFileException.class);
    }
}

package io.medseg.viz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlaysTest {
    private static final int N = 20;

    /** A square of class 1 covering rows and columns 5..14. */
    private static Mask square(int from, int to) {
        byte[] labels = new byte[N * N];
        for (int y = from; y <= to; y++) {
            for (int x = from; x <= to; x++) {
                labels[y * N + x] = 1;
            }
        }
        return Mask.of(N, N, labels);
    }

    /** Constant grey 100 everywhere except a ramp in the first row, so the percentile window is known. */
    private static Image flatImage() {
        float[] px = new float[N * N];
        java.util.Arrays.fill(px, 100f);
        return Image.of(N, N, px);
    }

    private static int rgb(BufferedImage img, int y, int x) {
        return img.getRGB(x, y) & 0xFFFFFF;
    }

    @Test
    void boundaryPixelsTakeTheContourColourAndInteriorPixelsStayGrey() {
        BufferedImage img = Overlays.render(flatImage(), square(5, 14), null);

        assertThat(rgb(img, 5, 9)).isEqualTo(Overlays.PREDICTED); // top edge of the square
        assertThat(rgb(img, 9, 14)).isEqualTo(Overlays.PREDICTED); // right edge
        int interior = rgb(img, 9, 9);
        int outside = rgb(img, 1, 1);
        // interior and outside show the image: grey (R = G = B), not a contour colour
        assertThat(interior >> 16).isEqualTo(interior & 0xFF);
        assertThat((interior >> 8) & 0xFF).isEqualTo(interior & 0xFF);
        assertThat(interior).isEqualTo(outside);
    }

    @Test
    void referenceAndPredictedContoursHaveTheirOwnColoursAndSharedPixelsAreMarked() {
        Mask predicted = square(5, 14);
        Mask reference = square(5, 12); // shares the top-left corner and the top/left edges up to column 12
        BufferedImage img = Overlays.render(flatImage(), predicted, reference);

        assertThat(rgb(img, 5, 8)).isEqualTo(Overlays.BOTH); // on both top edges
        assertThat(rgb(img, 12, 9)).isEqualTo(Overlays.REFERENCE); // bottom edge of the reference, inside prediction
        assertThat(rgb(img, 14, 9)).isEqualTo(Overlays.PREDICTED); // bottom edge of the prediction only
        assertThat(rgb(img, 9, 9) & 0xFF).isEqualTo((rgb(img, 9, 9) >> 8) & 0xFF); // interior grey
    }

    @Test
    void imageIsWindowedToItsPercentilesSoTheBrightestPixelsSaturate() {
        float[] px = new float[N * N];
        for (int i = 0; i < px.length; i++) {
            px[i] = i; // 0..399: 1st percentile 3.99, 99th 395.01
        }
        px[px.length - 1] = 1e6f; // an outlier must not darken everything else
        BufferedImage img = Overlays.render(Image.of(N, N, px), Mask.empty(N, N), null);

        assertThat(rgb(img, 0, 0)).isEqualTo(0x000000);
        assertThat(rgb(img, N - 1, N - 1)).isEqualTo(0xFFFFFF);
        int mid = rgb(img, 10, 0) & 0xFF; // value 200, about half way through the window
        assertThat(mid).isBetween(120, 135);
    }

    @Test
    void maskOfAnotherSizeIsRefused() {
        assertThatThrownBy(() -> Overlays.render(flatImage(), Mask.empty(N, N + 1), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("20x21");
    }

    @Test
    void writtenOverlayReadsBackWithTheSameColours(@TempDir Path dir) throws IOException {
        BufferedImage img = Overlays.render(flatImage(), square(5, 14), null);
        Path file = dir.resolve("o_overlay.png");
        Overlays.writePng(img, file);

        BufferedImage back = ImageIO.read(file.toFile());
        assertThat(back.getRGB(9, 5) & 0xFFFFFF).isEqualTo(Overlays.PREDICTED);
        assertThat(back.getWidth()).isEqualTo(N);
    }
}

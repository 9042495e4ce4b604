package io.medseg.data.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.DataFormatException;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageMaskFolderTest {
    @TempDir
    Path dir;

    private static void png(Path file, int type, int w, int h, java.util.function.IntBinaryOperator value)
            throws IOException {
        BufferedImage img = new BufferedImage(w, h, type);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = value.applyAsInt(y, x);
                if (r.getNumBands() == 1) {
                    r.setSample(x, y, 0, v);
                } else {
                    for (int b = 0; b < r.getNumBands(); b++) {
                        r.setSample(x, y, b, v & 0xff);
                    }
                }
            }
        }
        Files.createDirectories(file.getParent());
        assertThat(ImageIO.write(img, "png", file.toFile())).isTrue();
    }

    private void splitPair(String name, int w, int h) throws IOException {
        png(dir.resolve("images/" + name + ".png"), BufferedImage.TYPE_USHORT_GRAY, w, h, (y, x) -> 1000 * y + x);
        png(dir.resolve("masks/" + name + ".png"), BufferedImage.TYPE_BYTE_GRAY, w, h, (y, x) -> x < 2 ? 255 : 0);
    }

    @Test
    void readsSixteenBitValuesExactlyAndMapsBinary255MaskToOne() throws IOException {
        png(dir.resolve("images/a.png"), BufferedImage.TYPE_USHORT_GRAY, 4, 3, (y, x) -> 60000 + 1000 * y + x);
        png(dir.resolve("masks/a.png"), BufferedImage.TYPE_BYTE_GRAY, 4, 3, (y, x) -> x < 2 ? 255 : 0);
        assertThat(ImageMaskFolder.looksLikeImageMaskFolder(dir)).isTrue();
        SegmentationDataset ds = ImageMaskFolder.load(dir);
        assertThat(ds.size()).isEqualTo(1);
        Sample s = ds.get(0);
        assertThat(s.id()).isEqualTo("a");
        assertThat(s.patientId()).isEqualTo("a");
        assertThat(s.image().get(2, 3)).isEqualTo(62003f);
        assertThat(s.image().get(0, 0)).isEqualTo(60000f);
        assertThat(s.mask().get(1, 1)).isEqualTo(1);
        assertThat(s.mask().get(1, 2)).isEqualTo(0);
        assertThat(s.mask().count(1)).isEqualTo(6);
    }

    @Test
    void readsEightBitImagesAndClassIndexMasksInSuffixedLayoutSortedByName() throws IOException {
        png(dir.resolve("b.png"), BufferedImage.TYPE_BYTE_GRAY, 3, 2, (y, x) -> 200 + x);
        png(dir.resolve("b_mask.png"), BufferedImage.TYPE_BYTE_GRAY, 3, 2, (y, x) -> x);
        png(dir.resolve("a.png"), BufferedImage.TYPE_BYTE_GRAY, 3, 2, (y, x) -> 7);
        png(dir.resolve("a_mask.png"), BufferedImage.TYPE_BYTE_GRAY, 3, 2, (y, x) -> 0);
        assertThat(ImageMaskFolder.looksLikeImageMaskFolder(dir)).isTrue();
        SegmentationDataset ds = ImageMaskFolder.load(dir);
        assertThat(ds.samples()).extracting(Sample::id).containsExactly("a", "b");
        assertThat(ds.get(1).image().get(1, 2)).isEqualTo(202f);
        assertThat(ds.get(1).mask().get(0, 2)).isEqualTo(2);
        assertThat(ds.get(1).mask().maxLabel()).isEqualTo(2);
    }

    @Test
    void imageFilesNamesTheFileEachSampleWasReadFromInEitherLayout() throws IOException {
        splitPair("b", 3, 2);
        splitPair("a", 3, 2);
        assertThat(ImageMaskFolder.imageFiles(dir)).containsExactly(
                Map.entry("a", dir.resolve("images/a.png")), Map.entry("b", dir.resolve("images/b.png")));

        Path flat = Files.createDirectories(dir.resolve("flat"));
        png(flat.resolve("c.png"), BufferedImage.TYPE_BYTE_GRAY, 3, 2, (y, x) -> 7);
        png(flat.resolve("c_mask.png"), BufferedImage.TYPE_BYTE_GRAY, 3, 2, (y, x) -> 0);
        assertThat(ImageMaskFolder.imageFiles(flat)).containsExactly(Map.entry("c", flat.resolve("c.png")));
        assertThat(ImageMaskFolder.load(flat).samples()).extracting(Sample::id).containsExactly("c");
    }

    @Test
    void maskWithValueAbove127ThatIsNotBinary255IsRefusedNamingFileAndValue() throws IOException {
        png(dir.resolve("images/a.png"), BufferedImage.TYPE_BYTE_GRAY, 3, 2, (y, x) -> 1);
        png(dir.resolve("masks/a.png"), BufferedImage.TYPE_BYTE_GRAY, 3, 2, (y, x) -> x == 2 ? 200 : x);
        assertThatThrownBy(() -> ImageMaskFolder.load(dir)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("masks" + java.io.File.separator + "a.png").hasMessageContaining("200");
        // 0/1/255 mixed is not the 0/255 case either
        png(dir.resolve("masks/a.png"), BufferedImage.TYPE_BYTE_GRAY, 3, 2, (y, x) -> x == 2 ? 255 : x);
        assertThatThrownBy(() -> ImageMaskFolder.load(dir)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("255");
    }

    @Test
    void imageWithoutMaskNamesBothPaths() throws IOException {
        splitPair("a", 3, 2);
        png(dir.resolve("images/b.png"), BufferedImage.TYPE_BYTE_GRAY, 3, 2, (y, x) -> 1);
        assertThatThrownBy(() -> ImageMaskFolder.load(dir)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(dir.resolve("images/b.png").toString())
                .hasMessageContaining(dir.resolve("masks/b.png").toString());
    }

    @Test
    void sizeMismatchNamesBothFilesAndSizes() throws IOException {
        png(dir.resolve("images/a.png"), BufferedImage.TYPE_BYTE_GRAY, 4, 3, (y, x) -> 1);
        png(dir.resolve("masks/a.png"), BufferedImage.TYPE_BYTE_GRAY, 5, 3, (y, x) -> 0);
        assertThatThrownBy(() -> ImageMaskFolder.load(dir)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(dir.resolve("images/a.png").toString())
                .hasMessageContaining(dir.resolve("masks/a.png").toString())
                .hasMessageContaining("4x3").hasMessageContaining("5x3");
    }

    @Test
    void colourImageAndNonPngFilesAreRefused() throws IOException {
        png(dir.resolve("images/a.png"), BufferedImage.TYPE_3BYTE_BGR, 3, 2, (y, x) -> 9);
        png(dir.resolve("masks/a.png"), BufferedImage.TYPE_BYTE_GRAY, 3, 2, (y, x) -> 0);
        assertThatThrownBy(() -> ImageMaskFolder.load(dir)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("a.png").hasMessageContaining("3 bands");

        png(dir.resolve("images/a.png"), BufferedImage.TYPE_BYTE_GRAY, 3, 2, (y, x) -> 9);
        Files.writeString(dir.resolve("masks/a.png"), "not really a png");
        assertThatThrownBy(() -> ImageMaskFolder.load(dir)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("not a PNG");

        png(dir.resolve("masks/a.png"), BufferedImage.TYPE_BYTE_GRAY, 3, 2, (y, x) -> 0);
        Files.writeString(dir.resolve("images/notes.txt"), "x");
        assertThatThrownBy(() -> ImageMaskFolder.load(dir)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("notes.txt");
    }

    @Test
    void patientsCsvGroupsImagesAndMustListEveryImage() throws IOException {
        splitPair("p1_a", 3, 2);
        splitPair("p1_b", 3, 2);
        splitPair("p2_a", 3, 2);
        Files.writeString(dir.resolve("patients.csv"), "name,patient_id\np1_a,P1\np1_b,P1\np2_a,P2\n");
        SegmentationDataset ds = ImageMaskFolder.load(dir);
        assertThat(ds.patients()).containsExactly("P1", "P2");
        assertThat(ds.byPatient().get("P1")).extracting(Sample::id).containsExactly("p1_a", "p1_b");

        Files.writeString(dir.resolve("patients.csv"), "name,patient_id\np1_a,P1\np2_a,P2\n");
        assertThatThrownBy(() -> ImageMaskFolder.load(dir)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("patients.csv").hasMessageContaining("p1_b");
    }

    @Test
    void writeThenLoadRoundTripsRoundedClampedPixelsMasksAndPatients() throws IOException {
        float[] px = {-5f, 0.4f, 1.6f, 70000f, 1234f, 65535f};
        Sample a = new Sample("SCD01/7", "SCD01", Image.of(2, 3, px), Mask.of(2, 3, new byte[] {0, 1, 2, 3, 0, 1}));
        Sample b = new Sample("SCD02/1", "SCD02", Image.of(2, 3, new float[6]), Mask.empty(2, 3));
        ImageMaskFolder.write(List.of(a, b), dir);
        assertThat(ImageIO.read(dir.resolve("images/SCD01_7.png").toFile()).getRaster().getSampleModel()
                .getSampleSize(0)).isEqualTo(16);
        try (var files = Files.list(dir.resolve("images"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("SCD01_7.png",
                    "SCD02_1.png");
        }
        SegmentationDataset ds = ImageMaskFolder.load(dir);
        Sample r = ds.get(0);
        assertThat(r.id()).isEqualTo("SCD01_7");
        assertThat(r.patientId()).isEqualTo("SCD01");
        assertThat(r.image().toArray()).containsExactly(0f, 0f, 2f, 65535f, 1234f, 65535f);
        assertThat(r.mask()).isEqualTo(a.mask());
        assertThat(ds.get(1).patientId()).isEqualTo("SCD02");
    }

    @Test
    void writeRefusesMultiChannelImagesAndCollidingNames() {
        Sample rgb = new Sample("x", "p", Image.of(1, 1, 3, new float[3]), Mask.empty(1, 1));
        Sample y1 = new Sample("y/1", "p", Image.of(1, 1, new float[1]), Mask.empty(1, 1));
        Sample y2 = new Sample("y_1", "p", Image.of(1, 1, new float[1]), Mask.empty(1, 1));
        assertThatThrownBy(() -> ImageMaskFolder.write(List.of(rgb, y1, y2), dir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 channels")
                .hasMessageContaining("y/1").hasMessageContaining("y_1");
    }

    @Test
    void foldersWithoutEitherLayoutAreNotRecognised() throws IOException {
        assertThat(ImageMaskFolder.looksLikeImageMaskFolder(dir)).isFalse();
        png(dir.resolve("lonely.png"), BufferedImage.TYPE_BYTE_GRAY, 2, 2, (y, x) -> 0);
        assertThat(ImageMaskFolder.looksLikeImageMaskFolder(dir)).isFalse();
        assertThat(ImageMaskFolder.looksLikeImageMaskFolder(dir.resolve("lonely.png"))).isFalse();
    }
}

package io.medseg.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.medseg.data.DataFormatException;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import io.medseg.io.Json;
import io.medseg.testdata.TestJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataProfileTest {
    @TempDir
    Path tmp;

    /** 10x10: 40 pixels 0, 30 pixels 50, 30 pixels 100 (row-major, in that order). */
    private static Image steps(double gain, PixelSpacing spacing) {
        float[] px = new float[100];
        for (int i = 0; i < 100; i++) {
            px[i] = (float) (gain * (i < 40 ? 0 : i < 70 ? 50 : 100));
        }
        return Image.wrap(10, 10, 1, px, spacing);
    }

    private static Image noise(int size, double sigma, long seed) {
        Random rng = new Random(seed);
        float[] px = new float[size * size];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) (500 + sigma * rng.nextGaussian());
        }
        return Image.of(size, size, px);
    }

    @Test
    void intensityFeaturesAreRelativeToTheNinetyNinthPercentileOverTheSignalRegion() {
        DataProfile p = DataProfile.of(List.of(steps(1, null), steps(4, null)));
        // p99 of 30 x 100 on top is 100; signal region (> 10): 30 x 50 and 30 x 100, mean 75, population sd 25
        assertThat(p.values(DriftFeature.INTENSITY_SCALE)).containsExactly(100, 400);
        assertThat(p.values(DriftFeature.RELATIVE_MEAN)).containsExactly(0.75, 0.75);
        assertThat(p.values(DriftFeature.RELATIVE_SPREAD)).containsExactly(0.25, 0.25);
        assertThat(p.values(DriftFeature.HEIGHT)).containsExactly(10, 10);
        assertThat(p.values(DriftFeature.WIDTH)).containsExactly(10, 10);
        assertThat(p.values(DriftFeature.SPACING_ROW)).containsExactly(Double.NaN, Double.NaN);
        assertThat(p.imageCount()).isEqualTo(2);
        assertThat(p.hasMasks()).isFalse();
        assertThat(p.has(DriftFeature.LV_AREA)).isFalse();
        assertThatThrownBy(() -> p.values(DriftFeature.LV_AREA)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no lv_area values");
    }

    @Test
    void immerkaerNoiseEstimateRecoversGaussianNoiseAndIgnoresZeroPadding() {
        Image field = noise(200, 10, 1);
        double sigma = ImageStatistics.immerkaerSigma(field.toArray(), 200, 200);
        assertThat(sigma).isCloseTo(10, offset(0.3));
        // the same kind of field in the middle of a zero-filled 300x300 frame: padding is not averaged in
        float[] padded = new float[300 * 300];
        float[] inner = noise(200, 10, 2).toArray();
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 200; x++) {
                padded[(y + 50) * 300 + x + 50] = inner[y * 200 + x] - 500;
            }
        }
        assertThat(ImageStatistics.immerkaerSigma(padded, 300, 300)).isCloseTo(10, offset(0.5));
        assertThat(ImageStatistics.immerkaerSigma(new float[9], 3, 3)).isZero();
    }

    @Test
    void relativeFeaturesDoNotMoveWhenTheImageIsRescaled() {
        Image a = noise(64, 20, 3);
        float[] px = a.toArray();
        for (int i = 0; i < px.length; i++) {
            px[i] *= 0.5f;
        }
        DataProfile p = DataProfile.of(List.of(a, Image.of(64, 64, px)));
        assertThat(p.values(DriftFeature.INTENSITY_SCALE)[1]).isCloseTo(p.values(DriftFeature.INTENSITY_SCALE)[0] / 2,
                offset(1e-9));
        for (DriftFeature f : List.of(DriftFeature.RELATIVE_MEAN, DriftFeature.RELATIVE_SPREAD,
                DriftFeature.NOISE_LEVEL)) {
            assertThat(p.values(f)[1]).as(f.key()).isCloseTo(p.values(f)[0], offset(1e-12));
        }
        assertThat(p.values(DriftFeature.NOISE_LEVEL)[0] * p.values(DriftFeature.INTENSITY_SCALE)[0])
                .isCloseTo(20, offset(1.0));
    }

    @Test
    void lvAreaIsInSquareMillimetresOnlyWhenEveryImageHasASpacing() {
        byte[] labels = new byte[100];
        for (int i = 0; i < 5; i++) {
            labels[i] = 1;
        }
        labels[50] = 2;
        labels[51] = 2; // every label above 0 is foreground
        Mask m = Mask.of(10, 10, labels);
        PixelSpacing s = new PixelSpacing(0.5, 2.0);
        DataProfile mm = DataProfile.of(List.of(steps(1, s), steps(2, s)), List.of(m, Mask.empty(10, 10)));
        assertThat(mm.areaUnit()).contains(DataProfile.UNIT_MM2);
        assertThat(mm.values(DriftFeature.LV_AREA)).containsExactly(7.0, 0.0);
        assertThat(mm.values(DriftFeature.SPACING_ROW)).containsExactly(0.5, 0.5);
        assertThat(mm.values(DriftFeature.SPACING_COL)).containsExactly(2.0, 2.0);

        DataProfile px = DataProfile.of(List.of(steps(1, s), steps(2, null)), List.of(m, m));
        assertThat(px.areaUnit()).contains(DataProfile.UNIT_PIXELS);
        assertThat(px.values(DriftFeature.LV_AREA)).containsExactly(7.0, 7.0);
        assertThat(px.values(DriftFeature.SPACING_ROW)).containsExactly(0.5, Double.NaN);
    }

    @Test
    void histogramEdgesAreTheReferenceQuantilesAndIncomingDataIsCountedInThem() {
        // relative values spread evenly over (0.1, 1.1]: deciles near 0.2, 0.3, ..., 1.0
        List<Image> images = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            float[] px = new float[100 * 100];
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) (1000 * (0.1 + (i + 1) / (double) px.length));
            }
            images.add(Image.of(100, 100, px));
        }
        DataProfile ref = DataProfile.of(images, null, 10);
        IntensityHistogram h = ref.histogram();
        assertThat(h.bins()).isEqualTo(10);
        // p99 is about 1090, so the relative values run up to 1.1 / 1.09; the pixels up to 109 are not signal
        double p99 = ref.values(DriftFeature.INTENSITY_SCALE)[0];
        assertThat(p99).isCloseTo(1090, offset(0.01));
        assertThat(h.total()).isEqualTo(4L * (100 * 100 - countAtMost(images.get(0), 0.1 * p99)));
        for (double share : h.proportions()) {
            assertThat(share).isCloseTo(0.1, offset(0.002));
        }
        double[] edges = h.edges();
        for (int i = 1; i < edges.length; i++) {
            assertThat(edges[i] - edges[i - 1]).isCloseTo(0.1 / 1.09, offset(0.002));
        }
        // an incoming set is counted in the reference's edges, not its own quantiles
        DataProfile inc = DataProfile.against(ref, List.of(steps(1, null)), null);
        assertThat(inc.histogram().edges()).containsExactly(edges);
        // relative 0.5 and 1.0: 30 pixels each, in the bins holding them
        long[] counts = inc.histogram().counts();
        assertThat(counts[IntensityHistogram.bin(edges, 0.5)]).isEqualTo(30);
        assertThat(counts[IntensityHistogram.bin(edges, 1.0)]).isEqualTo(30);
        assertThat(inc.histogram().total()).isEqualTo(60);
        assertThat(DataProfile.of(images, null, 20).histogram().bins()).isEqualTo(20);
    }

    private static int countAtMost(Image image, double value) {
        int n = 0;
        for (float v : image.toArray()) {
            n += v <= value ? 1 : 0;
        }
        return n;
    }

    @Test
    void binIndexFollowsTheHalfOpenConvention() {
        double[] edges = {1, 2, 3};
        assertThat(IntensityHistogram.bin(edges, 0.5)).isZero();
        assertThat(IntensityHistogram.bin(edges, 1)).isZero();
        assertThat(IntensityHistogram.bin(edges, 1.5)).isEqualTo(1);
        assertThat(IntensityHistogram.bin(edges, 3)).isEqualTo(2);
        assertThat(IntensityHistogram.bin(edges, 9)).isEqualTo(3);
    }

    private DataProfile sampleProfile() {
        PixelSpacing s = new PixelSpacing(1.25, 1.5);
        byte[] labels = new byte[100];
        labels[44] = 1;
        labels[45] = 1;
        Mask m = Mask.of(10, 10, labels);
        return DataProfile.of(List.of(steps(1, s), steps(3, null), noise(10, 5, 9).withSpacing(s)),
                List.of(m, m, Mask.empty(10, 10)));
    }

    @Test
    void jsonRoundTripKeepsEverything() throws IOException {
        DataProfile p = sampleProfile();
        DataProfile back = DataProfile.fromJson(p.toJson());
        assertThat(back).isEqualTo(p);
        assertThat(back.values(DriftFeature.SPACING_ROW)).containsExactly(1.25, Double.NaN, 1.25);
        assertThat(back.areaUnit()).contains(DataProfile.UNIT_PIXELS);

        Map<String, Object> map = TestJson.object(p.toJson());
        assertThat(map.get("format")).isEqualTo("medseg-data-profile");
        assertThat(map.get("version")).isEqualTo(1L);
        Map<String, Object> features = TestJson.object(map.get("features"));
        assertThat(TestJson.array(features.get("spacing_row")).get(1)).isNull();

        Path file = tmp.resolve("profile.json");
        p.write(file);
        assertThat(DataProfile.read(file)).isEqualTo(p);

        DataProfile noMasks = DataProfile.of(List.of(steps(1, null)));
        assertThat(DataProfile.fromJson(noMasks.toJson())).isEqualTo(noMasks);
        assertThat(TestJson.object(noMasks.toJson())).doesNotContainKey("lv_area_unit");
    }

    private DataFormatException readBroken(Consumer<Map<String, Object>> damage) throws IOException {
        Map<String, Object> map = TestJson.object(sampleProfile().toJson());
        damage.accept(map);
        Path file = tmp.resolve("broken.json");
        Files.writeString(file, Json.write(map));
        try {
            DataProfile.read(file);
        } catch (DataFormatException e) {
            assertThat(e.file()).contains(file);
            assertThat(e.getMessage()).startsWith(file.toString());
            return e;
        }
        throw new AssertionError("expected a DataFormatException");
    }

    @Test
    void wrongOrCorruptFilesAreDataFormatExceptionsNamingTheProblem() throws IOException {
        assertThat(readBroken(m -> m.put("format", "medseg-run-provenance")))
                .hasMessageContaining("not a data profile: \"format\" is \"medseg-run-provenance\"");
        assertThat(readBroken(m -> m.remove("format"))).hasMessageContaining("\"format\" is null");
        assertThat(readBroken(m -> m.put("version", 2))).hasMessageContaining("unsupported data profile version 2");
        assertThat(readBroken(m -> TestJson.array(TestJson.object(m.get("features")).get("noise_level")).remove(0)))
                .hasMessageContaining("feature \"noise_level\" has 2 values for 3 images");
        assertThat(readBroken(m -> TestJson.array(TestJson.object(m.get("features")).get("relative_mean")).set(1, -0.5)))
                .hasMessageContaining("relative_mean[1] must be non-negative: -0.5");
        assertThat(readBroken(m -> TestJson.array(TestJson.object(m.get("features")).get("height")).set(0, null)))
                .hasMessageContaining("height[0] must be a number, got null");
        assertThat(readBroken(m -> TestJson.array(TestJson.object(m.get("features")).get("spacing_col")).set(0, null)))
                .hasMessageContaining("image 0 has only one of spacing_row and spacing_col");
        assertThat(readBroken(m -> TestJson.object(m.get("features")).remove("width")))
                .hasMessageContaining("no values for feature \"width\"");
        assertThat(readBroken(m -> m.remove("lv_area_unit")))
                .hasMessageContaining("\"lv_area\" needs \"lv_area_unit\"");
        assertThat(readBroken(m -> TestJson.array(TestJson.object(m.get("intensity_histogram")).get("counts")).remove(0)))
                .hasMessageContaining("intensity_histogram: histogram with");
        assertThat(readBroken(m -> TestJson.array(TestJson.object(m.get("intensity_histogram")).get("counts")).set(0, 1.5)))
                .hasMessageContaining("counts[0] must be a non-negative whole number: 1.5");

        Path text = tmp.resolve("notes.json");
        Files.writeString(text, "this is not json");
        assertThatThrownBy(() -> DataProfile.read(text)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("not a valid data profile: invalid json: ").hasMessageContaining("(line 1, column 1)");
        Path array = tmp.resolve("array.json");
        Files.writeString(array, "[1, 2]");
        assertThatThrownBy(() -> DataProfile.read(array)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("expected a json object, got array");
        Path binary = tmp.resolve("binary.json");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x01});
        assertThatThrownBy(() -> DataProfile.read(binary)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("not UTF-8 text");
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> DataProfile.of(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one image");
        assertThatThrownBy(() -> DataProfile.of(List.of(steps(1, null)), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 masks for 1 images");
        assertThatThrownBy(() -> DataProfile.of(List.of(steps(1, null)), List.of(Mask.empty(5, 5))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mask 0 is 5x5 but its image is 10x10");
        assertThatThrownBy(() -> DataProfile.of(List.of(steps(1, null), Image.of(4, 4, 3, new float[48]))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image 1 is 4x4x3");
        assertThatThrownBy(() -> DataProfile.of(List.of(Image.of(4, 4, new float[16]))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image 0 has no signal: its 99th percentile is 0.0");
        float[] nan = new float[16];
        nan[3] = Float.NaN;
        assertThatThrownBy(() -> DataProfile.of(List.of(Image.of(4, 4, nan))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-finite pixel");
        assertThatThrownBy(() -> DataProfile.of(List.of(steps(1, null)), null, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bins must be in 2..100: 1");
    }
}

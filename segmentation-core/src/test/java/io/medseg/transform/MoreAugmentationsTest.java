package io.medseg.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.testdata.TestMasks;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Elastic, bias field, brightness, contrast, crops and the affine shorthands. */
class MoreAugmentationsTest {

    /** An {@code n x n} sample with a centred square of side {@code side}, label 1, intensity 500 on a gradient. */
    private static Sample centredSquare(int n, int side) {
        int start = (n - side) / 2;
        float[] px = new float[n * n];
        byte[] labels = new byte[n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                boolean in = y >= start && y < start + side && x >= start && x < start + side;
                px[y * n + x] = in ? 500f : 20f + x + 0.5f * y;
                labels[y * n + x] = (byte) (in ? 1 : 0);
            }
        }
        return new Sample("sq", "p", Image.of(n, n, px), Mask.wrap(n, n, labels));
    }

    /** Pixel value {@code offset + y * w + x}: every pixel says where it came from. */
    private static Sample indexed(int h, int w, float offset, int label) {
        float[] px = new float[h * w];
        byte[] labels = new byte[h * w];
        for (int i = 0; i < px.length; i++) {
            px[i] = offset + i;
            labels[i] = (byte) label;
        }
        return new Sample("i", "p", Image.of(h, w, px), Mask.wrap(h, w, labels));
    }

    private static double mean(Image img) {
        double s = 0;
        for (float v : img.toArray()) {
            s += v;
        }
        return s / img.size();
    }

    private static double std(Image img) {
        double m = mean(img);
        double s = 0;
        for (float v : img.toArray()) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / img.size());
    }

    @Test
    void rotatingACentredSquareByThirtyDegreesKeepsItsAreaAndCentroid() {
        Sample s = centredSquare(64, 20); // centroid exactly at the image centre (31.5, 31.5)
        Sample r = Augmentations.affine(s, 30, 1, 0, 0);
        assertThat(r.mask().count(1)).isCloseTo(400, within(12));
        double[] c = TestMasks.centroid(r.mask());
        assertThat(c[0]).isCloseTo(31.5, within(0.5));
        assertThat(c[1]).isCloseTo(31.5, within(0.5));
        // the old corner (22, 22) is cut off, while the middle of the left edge bulges out (to 10 / cos 30 = 11.5
        // px from the centre) over column 21, which was outside the square
        assertThat(s.mask().get(31, 21)).isZero();
        assertThat(r.mask().get(22, 22)).isZero();
        assertThat(r.mask().get(31, 21)).isEqualTo(1);
        assertThat(r.mask().get(32, 21)).isEqualTo(1);
    }

    @Test
    void rotateScaleTranslateShorthandsAreTheMatchingAffine() {
        Sample s = centredSquare(32, 10);
        assertThat(Augmentations.rotate(30).apply(s, new SplittableRandom(4)))
                .isEqualTo(Augmentations.affine(30, 1, 1, 0).apply(s, new SplittableRandom(4)));
        assertThat(Augmentations.scale(0.8, 1.2).apply(s, new SplittableRandom(4)))
                .isEqualTo(Augmentations.affine(0, 0.8, 1.2, 0).apply(s, new SplittableRandom(4)));
        assertThat(Augmentations.translate(0.1).apply(s, new SplittableRandom(4)))
                .isEqualTo(Augmentations.affine(0, 1, 1, 0.1).apply(s, new SplittableRandom(4)));
        // scale 2 about the centre doubles the side, so the area is four times as large
        Sample doubled = Augmentations.affine(s, 0, 2, 0, 0);
        assertThat(doubled.mask().count(1)).isCloseTo(400, within(20));
        Sample rotated = Augmentations.rotate(45).apply(s, new SplittableRandom(9));
        assertThat(rotated.mask().count(1)).isCloseTo(100, within(8));
    }

    @Test
    void elasticWithAlphaZeroIsTheIdentity() {
        Sample s = centredSquare(32, 10);
        assertThat(Augmentations.elastic(0, 4).apply(s, new SplittableRandom(1))).isSameAs(s);
    }

    @Test
    void elasticKeepsMaskAreaAndBinaryLabelsAndMovesPixelsAtMostAlpha() {
        Sample s = centredSquare(64, 24);
        Sample e = Augmentations.elastic(5, 6).apply(s, new SplittableRandom(11));
        assertThat(e.mask()).isNotEqualTo(s.mask());
        assertThat(e.mask().maxLabel()).isEqualTo(1);
        assertThat((double) e.mask().count(1)).isCloseTo(576, within(57.6));
        // no pixel moves further than alpha: everything within 5 px (plus rounding) of the square keeps its label
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int dOut = Math.max(Math.max(20 - y, y - 43), Math.max(20 - x, x - 43));
                if (dOut > 6) {
                    assertThat(e.mask().get(y, x)).isZero();
                } else if (y >= 26 && y <= 37 && x >= 26 && x <= 37) {
                    assertThat(e.mask().get(y, x)).isEqualTo(1);
                }
            }
        }
        assertThat(Augmentations.elastic(5, 6).apply(s, new SplittableRandom(11))).isEqualTo(e);
        assertThat(Augmentations.elastic(5, 6).apply(s, new SplittableRandom(12))).isNotEqualTo(e);
    }

    @Test
    void biasFieldKeepsTheMaskAndStaysWithinItsStrength() {
        Sample s = centredSquare(48, 16);
        double strength = 0.3;
        boolean changedSomething = false;
        for (long seed = 0; seed < 10; seed++) {
            Sample b = Augmentations.biasField(strength).apply(s, new SplittableRandom(seed));
            assertThat(b.mask()).isEqualTo(s.mask());
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (int y = 0; y < 48; y++) {
                for (int x = 0; x < 48; x++) {
                    double ratio = b.image().get(y, x) / s.image().get(y, x);
                    lo = Math.min(lo, ratio);
                    hi = Math.max(hi, ratio);
                }
            }
            assertThat(lo).isGreaterThanOrEqualTo(1 - strength - 1e-6);
            assertThat(hi).isLessThanOrEqualTo(1 + strength + 1e-6);
            changedSomething |= hi - lo > 0.05;
            // smooth: neighbouring pixels inside the flat square differ by far less than the field's span
            double left = b.image().get(24, 20) / 500.0;
            double right = b.image().get(24, 21) / 500.0;
            assertThat(Math.abs(left - right)).isLessThan(0.05);
        }
        assertThat(changedSomething).isTrue();
        assertThat(Augmentations.biasField(0).apply(s, new SplittableRandom(1))).isEqualTo(s);
    }

    @Test
    void brightnessShiftsTheMeanByTheDrawnFractionOfTheRange() {
        Sample s = centredSquare(32, 10);
        double range = 500 - 20; // gradient minimum 20 at (0, 0); square 500 is the maximum
        Sample fixed = Augmentations.brightness(0.1, 0.1).apply(s, new SplittableRandom(3));
        assertThat(mean(fixed.image()) - mean(s.image())).isCloseTo(0.1 * range, within(1e-3));
        double f = -0.2 + 0.4 * new SplittableRandom(3).nextDouble();
        Sample drawn = Augmentations.brightness(-0.2, 0.2).apply(s, new SplittableRandom(3));
        assertThat(mean(drawn.image()) - mean(s.image())).isCloseTo(f * range, within(1e-3));
        assertThat(drawn.mask()).isEqualTo(s.mask());
    }

    @Test
    void contrastKeepsTheMeanAndScalesTheSpreadByTheDrawnFactor() {
        Sample s = centredSquare(32, 10);
        double f = 0.5 + 1.0 * new SplittableRandom(8).nextDouble();
        Sample c = Augmentations.contrast(0.5, 1.5).apply(s, new SplittableRandom(8));
        assertThat(mean(c.image())).isCloseTo(mean(s.image()), within(1e-3));
        assertThat(std(c.image())).isCloseTo(f * std(s.image()), within(1e-3));
        assertThat(c.mask()).isEqualTo(s.mask());
    }

    @Test
    void centreCropCutsTheMiddleAndPadsASmallerImageWithItsMinimum() {
        Sample s = indexed(10, 10, 0, 1);
        Sample c = Augmentations.centreCrop(4, 4).apply(s, new SplittableRandom(0));
        assertThat(c.image().height()).isEqualTo(4);
        assertThat(c.image().width()).isEqualTo(4);
        assertThat(c.image().get(0, 0)).isEqualTo(33f); // rows/cols 3..6
        assertThat(c.image().get(3, 3)).isEqualTo(66f);
        assertThat(Augmentations.centreCrop(s, 5, 3).image().get(0, 0)).isEqualTo(23f); // top 2, left 3

        Sample small = indexed(10, 10, 5, 1);
        Sample padded = Augmentations.centreCrop(small, 14, 12); // top -2, left -1
        assertThat(padded.image().get(0, 0)).isEqualTo(5f);
        assertThat(padded.mask().get(0, 0)).isZero();
        assertThat(padded.image().get(3, 2)).isEqualTo(5f + 11);
        assertThat(padded.mask().get(3, 2)).isEqualTo(1);
        assertThat(padded.image().get(13, 11)).isEqualTo(5f);
        assertThat(padded.mask().count(1)).isEqualTo(100);
    }

    @Test
    void randomCropWindowsLieInsideTheImageAndDifferBySeed() {
        int h = 20;
        int w = 30;
        Sample s = indexed(h, w, 0, 1);
        Set<Integer> corners = new HashSet<>();
        for (long seed = 0; seed < 30; seed++) {
            Sample c = Augmentations.randomCrop(8, 8).apply(s, new SplittableRandom(seed));
            int v = (int) c.image().get(0, 0);
            int top = v / w;
            int left = v % w;
            assertThat(top + 8).isLessThanOrEqualTo(h);
            assertThat(left + 8).isLessThanOrEqualTo(w);
            assertThat(c).isEqualTo(Augmentations.crop(s, top, left, 8, 8));
            assertThat(c.mask().count(1)).isEqualTo(64);
            corners.add(v);
        }
        assertThat(corners.size()).isGreaterThan(10);
        // a window larger than the image keeps every pixel of it
        Sample big = Augmentations.randomCrop(24, 30).apply(s, new SplittableRandom(5));
        assertThat(big.mask().count(1)).isEqualTo(h * w);
    }

    @Test
    void sameSeedGivesTheSameSampleForEveryNewAugmentation() {
        Sample s = centredSquare(40, 12);
        List<Augmentation> all = List.of(Augmentations.elastic(3, 4), Augmentations.biasField(0.2),
                Augmentations.brightness(-0.1, 0.1), Augmentations.contrast(0.7, 1.3),
                Augmentations.randomCrop(30, 20), Augmentations.centreCrop(30, 20), Augmentations.rotate(20),
                Augmentations.scale(0.9, 1.1), Augmentations.translate(0.1));
        for (Augmentation a : all) {
            assertThat(a.apply(s, new SplittableRandom(42))).as(a.toString())
                    .isEqualTo(a.apply(s, new SplittableRandom(42)));
        }
    }

    @Test
    void invalidSettingsAreRefusedWithEveryProblemNamed() {
        assertThatThrownBy(() -> Augmentations.elastic(-1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alphaPixels").hasMessageContaining("sigmaPixels");
        assertThatThrownBy(() -> Augmentations.biasField(1)).hasMessageContaining("maxStrength");
        assertThatThrownBy(() -> Augmentations.brightness(0.2, 0.1)).hasMessageContaining("0.2");
        assertThatThrownBy(() -> Augmentations.contrast(0, 1)).hasMessageContaining("contrast");
        assertThatThrownBy(() -> Augmentations.randomCrop(0, 4)).hasMessageContaining("0x4");
        assertThatThrownBy(() -> Augmentations.rotate(200)).hasMessageContaining("200");
    }
}

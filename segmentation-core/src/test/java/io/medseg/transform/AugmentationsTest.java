package io.medseg.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import io.medseg.data.Sample;
import io.medseg.data.phantom.CardiacPhantom;
import io.medseg.testdata.TestMasks;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class AugmentationsTest {

    /** A bright square of label 1 on a dark gradient background. */
    private static Sample square(int h, int w, int top, int left, int size) {
        float[] px = new float[h * w];
        byte[] labels = new byte[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean in = y >= top && y < top + size && x >= left && x < left + size;
                px[y * w + x] = in ? 500f : 10f + x + 0.5f * y;
                labels[y * w + x] = (byte) (in ? 1 : 0);
            }
        }
        return new Sample("s", "p", Image.wrap(h, w, 1, px, new PixelSpacing(1.0, 2.0)), Mask.wrap(h, w, labels));
    }

    /** A disc of label {@code label} and intensity 1000 centred at (cy, cx) on background 100. */
    private static Sample disc(int n, double cy, double cx, double r, int label) {
        float[] px = new float[n * n];
        byte[] labels = new byte[n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                boolean in = Math.hypot(y - cy, x - cx) <= r;
                px[y * n + x] = in ? 1000f : 100f;
                labels[y * n + x] = (byte) (in ? label : 0);
            }
        }
        return new Sample("d", "p", Image.of(n, n, px), Mask.wrap(n, n, labels));
    }

    private static Sample phantom() {
        return CardiacPhantom.builder().patients(1).framesPerPatient(1).imageSize(64).seed(5).build().generate()
                .get(0);
    }

    @Test
    void horizontalFlipMovesCentroidToMirrorPosition() {
        Sample s = square(20, 30, 4, 3, 5); // centroid x = 5, y = 6
        Sample f = Augmentations.flip(s, true, false);
        double[] c = TestMasks.centroid(f.mask());
        assertThat(c[1]).isCloseTo(30 - 1 - 5.0, within(1e-9));
        assertThat(c[0]).isCloseTo(6.0, within(1e-9));
        assertThat(f.image().get(0, 0)).isEqualTo(s.image().get(0, 29));
        Sample v = Augmentations.flip(s, false, true);
        assertThat(TestMasks.centroid(v.mask())[0]).isCloseTo(20 - 1 - 6.0, within(1e-9));
        assertThat(Augmentations.flip(f, true, false)).isEqualTo(s);
    }

    @Test
    void flipsWithProbabilityOneAlwaysFlipAndZeroNever() {
        Sample s = square(20, 30, 4, 3, 5);
        RandomGenerator rng = new SplittableRandom(1);
        assertThat(Augmentations.flips(1, 1).apply(s, rng)).isEqualTo(Augmentations.flip(s, true, true));
        assertThat(Augmentations.flips(0, 0).apply(s, rng)).isEqualTo(s);
    }

    @Test
    void quarterTurnMapsKnownPixelsClockwiseAndSwapsSpacing() {
        Sample s = square(20, 30, 4, 3, 5);
        Sample r = Augmentations.rotate90(s, 1);
        assertThat(r.image().height()).isEqualTo(30);
        assertThat(r.image().width()).isEqualTo(20);
        // (y, x) -> (x, H - 1 - y): the top-left corner goes to the top-right
        assertThat(r.image().get(0, 19)).isEqualTo(s.image().get(0, 0));
        assertThat(r.image().get(7, 19 - 2)).isEqualTo(s.image().get(2, 7));
        assertThat(r.mask().get(3, 19 - 4)).isEqualTo(1);
        assertThat(r.image().spacing()).contains(new PixelSpacing(2.0, 1.0));
        assertThat(Augmentations.rotate90(s, 4)).isEqualTo(s);
        assertThat(Augmentations.rotate90(Augmentations.rotate90(s, 3), 1)).isEqualTo(s);
        assertThat(Augmentations.rotate90(s, -1)).isEqualTo(Augmentations.rotate90(s, 3));
        assertThat(Augmentations.rotate90(s, 2)).isEqualTo(Augmentations.flip(s, true, true));
    }

    @Test
    void randomQuarterTurnsKeepNonSquareShapeByHalfTurns() {
        Sample s = square(20, 30, 4, 3, 5);
        Augmentation a = Augmentations.rotate90(1.0);
        for (long seed = 0; seed < 10; seed++) {
            Sample r = a.apply(s, new SplittableRandom(seed));
            assertThat(r).isEqualTo(Augmentations.rotate90(s, 2));
        }
        Sample sq = square(16, 16, 1, 2, 4);
        Set<Sample> seen = new HashSet<>();
        for (long seed = 0; seed < 40; seed++) {
            seen.add(a.apply(sq, new SplittableRandom(seed)));
        }
        assertThat(seen).containsExactlyInAnyOrder(Augmentations.rotate90(sq, 1), Augmentations.rotate90(sq, 2),
                Augmentations.rotate90(sq, 3));
    }

    @Test
    void affineNinetyDegreesEqualsQuarterTurn() {
        Sample s = phantom();
        Sample affine = Augmentations.affine(s, 90, 1, 0, 0);
        Sample turned = Augmentations.rotate90(s, 1);
        assertThat(affine.mask()).isEqualTo(turned.mask());
        float[] a = affine.image().toArray();
        float[] b = turned.image().toArray();
        for (int i = 0; i < a.length; i++) {
            assertThat(a[i]).isCloseTo(b[i], within(1e-3f * Math.abs(b[i]) + 1e-3f));
        }
    }

    @Test
    void identityAffineChangesNothing() {
        Sample s = phantom();
        Sample a = Augmentations.affine(s, 0, 1, 0, 0);
        assertThat(a.mask()).isEqualTo(s.mask());
        assertThat(a.image().toArray()).containsExactly(s.image().toArray(), within(1e-3f));
    }

    @Test
    void shiftByWholePixelsMovesCentroidByThatMuch() {
        Sample s = disc(64, 30, 28, 8, 1);
        Sample moved = Augmentations.affine(s, 0, 1, 5, -3);
        double[] before = TestMasks.centroid(s.mask());
        double[] after = TestMasks.centroid(moved.mask());
        assertThat(after[1] - before[1]).isCloseTo(5, within(1e-9));
        assertThat(after[0] - before[0]).isCloseTo(-3, within(1e-9));
        assertThat(moved.mask().count(1)).isEqualTo(s.mask().count(1));
        // uncovered pixels take the image minimum
        assertThat(moved.image().get(0, 0)).isEqualTo(100f);
        assertThat(moved.image().get(63, 63)).isEqualTo(100f);
    }

    @Test
    void scaleChangesDiscAreaBySquareOfScale() {
        Sample s = disc(128, 63.5, 63.5, 20, 1);
        int area = s.mask().count(1);
        for (double scale : new double[] {0.8, 1.25, 1.5}) {
            int scaled = Augmentations.affine(s, 0, scale, 0, 0).mask().count(1);
            assertThat((double) scaled / area).as("scale %s", scale).isCloseTo(scale * scale,
                    within(0.04 * scale * scale));
        }
    }

    @Test
    void rotationAboutCentreKeepsCentredDiscAndLabels() {
        Sample s = disc(64, 31.5, 31.5, 12, 3);
        Sample r = Augmentations.affine(s, 33, 1, 0, 0);
        assertThat((double) r.mask().count(3) / s.mask().count(3)).isCloseTo(1.0, within(0.03));
        assertThat(r.mask().maxLabel()).isEqualTo(3);
        for (byte b : r.mask().toArray()) {
            assertThat(b).isIn((byte) 0, (byte) 3);
        }
    }

    @Test
    void gammaKeepsMinimumAndMaximumAndOrder() {
        Sample s = phantom();
        float[] before = s.image().toArray();
        float[] after = Augmentations.gamma(s, 0.6).image().toArray();
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        float lo2 = Float.MAX_VALUE;
        float hi2 = -Float.MAX_VALUE;
        for (int i = 0; i < before.length; i++) {
            lo = Math.min(lo, before[i]);
            hi = Math.max(hi, before[i]);
            lo2 = Math.min(lo2, after[i]);
            hi2 = Math.max(hi2, after[i]);
        }
        assertThat(lo2).isEqualTo(lo);
        assertThat(hi2).isEqualTo(hi);
        for (int i = 0; i < before.length; i++) {
            for (int j = i + 1; j < Math.min(before.length, i + 50); j++) {
                if (before[i] < before[j]) {
                    assertThat(after[i]).isLessThanOrEqualTo(after[j]);
                }
            }
        }
        // gamma < 1 brightens the mid-tones: by hand, the middle value maps to lo + (hi - lo) * 0.5^0.6
        Sample three = new Sample("g", "p", Image.of(1, 3, new float[] {10, 60, 110}), Mask.empty(1, 3));
        assertThat(Augmentations.gamma(three, 0.6).image().get(0, 1))
                .isCloseTo((float) (10 + 100 * Math.pow(0.5, 0.6)), within(1e-3f));
    }

    @Test
    void gammaMatchesTheFormulaOnEveryPixel() {
        float[] px = new float[5001];
        for (int i = 0; i < px.length; i++) {
            px[i] = 3f + i * 0.37f;
        }
        Sample ramp = new Sample("r", "p", Image.of(1, px.length, px), Mask.empty(1, px.length));
        double lo = px[0];
        double range = (double) px[px.length - 1] - lo;
        for (double g : new double[] {0.2, 0.7, 1.0, 1.5, 4.0}) {
            float[] out = Augmentations.gamma(ramp, g).image().toArray();
            for (int i = 0; i < px.length; i++) {
                double expected = lo + range * Math.pow((px[i] - lo) / range, g);
                assertThat((double) out[i]).as("gamma %s at %s", g, px[i]).isCloseTo(expected,
                        within(1e-4 * range));
            }
        }
    }

    @Test
    void gammaDoesNotDependOnIntensityScale() {
        Sample s = phantom();
        float[] px = s.image().toArray();
        float[] scaled = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            scaled[i] = px[i] * 8f; // exact in binary floating point
        }
        Sample big = new Sample("b", "p", Image.of(64, 64, scaled), s.mask());
        float[] g = Augmentations.gamma(s, 1.4).image().toArray();
        float[] gBig = Augmentations.gamma(big, 1.4).image().toArray();
        for (int i = 0; i < px.length; i++) {
            assertThat(gBig[i]).isCloseTo(8 * g[i], within(1e-4f * Math.abs(8 * g[i]) + 1e-3f));
        }
    }

    @Test
    void intensityScaleMultipliesByOneFactorInRange() {
        Sample s = disc(16, 8, 8, 3, 1);
        Sample out = Augmentations.intensityScale(0.5, 2).apply(s, new SplittableRandom(3));
        double factor = out.image().get(0, 0) / 100.0;
        assertThat(factor).isBetween(0.5, 2.0);
        assertThat(out.image().get(8, 8)).isCloseTo((float) (1000 * factor), within(1e-2f));
        assertThat(out.mask()).isEqualTo(s.mask());
    }

    @Test
    void gaussianNoiseStaysWithinItsFractionOfTheRange() {
        Sample s = disc(128, 64, 64, 30, 1);
        Sample noisy = Augmentations.gaussianNoise(0.05).apply(s, new SplittableRandom(11));
        float[] a = s.image().toArray();
        float[] b = noisy.image().toArray();
        double sq = 0;
        for (int i = 0; i < a.length; i++) {
            sq += (b[i] - a[i]) * (double) (b[i] - a[i]);
        }
        double sd = Math.sqrt(sq / a.length);
        assertThat(sd).isGreaterThan(0).isLessThan(0.05 * 900 * 1.05);
        assertThat(noisy.mask()).isEqualTo(s.mask());
    }

    @Test
    void sameSeedSameResultAndOtherSeedDifferent() {
        Sample s = phantom();
        Augmentation a = Augmentations.cardiac();
        Sample one = a.apply(s, new SplittableRandom(42));
        Sample two = a.apply(s, new SplittableRandom(42));
        assertThat(one).isEqualTo(two);
        Set<Sample> distinct = new HashSet<>();
        for (long seed = 0; seed < 8; seed++) {
            distinct.add(a.apply(s, new SplittableRandom(seed)));
        }
        assertThat(distinct.size()).isGreaterThanOrEqualTo(7);
    }

    @Test
    void cardiacRecipeKeepsMasksBinaryAndShapesIntact() {
        Sample s = phantom();
        Augmentation a = Augmentations.cardiac();
        SplittableRandom rng = new SplittableRandom(9);
        int lv = s.mask().count(1);
        for (int i = 0; i < 50; i++) {
            Sample out = a.apply(s, rng);
            assertThat(out.id()).isEqualTo(s.id());
            assertThat(out.image().shapeString()).isEqualTo("64x64x1");
            assertThat(out.mask().maxLabel()).isLessThanOrEqualTo(1);
            // scale 0.85..1.15 changes the area by at most 0.72..1.32, plus rasterisation
            assertThat((double) out.mask().count(1) / lv).isBetween(0.6, 1.45);
        }
    }

    @Test
    void probabilityAndComposeBehaveAsStated() {
        Sample s = square(16, 16, 1, 2, 4);
        RandomGenerator rng = new SplittableRandom(0);
        Augmentation turn = (x, r) -> Augmentations.rotate90(x, 1);
        assertThat(Augmentations.probability(0, turn).apply(s, rng)).isEqualTo(s);
        assertThat(Augmentations.probability(1, turn).apply(s, rng)).isEqualTo(Augmentations.rotate90(s, 1));
        assertThat(Augmentations.compose(turn, turn, turn).apply(s, rng)).isEqualTo(Augmentations.rotate90(s, 3));
        int applied = 0;
        for (int i = 0; i < 2000; i++) {
            if (!Augmentations.probability(0.3, turn).apply(s, rng).equals(s)) {
                applied++;
            }
        }
        assertThat(applied / 2000.0).isCloseTo(0.3, within(0.04));
    }

    @Test
    void invalidSettingsAreRejectedWithTheValue() {
        assertThatThrownBy(() -> Augmentations.flips(1.5, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pHorizontal").hasMessageContaining("1.5");
        assertThatThrownBy(() -> Augmentations.affine(-1, 1.2, 0.9, 2))
                .hasMessageContaining("maxRotationDegrees must be in [0, 180]: -1")
                .hasMessageContaining("1.2, 0.9").hasMessageContaining("maxShiftFraction");
        assertThatThrownBy(() -> Augmentations.gamma(0, 1)).hasMessageContaining("gamma range");
        assertThatThrownBy(() -> Augmentations.gaussianNoise(-0.1)).hasMessageContaining("-0.1");
        assertThatThrownBy(() -> Augmentations.compose(Augmentation.none(), null))
                .hasMessageContaining("augmentation 1 of 2 is null");
        assertThat(Augmentations.affine(15, 0.85, 1.15, 0.08).toString()).contains("maxRotationDegrees=15.0");
    }
}

package io.medseg.transform;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import io.medseg.data.Sample;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Seeded, composable {@link Augmentation}s for 2D segmentation samples, and the deterministic transforms they are
 * made of (useful on their own, for example for test-time augmentation).
 *
 * <pre>{@code
 * Augmentation aug = Augmentations.compose(
 *         Augmentations.flips(0.5, 0.5),
 *         Augmentations.probability(0.8, Augmentations.affine(15, 0.9, 1.1, 0.05)),
 *         Augmentations.gamma(0.7, 1.5));
 * Sample augmented = aug.apply(sample, new SplittableRandom(seed));
 * }</pre>
 *
 * <p>Geometry: image and mask always move together; images are interpolated bilinearly, masks by nearest
 * neighbour, so a mask only ever holds labels it held before. Rotations turn clockwise as seen on screen
 * (row 0 at the top). Pixel spacing is kept as it is, except that quarter turns swap row and column spacing;
 * scaling changes the effective spacing, which is deliberately ignored (the network sees pixels, and scale
 * augmentation exists to teach it size variation).
 *
 * <p>Intensity: only the image changes. Every random choice is drawn from the generator passed to
 * {@link Augmentation#apply}, so the same generator state gives the same sample. The returned augmentations are
 * records, so their {@code toString} states their settings (handy in logs and provenance).
 */
public final class Augmentations {
    private static final int GAMMA_TABLE = 4096;

    private Augmentations() {
    }

    // ---------------------------------------------------------------- random augmentations

    /** Applies {@code steps} in order. */
    public static Augmentation compose(Augmentation... steps) {
        for (int i = 0; i < steps.length; i++) {
            if (steps[i] == null) {
                throw new IllegalArgumentException("augmentation " + i + " of " + steps.length + " is null");
            }
        }
        return new Compose(List.of(steps));
    }

    /** Applies {@code augmentation} with probability {@code p}, otherwise leaves the sample unchanged. */
    public static Augmentation probability(double p, Augmentation augmentation) {
        checkProbability("p", p);
        if (augmentation == null) {
            throw new IllegalArgumentException("augmentation must not be null");
        }
        return new Probability(p, augmentation);
    }

    /** Flips left-right with probability {@code pHorizontal} and, independently, up-down with {@code pVertical}. */
    public static Augmentation flips(double pHorizontal, double pVertical) {
        checkProbability("pHorizontal", pHorizontal);
        checkProbability("pVertical", pVertical);
        return new Flips(pHorizontal, pVertical);
    }

    /**
     * With probability {@code p}, turns the sample by 1, 2 or 3 quarter turns (equally likely); with
     * {@code p = 0.75} all four orientations are equally likely. A non-square sample can only be turned by a half
     * turn without changing its shape, so it is turned by 180 degrees or not at all.
     */
    public static Augmentation rotate90(double p) {
        checkProbability("p", p);
        return new Rotate90(p);
    }

    /**
     * One random similarity transform about the image centre, resampled once: a rotation uniform in
     * {@code ±maxRotationDegrees}, a scale log-uniform in {@code minScale..maxScale} (so zooming in and out are
     * equally likely; above 1 enlarges the content) and a shift uniform in {@code ±maxShiftFraction} of the width
     * and height. See {@link #affine(Sample, double, double, double, double)} for how edges are filled.
     */
    public static Augmentation affine(double maxRotationDegrees, double minScale, double maxScale,
            double maxShiftFraction) {
        StringBuilder p = new StringBuilder();
        if (!(maxRotationDegrees >= 0 && maxRotationDegrees <= 180)) {
            p.append("; maxRotationDegrees must be in [0, 180]: ").append(maxRotationDegrees);
        }
        if (!(minScale > 0 && minScale <= maxScale && Double.isFinite(maxScale))) {
            p.append("; scales must satisfy 0 < minScale <= maxScale: ").append(minScale).append(", ")
                    .append(maxScale);
        }
        if (!(maxShiftFraction >= 0 && maxShiftFraction <= 1)) {
            p.append("; maxShiftFraction must be in [0, 1]: ").append(maxShiftFraction);
        }
        if (p.length() > 0) {
            throw new IllegalArgumentException("invalid affine augmentation: " + p.substring(2));
        }
        return new Affine(maxRotationDegrees, minScale, maxScale, maxShiftFraction);
    }

    /**
     * Gamma correction with an exponent log-uniform in {@code min..max}, applied after mapping the image's own
     * minimum..maximum to 0..1 and mapped back afterwards: the minimum and maximum stay where they are, the order
     * of intensities is kept, and the result does not depend on the scanner's intensity scale.
     */
    public static Augmentation gamma(double min, double max) {
        checkRange("gamma", min, max);
        return new Gamma(min, max);
    }

    /** Multiplies the image by a factor uniform in {@code min..max} (a scanner gain). */
    public static Augmentation intensityScale(double min, double max) {
        checkRange("intensity scale", min, max);
        return new IntensityScale(min, max);
    }

    /**
     * Adds Gaussian noise whose standard deviation is uniform in {@code 0..maxSigmaFraction} times the image's
     * intensity range (maximum minus minimum), so it is independent of the intensity scale.
     */
    public static Augmentation gaussianNoise(double maxSigmaFraction) {
        if (!(maxSigmaFraction >= 0 && maxSigmaFraction <= 1)) {
            throw new IllegalArgumentException("maxSigmaFraction must be in [0, 1]: " + maxSigmaFraction);
        }
        return new GaussianNoise(maxSigmaFraction);
    }

    /**
     * The default recipe for short-axis cardiac MRI, where the heart may appear in any orientation and at varying
     * size and contrast: random flips and quarter turns (all eight orientations), then with probability 0.8 an
     * affine with rotation ±15°, scale 0.85..1.15 and shift up to 8 % of the size, with probability 0.5 a gamma of
     * 0.7..1.5, and with probability 0.3 noise of up to 2 % of the intensity range.
     */
    public static Augmentation cardiac() {
        return compose(
                flips(0.5, 0.0),
                rotate90(0.75),
                probability(0.8, affine(15, 0.85, 1.15, 0.08)),
                probability(0.5, gamma(0.7, 1.5)),
                probability(0.3, gaussianNoise(0.02)));
    }

    // ---------------------------------------------------------------- deterministic transforms

    /** Mirrors the sample left-right ({@code horizontal}) and/or up-down ({@code vertical}). */
    public static Sample flip(Sample sample, boolean horizontal, boolean vertical) {
        if (!horizontal && !vertical) {
            return sample;
        }
        Image img = sample.image();
        int h = img.height();
        int w = img.width();
        int c = img.channels();
        float[] src = img.toArray();
        float[] dst = new float[src.length];
        byte[] lsrc = sample.mask().toArray();
        byte[] ldst = new byte[lsrc.length];
        for (int y = 0; y < h; y++) {
            int sy = vertical ? h - 1 - y : y;
            for (int x = 0; x < w; x++) {
                int sx = horizontal ? w - 1 - x : x;
                copyPixel(src, (sy * w + sx) * c, dst, (y * w + x) * c, c);
                ldst[y * w + x] = lsrc[sy * w + sx];
            }
        }
        return rebuild(sample, h, w, c, dst, ldst, img.spacing().orElse(null));
    }

    /**
     * Turns the sample clockwise (as seen on screen) by {@code quarterTurns} times 90 degrees; any integer,
     * negative turns counter-clockwise. One quarter turn of an {@code H x W} sample gives a {@code W x H} one in
     * which pixel {@code (y, x)} moves to {@code (x, H - 1 - y)}; row and column spacing swap.
     */
    public static Sample rotate90(Sample sample, int quarterTurns) {
        int k = Math.floorMod(quarterTurns, 4);
        if (k == 0) {
            return sample;
        }
        Image img = sample.image();
        int h = img.height();
        int w = img.width();
        int c = img.channels();
        int oh = k % 2 == 0 ? h : w;
        int ow = k % 2 == 0 ? w : h;
        float[] src = img.toArray();
        float[] dst = new float[src.length];
        byte[] lsrc = sample.mask().toArray();
        byte[] ldst = new byte[lsrc.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int ny;
                int nx;
                switch (k) {
                    case 1 -> {
                        ny = x;
                        nx = h - 1 - y;
                    }
                    case 2 -> {
                        ny = h - 1 - y;
                        nx = w - 1 - x;
                    }
                    default -> {
                        ny = w - 1 - x;
                        nx = y;
                    }
                }
                copyPixel(src, (y * w + x) * c, dst, (ny * ow + nx) * c, c);
                ldst[ny * ow + nx] = lsrc[y * w + x];
            }
        }
        PixelSpacing spacing = img.spacing().orElse(null);
        if (spacing != null && k % 2 == 1) {
            spacing = new PixelSpacing(spacing.colMm(), spacing.rowMm());
        }
        return rebuild(sample, oh, ow, c, dst, ldst, spacing);
    }

    /**
     * Rotates by {@code rotationDegrees} (clockwise on screen) and scales by {@code scale} about the image centre,
     * then shifts by {@code (shiftX, shiftY)} pixels (positive: right and down), in one resampling. Output pixels
     * whose source lies within half a pixel of the image take the bilinearly interpolated (edge-clamped) value;
     * those further out take the image minimum of each channel, which in MRI is the air-like background. Mask
     * pixels take the label of the nearest source pixel, background outside.
     */
    public static Sample affine(Sample sample, double rotationDegrees, double scale, double shiftX, double shiftY) {
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("scale must be positive and finite: " + scale);
        }
        if (!Double.isFinite(rotationDegrees) || !Double.isFinite(shiftX) || !Double.isFinite(shiftY)) {
            throw new IllegalArgumentException("rotation and shift must be finite: " + rotationDegrees + ", "
                    + shiftX + ", " + shiftY);
        }
        Image img = sample.image();
        int h = img.height();
        int w = img.width();
        int c = img.channels();
        float[] src = img.toArray();
        byte[] lsrc = sample.mask().toArray();
        float[] fill = channelMinima(src, c);
        float[] dst = new float[src.length];
        byte[] ldst = new byte[lsrc.length];

        // inverse map: source = centre + R(-theta) (target - centre - shift) / scale
        double theta = Math.toRadians(rotationDegrees);
        double cos = Math.cos(theta) / scale;
        double sin = Math.sin(theta) / scale;
        double cx = (w - 1) / 2.0;
        double cy = (h - 1) / 2.0;
        double maxX = w - 1;
        double maxY = h - 1;
        for (int y = 0; y < h; y++) {
            double ty = y - cy - shiftY;
            double tx0 = -cx - shiftX;
            // source x/y are linear in x, so step them instead of recomputing
            double sx = cx + cos * tx0 + sin * ty;
            double sy = cy - sin * tx0 + cos * ty;
            for (int x = 0; x < w; x++, sx += cos, sy -= sin) {
                int out = y * w + x;
                if (sx < -0.5 || sy < -0.5 || sx >= w - 0.5 || sy >= h - 0.5) {
                    System.arraycopy(fill, 0, dst, out * c, c);
                    continue; // mask stays background
                }
                // sx, sy >= -0.5 here, so truncation is the floor of the rounded value
                ldst[out] = lsrc[(int) (sy + 0.5) * w + (int) (sx + 0.5)];
                double px = sx < 0 ? 0 : (sx > maxX ? maxX : sx);
                double py = sy < 0 ? 0 : (sy > maxY ? maxY : sy);
                int x0 = (int) px;
                int y0 = (int) py;
                int x1 = Math.min(x0 + 1, w - 1);
                int y1 = Math.min(y0 + 1, h - 1);
                double fx = px - x0;
                double fy = py - y0;
                if (c == 1) {
                    float v00 = src[y0 * w + x0];
                    float v01 = src[y0 * w + x1];
                    float v10 = src[y1 * w + x0];
                    float v11 = src[y1 * w + x1];
                    double top = v00 + fx * (v01 - v00);
                    double bottom = v10 + fx * (v11 - v10);
                    dst[out] = (float) (top + fy * (bottom - top));
                    continue;
                }
                int i00 = (y0 * w + x0) * c;
                int i01 = (y0 * w + x1) * c;
                int i10 = (y1 * w + x0) * c;
                int i11 = (y1 * w + x1) * c;
                for (int ch = 0; ch < c; ch++) {
                    double top = src[i00 + ch] + fx * (src[i01 + ch] - src[i00 + ch]);
                    double bottom = src[i10 + ch] + fx * (src[i11 + ch] - src[i10 + ch]);
                    dst[out * c + ch] = (float) (top + fy * (bottom - top));
                }
            }
        }
        return rebuild(sample, h, w, c, dst, ldst, img.spacing().orElse(null));
    }

    /** Applies gamma {@code gamma} to the image after mapping its minimum..maximum to 0..1, and maps back. */
    public static Sample gamma(Sample sample, double gamma) {
        if (!(gamma > 0) || !Double.isFinite(gamma)) {
            throw new IllegalArgumentException("gamma must be positive and finite: " + gamma);
        }
        float[] px = sample.image().toArray();
        float[] bounds = minMax(px);
        float lo = bounds[0];
        float hi = bounds[1];
        double range = (double) hi - lo;
        if (!(range > 0)) {
            return sample;
        }
        // a table of t^gamma, linearly interpolated: Math.pow per pixel would dominate the cost of a whole
        // augmentation chain. Near 0, where t^gamma (gamma < 1) is too steep for the table, pow is exact; elsewhere
        // the table is within 1e-4 of the range, far below image noise. Interpolating between increasing samples
        // keeps the mapping monotonic.
        double[] table = new double[GAMMA_TABLE + 1];
        for (int i = 0; i <= GAMMA_TABLE; i++) {
            table[i] = Math.pow((double) i / GAMMA_TABLE, gamma);
        }
        double toTable = GAMMA_TABLE / range;
        for (int i = 0; i < px.length; i++) {
            double t = (px[i] - (double) lo) * toTable;
            if (t <= 0) {
                px[i] = lo;
            } else if (t >= GAMMA_TABLE) {
                // the extremes are pinned exactly so that rounding cannot move the image's range
                px[i] = hi;
            } else if (t < 16) {
                px[i] = (float) (lo + range * Math.pow(t / GAMMA_TABLE, gamma));
            } else {
                int k = (int) t;
                double f = t - k;
                double g = table[k] + f * (table[k + 1] - table[k]);
                px[i] = (float) (lo + range * g);
            }
        }
        return withPixels(sample, px);
    }

    // ---------------------------------------------------------------- implementations

    private record Compose(List<Augmentation> steps) implements Augmentation {
        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            Sample s = sample;
            for (Augmentation a : steps) {
                s = a.apply(s, random);
            }
            return s;
        }
    }

    private record Probability(double p, Augmentation augmentation) implements Augmentation {
        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            return random.nextDouble() < p ? augmentation.apply(sample, random) : sample;
        }
    }

    private record Flips(double pHorizontal, double pVertical) implements Augmentation {
        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            boolean h = random.nextDouble() < pHorizontal;
            boolean v = random.nextDouble() < pVertical;
            return flip(sample, h, v);
        }
    }

    private record Rotate90(double p) implements Augmentation {
        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            if (!(random.nextDouble() < p)) {
                return sample;
            }
            boolean square = sample.image().height() == sample.image().width();
            return rotate90(sample, square ? 1 + random.nextInt(3) : 2);
        }
    }

    private record Affine(double maxRotationDegrees, double minScale, double maxScale, double maxShiftFraction)
            implements Augmentation {
        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            double rotation = maxRotationDegrees * (2 * random.nextDouble() - 1);
            double scale = Math.exp(logUniform(random, minScale, maxScale));
            double shiftX = maxShiftFraction * sample.image().width() * (2 * random.nextDouble() - 1);
            double shiftY = maxShiftFraction * sample.image().height() * (2 * random.nextDouble() - 1);
            return affine(sample, rotation, scale, shiftX, shiftY);
        }
    }

    private record Gamma(double min, double max) implements Augmentation {
        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            return gamma(sample, Math.exp(logUniform(random, min, max)));
        }
    }

    private record IntensityScale(double min, double max) implements Augmentation {
        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            double f = min + (max - min) * random.nextDouble();
            float[] px = sample.image().toArray();
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) (px[i] * f);
            }
            return withPixels(sample, px);
        }
    }

    private record GaussianNoise(double maxSigmaFraction) implements Augmentation {
        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            double fraction = maxSigmaFraction * random.nextDouble();
            float[] px = sample.image().toArray();
            float[] bounds = minMax(px);
            double sigma = fraction * ((double) bounds[1] - bounds[0]);
            if (!(sigma > 0)) {
                return sample;
            }
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) (px[i] + sigma * random.nextGaussian());
            }
            return withPixels(sample, px);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void copyPixel(float[] src, int from, float[] dst, int to, int channels) {
        if (channels == 1) {
            dst[to] = src[from];
        } else {
            System.arraycopy(src, from, dst, to, channels);
        }
    }

    private static double logUniform(RandomGenerator random, double min, double max) {
        double lo = Math.log(min);
        return lo + (Math.log(max) - lo) * random.nextDouble();
    }

    private static float[] channelMinima(float[] px, int c) {
        float[] min = new float[c];
        Arrays.fill(min, Float.POSITIVE_INFINITY);
        for (int base = 0; base < px.length; base += c) {
            for (int ch = 0; ch < c; ch++) {
                if (px[base + ch] < min[ch]) {
                    min[ch] = px[base + ch];
                }
            }
        }
        return min;
    }

    private static Sample rebuild(Sample s, int h, int w, int c, float[] pixels, byte[] labels,
            PixelSpacing spacing) {
        return new Sample(s.id(), s.patientId(), Image.wrap(h, w, c, pixels, spacing), Mask.wrap(h, w, labels));
    }

    private static Sample withPixels(Sample s, float[] pixels) {
        Image img = s.image();
        return new Sample(s.id(), s.patientId(),
                Image.wrap(img.height(), img.width(), img.channels(), pixels, img.spacing().orElse(null)),
                s.mask());
    }

    private static void checkProbability(String name, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(name + " must be a probability in [0, 1]: " + p);
        }
    }

    private static void checkRange(String what, double min, double max) {
        if (!(min > 0 && min <= max && Double.isFinite(max))) {
            throw new IllegalArgumentException(what + " range must satisfy 0 < min <= max: " + min + ", " + max);
        }
    }

    /** {min, max} of the values. */
    private static float[] minMax(float[] px) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : px) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        return new float[] {lo, hi};
    }
}

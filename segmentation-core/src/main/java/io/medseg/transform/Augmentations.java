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
 * Crops give the sample the window's height and width, padding with the image minimum where the window reaches
 * outside.
 *
 * <p>Intensity: only the image changes. Every random choice is drawn from the generator passed to
 * {@link Augmentation#apply}, so the same generator state gives the same sample. The returned augmentations are
 * records that check their settings on construction, so their {@code toString} states those settings and their
 * JSON form (see {@link Augmentation}) rebuilds the same augmentation.
 */
public final class Augmentations {
    private static final int GAMMA_TABLE = 4096;

    private Augmentations() {
    }

    // ---------------------------------------------------------------- random augmentations

    /** Applies {@code steps} in order. */
    public static Augmentation compose(Augmentation... steps) {
        return new Compose(Arrays.asList(steps));
    }

    /** Applies {@code augmentation} with probability {@code p}, otherwise leaves the sample unchanged. */
    public static Augmentation probability(double p, Augmentation augmentation) {
        return new Probability(p, augmentation);
    }

    /** Flips left-right with probability {@code pHorizontal} and, independently, up-down with {@code pVertical}. */
    public static Augmentation flips(double pHorizontal, double pVertical) {
        return new Flips(pHorizontal, pVertical);
    }

    /**
     * With probability {@code p}, turns the sample by 1, 2 or 3 quarter turns (equally likely); with
     * {@code p = 0.75} all four orientations are equally likely. A non-square sample can only be turned by a half
     * turn without changing its shape, so it is turned by 180 degrees or not at all.
     */
    public static Augmentation rotate90(double p) {
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
        return new Affine(maxRotationDegrees, minScale, maxScale, maxShiftFraction);
    }

    /**
     * Gamma correction with an exponent log-uniform in {@code min..max}, applied after mapping the image's own
     * minimum..maximum to 0..1 and mapped back afterwards: the minimum and maximum stay where they are, the order
     * of intensities is kept, and the result does not depend on the scanner's intensity scale.
     */
    public static Augmentation gamma(double min, double max) {
        return new Gamma(min, max);
    }

    /** Multiplies the image by a factor uniform in {@code min..max} (a scanner gain). */
    public static Augmentation intensityScale(double min, double max) {
        return new IntensityScale(min, max);
    }

    /**
     * Adds Gaussian noise whose standard deviation is uniform in {@code 0..maxSigmaFraction} times the image's
     * intensity range (maximum minus minimum), so it is independent of the intensity scale.
     */
    public static Augmentation gaussianNoise(double maxSigmaFraction) {
        return new GaussianNoise(maxSigmaFraction);
    }

    /** Rotation only: {@link #affine(double, double, double, double)} with {@code ±maxDegrees}, no scale or shift. */
    public static Augmentation rotate(double maxDegrees) {
        return affine(maxDegrees, 1, 1, 0);
    }

    /** Scaling only: {@link #affine(double, double, double, double)} with a scale log-uniform in {@code min..max}. */
    public static Augmentation scale(double min, double max) {
        return affine(0, min, max, 0);
    }

    /** Shift only: {@link #affine(double, double, double, double)} with up to {@code ±maxFraction} of the size. */
    public static Augmentation translate(double maxFraction) {
        return affine(0, 1, 1, maxFraction);
    }

    /**
     * Elastic deformation (Simard et al. 2003): each pixel's displacement in x and y is drawn uniform in -1..1,
     * both fields are smoothed by a Gaussian of standard deviation {@code sigmaPixels}, and then scaled so that the
     * largest displacement is exactly {@code alphaPixels} pixels (so {@code alpha} means the same at every sigma,
     * unlike the paper's unnormalised alpha). The sample is resampled once, with the edge rules of
     * {@link #affine(Sample, double, double, double, double)}. {@code alphaPixels = 0} leaves the sample unchanged.
     * Typical values: sigma 4..10 % of the size, alpha about one to two sigmas.
     */
    public static Augmentation elastic(double alphaPixels, double sigmaPixels) {
        return new Elastic(alphaPixels, sigmaPixels);
    }

    /**
     * A smooth multiplicative intensity field, like the coil-sensitivity bias of MRI: the image is multiplied by
     * {@code exp(p(u, v))}, where {@code p} is a quadratic polynomial in the normalised coordinates
     * {@code u, v} in -1..1 with coefficients uniform in -1..1, rescaled so that its largest magnitude over the
     * image is {@code log(1 + t)} for a strength {@code t} uniform in {@code 0..maxStrength}. The field therefore
     * stays within {@code [1/(1 + t), 1 + t]}, inside {@code [1 - maxStrength, 1 + maxStrength]}. The mask is
     * unchanged.
     */
    public static Augmentation biasField(double maxStrength) {
        return new BiasField(maxStrength);
    }

    /**
     * Adds {@code f} times the image's intensity range (maximum minus minimum) to every pixel, {@code f} uniform in
     * {@code min..max} (negative darkens); a constant image is left unchanged.
     */
    public static Augmentation brightness(double min, double max) {
        return new Brightness(min, max);
    }

    /**
     * Scales every pixel's distance from the image mean (per channel) by a factor uniform in {@code min..max}:
     * below 1 flattens, above 1 stretches, and the mean stays where it is.
     */
    public static Augmentation contrast(double min, double max) {
        return new Contrast(min, max);
    }

    /**
     * Cuts a {@code height x width} window at a uniformly random position inside the sample. Along a side where the
     * sample is smaller than the window, the sample is placed at a random position inside the window instead, and
     * the rest is padded as in {@link #crop}.
     */
    public static Augmentation randomCrop(int height, int width) {
        return new RandomCrop(height, width);
    }

    /** The centred {@code height x width} window; see {@link #centreCrop(Sample, int, int)}. */
    public static Augmentation centreCrop(int height, int width) {
        return new CentreCrop(height, width);
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
        int h = sample.image().height();
        int w = sample.image().width();
        double[] srcX = new double[h * w];
        double[] srcY = new double[h * w];

        // inverse map: source = centre + R(-theta) (target - centre - shift) / scale
        double theta = Math.toRadians(rotationDegrees);
        double cos = Math.cos(theta) / scale;
        double sin = Math.sin(theta) / scale;
        double cx = (w - 1) / 2.0;
        double cy = (h - 1) / 2.0;
        for (int y = 0; y < h; y++) {
            double ty = y - cy - shiftY;
            double tx0 = -cx - shiftX;
            // source x/y are linear in x, so step them instead of recomputing
            double sx = cx + cos * tx0 + sin * ty;
            double sy = cy - sin * tx0 + cos * ty;
            for (int x = 0; x < w; x++, sx += cos, sy -= sin) {
                srcX[y * w + x] = sx;
                srcY[y * w + x] = sy;
            }
        }
        return remap(sample, srcX, srcY);
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

    /** Multiplies every image intensity by {@code factor}. */
    public static Sample intensityScale(Sample sample, double factor) {
        if (!(factor > 0) || !Double.isFinite(factor)) {
            throw new IllegalArgumentException("intensity scale must be positive and finite: " + factor);
        }
        float[] px = sample.image().toArray();
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) (px[i] * factor);
        }
        return withPixels(sample, px);
    }

    /**
     * Adds independent Gaussian noise to every image value, of standard deviation {@code sigmaFraction} times the
     * image's intensity range (maximum minus minimum, over all channels), drawn from {@code random}.
     */
    public static Sample gaussianNoise(Sample sample, double sigmaFraction, RandomGenerator random) {
        if (!(sigmaFraction >= 0 && sigmaFraction <= 1)) {
            throw new IllegalArgumentException("noise sigma fraction must be in [0, 1]: " + sigmaFraction);
        }
        float[] px = sample.image().toArray();
        float[] bounds = minMax(px);
        double sigma = sigmaFraction * ((double) bounds[1] - bounds[0]);
        if (!(sigma > 0)) {
            return sample;
        }
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) (px[i] + sigma * random.nextGaussian());
        }
        return withPixels(sample, px);
    }

    /**
     * Blurs each image channel with a Gaussian of standard deviation {@code sigmaPixels} (kernel radius
     * ceil(3 sigma), separable, edges clamped); the mask is kept.
     */
    public static Sample gaussianBlur(Sample sample, double sigmaPixels) {
        if (!(sigmaPixels > 0 && sigmaPixels <= 1000)) {
            throw new IllegalArgumentException("blur sigma must be in (0, 1000] pixels: " + sigmaPixels);
        }
        Image img = sample.image();
        int h = img.height();
        int w = img.width();
        int c = img.channels();
        float[] px = img.toArray();
        double[] kernel = gaussianKernel(sigmaPixels);
        double[] plane = new double[h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < plane.length; i++) {
                plane[i] = px[i * c + ch];
            }
            blur(plane, h, w, kernel);
            for (int i = 0; i < plane.length; i++) {
                px[i * c + ch] = (float) plane[i];
            }
        }
        return withPixels(sample, px);
    }

    /**
     * The {@code height x width} window whose top-left corner is at {@code (top, left)} of the sample; the window
     * may reach outside the sample (negative {@code top}/{@code left} included), where image pixels take the
     * minimum of each channel (the air-like background, as in {@link #affine(Sample, double, double, double,
     * double)}) and mask pixels background. Pixel spacing is kept.
     */
    public static Sample crop(Sample sample, int top, int left, int height, int width) {
        checkSize(height, width);
        Image img = sample.image();
        int h = img.height();
        int w = img.width();
        int c = img.channels();
        float[] src = img.toArray();
        byte[] lsrc = sample.mask().toArray();
        float[] fill = channelMinima(src, c);
        float[] dst = new float[height * width * c];
        byte[] ldst = new byte[height * width];
        for (int y = 0; y < height; y++) {
            int sy = top + y;
            for (int x = 0; x < width; x++) {
                int sx = left + x;
                int out = y * width + x;
                if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
                    System.arraycopy(fill, 0, dst, out * c, c);
                } else {
                    copyPixel(src, (sy * w + sx) * c, dst, out * c, c);
                    ldst[out] = lsrc[sy * w + sx];
                }
            }
        }
        return rebuild(sample, height, width, c, dst, ldst, img.spacing().orElse(null));
    }

    /**
     * The centred {@code height x width} window: its top-left corner is at {@code floorDiv(H - height, 2)},
     * {@code floorDiv(W - width, 2)}, so a sample smaller than the window ends up centred in padding (see
     * {@link #crop}).
     */
    public static Sample centreCrop(Sample sample, int height, int width) {
        return crop(sample, Math.floorDiv(sample.image().height() - height, 2),
                Math.floorDiv(sample.image().width() - width, 2), height, width);
    }

    // ---------------------------------------------------------------- implementations

    record Compose(List<Augmentation> steps) implements Augmentation {
        Compose {
            for (int i = 0; i < steps.size(); i++) {
                if (steps.get(i) == null) {
                    throw new IllegalArgumentException("augmentation " + i + " of " + steps.size() + " is null");
                }
            }
            steps = List.copyOf(steps);
        }

        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            Sample s = sample;
            for (Augmentation a : steps) {
                s = a.apply(s, random);
            }
            return s;
        }
    }

    record Probability(double p, Augmentation augmentation) implements Augmentation {
        Probability {
            checkProbability("p", p);
            if (augmentation == null) {
                throw new IllegalArgumentException("augmentation must not be null");
            }
        }

        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            return random.nextDouble() < p ? augmentation.apply(sample, random) : sample;
        }
    }

    record Flips(double pHorizontal, double pVertical) implements Augmentation {
        Flips {
            checkProbability("pHorizontal", pHorizontal);
            checkProbability("pVertical", pVertical);
        }

        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            boolean h = random.nextDouble() < pHorizontal;
            boolean v = random.nextDouble() < pVertical;
            return flip(sample, h, v);
        }
    }

    record Rotate90(double p) implements Augmentation {
        Rotate90 {
            checkProbability("p", p);
        }

        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            if (!(random.nextDouble() < p)) {
                return sample;
            }
            boolean square = sample.image().height() == sample.image().width();
            return rotate90(sample, square ? 1 + random.nextInt(3) : 2);
        }
    }

    record Affine(double maxRotationDegrees, double minScale, double maxScale, double maxShiftFraction)
            implements Augmentation {
        Affine {
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
        }

        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            double rotation = maxRotationDegrees * (2 * random.nextDouble() - 1);
            double scale = Math.exp(logUniform(random, minScale, maxScale));
            double shiftX = maxShiftFraction * sample.image().width() * (2 * random.nextDouble() - 1);
            double shiftY = maxShiftFraction * sample.image().height() * (2 * random.nextDouble() - 1);
            return affine(sample, rotation, scale, shiftX, shiftY);
        }
    }

    record Gamma(double min, double max) implements Augmentation {
        Gamma {
            checkRange("gamma", min, max);
        }

        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            return gamma(sample, Math.exp(logUniform(random, min, max)));
        }
    }

    record IntensityScale(double min, double max) implements Augmentation {
        IntensityScale {
            checkRange("intensity scale", min, max);
        }

        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            return intensityScale(sample, min + (max - min) * random.nextDouble());
        }
    }

    record GaussianNoise(double maxSigmaFraction) implements Augmentation {
        GaussianNoise {
            if (!(maxSigmaFraction >= 0 && maxSigmaFraction <= 1)) {
                throw new IllegalArgumentException("maxSigmaFraction must be in [0, 1]: " + maxSigmaFraction);
            }
        }

        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            return gaussianNoise(sample, maxSigmaFraction * random.nextDouble(), random);
        }
    }

    record Elastic(double alphaPixels, double sigmaPixels) implements Augmentation {
        Elastic {
            StringBuilder p = new StringBuilder();
            if (!(alphaPixels >= 0 && Double.isFinite(alphaPixels))) {
                p.append("; alphaPixels must be finite and >= 0: ").append(alphaPixels);
            }
            if (!(sigmaPixels > 0 && sigmaPixels <= 1000)) {
                p.append("; sigmaPixels must be in (0, 1000]: ").append(sigmaPixels);
            }
            if (p.length() > 0) {
                throw new IllegalArgumentException("invalid elastic augmentation: " + p.substring(2));
            }
        }

        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            if (alphaPixels == 0) {
                return sample;
            }
            int h = sample.image().height();
            int w = sample.image().width();
            double[] dx = new double[h * w];
            double[] dy = new double[h * w];
            for (int i = 0; i < dx.length; i++) {
                dx[i] = 2 * random.nextDouble() - 1;
                dy[i] = 2 * random.nextDouble() - 1;
            }
            double[] kernel = gaussianKernel(sigmaPixels);
            blur(dx, h, w, kernel);
            blur(dy, h, w, kernel);
            double maxMagnitude = 0;
            for (int i = 0; i < dx.length; i++) {
                maxMagnitude = Math.max(maxMagnitude, Math.hypot(dx[i], dy[i]));
            }
            if (!(maxMagnitude > 0)) {
                return sample;
            }
            double k = alphaPixels / maxMagnitude;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = y * w + x;
                    dx[i] = x + k * dx[i];
                    dy[i] = y + k * dy[i];
                }
            }
            return remap(sample, dx, dy);
        }
    }

    record BiasField(double maxStrength) implements Augmentation {
        BiasField {
            if (!(maxStrength >= 0 && maxStrength < 1)) {
                throw new IllegalArgumentException("maxStrength must be in [0, 1): " + maxStrength);
            }
        }

        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            double t = maxStrength * random.nextDouble();
            double[] a = new double[5];
            for (int i = 0; i < a.length; i++) {
                a[i] = 2 * random.nextDouble() - 1;
            }
            Image img = sample.image();
            int h = img.height();
            int w = img.width();
            int c = img.channels();
            double[] p = new double[h * w];
            double maxAbs = 0;
            for (int y = 0; y < h; y++) {
                double v = h == 1 ? 0 : 2.0 * y / (h - 1) - 1;
                for (int x = 0; x < w; x++) {
                    double u = w == 1 ? 0 : 2.0 * x / (w - 1) - 1;
                    double val = a[0] * u + a[1] * v + a[2] * u * v + a[3] * u * u + a[4] * v * v;
                    p[y * w + x] = val;
                    maxAbs = Math.max(maxAbs, Math.abs(val));
                }
            }
            if (!(t > 0) || !(maxAbs > 0)) {
                return sample;
            }
            double k = Math.log1p(t) / maxAbs;
            float[] px = img.toArray();
            for (int i = 0; i < p.length; i++) {
                double f = Math.exp(k * p[i]);
                for (int ch = 0; ch < c; ch++) {
                    px[i * c + ch] = (float) (px[i * c + ch] * f);
                }
            }
            return withPixels(sample, px);
        }
    }

    record Brightness(double min, double max) implements Augmentation {
        Brightness {
            if (!(Double.isFinite(min) && Double.isFinite(max) && min <= max && min >= -1 && max <= 1)) {
                throw new IllegalArgumentException("brightness range must satisfy -1 <= min <= max <= 1: " + min + ", "
                        + max);
            }
        }

        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            double f = min + (max - min) * random.nextDouble();
            float[] px = sample.image().toArray();
            float[] bounds = minMax(px);
            double offset = f * ((double) bounds[1] - bounds[0]);
            if (offset == 0) {
                return sample;
            }
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) (px[i] + offset);
            }
            return withPixels(sample, px);
        }
    }

    record Contrast(double min, double max) implements Augmentation {
        Contrast {
            checkRange("contrast", min, max);
        }

        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            double f = min + (max - min) * random.nextDouble();
            int c = sample.image().channels();
            float[] px = sample.image().toArray();
            double[] mean = new double[c];
            for (int i = 0; i < px.length; i++) {
                mean[i % c] += px[i];
            }
            int n = px.length / c;
            for (int ch = 0; ch < c; ch++) {
                mean[ch] /= n;
            }
            for (int i = 0; i < px.length; i++) {
                double m = mean[i % c];
                px[i] = (float) (m + f * (px[i] - m));
            }
            return withPixels(sample, px);
        }
    }

    record RandomCrop(int height, int width) implements Augmentation {
        RandomCrop {
            checkSize(height, width);
        }

        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            int top = offset(sample.image().height(), height, random);
            int left = offset(sample.image().width(), width, random);
            return crop(sample, top, left, height, width);
        }

        /** A window start inside the sample, or, if the sample is smaller, a placement of the sample in the window. */
        private static int offset(int size, int window, RandomGenerator random) {
            return size >= window ? random.nextInt(size - window + 1) : -random.nextInt(window - size + 1);
        }
    }

    record CentreCrop(int height, int width) implements Augmentation {
        CentreCrop {
            checkSize(height, width);
        }

        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            return centreCrop(sample, height, width);
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Resamples the sample at per-pixel source positions {@code (srcX[i], srcY[i])}: the edge rules of
     * {@link #affine(Sample, double, double, double, double)} (bilinear, edge-clamped image within half a pixel of
     * the sample, channel minimum further out; nearest-neighbour mask, background outside).
     */
    private static Sample remap(Sample sample, double[] srcX, double[] srcY) {
        Image img = sample.image();
        int h = img.height();
        int w = img.width();
        int c = img.channels();
        float[] src = img.toArray();
        byte[] lsrc = sample.mask().toArray();
        float[] fill = channelMinima(src, c);
        float[] dst = new float[src.length];
        byte[] ldst = new byte[lsrc.length];
        for (int out = 0; out < h * w; out++) {
            sampleInto(src, lsrc, w, h, c, srcX[out], srcY[out], fill, dst, ldst, out);
        }
        return rebuild(sample, h, w, c, dst, ldst, img.spacing().orElse(null));
    }

    /** A normalised Gaussian kernel of radius ceil(3 sigma). */
    private static double[] gaussianKernel(double sigma) {
        int r = (int) Math.ceil(3 * sigma);
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            k[i + r] = Math.exp(-0.5 * i * i / (sigma * sigma));
            sum += k[i + r];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        return k;
    }

    /** Separable Gaussian blur in place, edges clamped. */
    private static void blur(double[] f, int h, int w, double[] kernel) {
        int r = kernel.length / 2;
        double[] tmp = new double[f.length];
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int x = 0; x < w; x++) {
                double acc = 0;
                for (int k = -r; k <= r; k++) {
                    int xx = x + k < 0 ? 0 : (x + k >= w ? w - 1 : x + k);
                    acc += kernel[k + r] * f[row + xx];
                }
                tmp[row + x] = acc;
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double acc = 0;
                for (int k = -r; k <= r; k++) {
                    int yy = y + k < 0 ? 0 : (y + k >= h ? h - 1 : y + k);
                    acc += kernel[k + r] * tmp[yy * w + x];
                }
                f[y * w + x] = acc;
            }
        }
    }

    private static void checkSize(int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("crop size must be positive: " + height + "x" + width);
        }
    }

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

    /**
     * Output pixel {@code out} from source position (sx, sy): the image bilinearly (edge-clamped within half a pixel
     * of the border), the mask by nearest neighbour; outside the image, {@code fill} and background.
     */
    private static void sampleInto(float[] src, byte[] lsrc, int w, int h, int c, double sx, double sy,
            float[] fill, float[] dst, byte[] ldst, int out) {
        if (!(sx >= -0.5 && sy >= -0.5 && sx < w - 0.5 && sy < h - 0.5)) {
            System.arraycopy(fill, 0, dst, out * c, c);
            return; // mask stays background
        }
        // sx, sy >= -0.5 here, so truncation is the floor of the rounded value
        ldst[out] = lsrc[((int) (sy + 0.5)) * w + (int) (sx + 0.5)];
        double px = sx < 0 ? 0 : (sx > w - 1 ? w - 1 : sx);
        double py = sy < 0 ? 0 : (sy > h - 1 ? h - 1 : sy);
        int x0 = (int) px;
        int y0 = (int) py;
        int x1 = Math.min(x0 + 1, w - 1);
        int y1 = Math.min(y0 + 1, h - 1);
        double fx = px - x0;
        double fy = py - y0;
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

package io.medseg.data.phantom;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A seeded generator of synthetic short-axis cardiac cine MRI with exact left-ventricle labels: the built-in data
 * set for the demo and for fast tests, needing no download.
 *
 * <pre>{@code
 * SegmentationDataset data = CardiacPhantom.builder().imageSize(128).patients(6).seed(7).build().generate();
 * }</pre>
 *
 * <p>Each patient gets its own chest size, heart position (near, never exactly at, the image centre), LV size,
 * ellipticity and orientation, right-ventricle side, a few other organs, an overall scanner gain (a few hundred to
 * a few thousand) and a smooth multiplicative bias field. Each frame is one slice level at one cardiac phase: the
 * LV radius shrinks with the phase (systole) and towards the apex, so the last frames of a patient hold small,
 * apical-like ventricles. An image shows air, a textured body with a bright subcutaneous fat rim, dark lungs, a bright LV
 * blood pool inside a darker myocardial ring, and a bright right-ventricle crescent beside it, with Rician noise.
 *
 * <p>The mask labels the LV blood pool as 1 and everything else (myocardium and right ventricle included) as 0.
 * Labels are exact: a pixel is 1 exactly when its centre lies inside the drawn LV ellipse, which is where the
 * anti-aliased image edge crosses half-way. Patients are {@code phantom-01}, {@code phantom-02}, ...; samples
 * {@code phantom-01/01}, ...; the field of view is 179.2 mm, so the pixel spacing is {@code 179.2 / imageSize} mm
 * (1.4 mm at the default 128).
 *
 * <p>The same settings and seed always give the same data set, pixel for pixel.
 */
public final class CardiacPhantom {
    private static final Logger LOG = LoggerFactory.getLogger(CardiacPhantom.class);

    /** Field of view in millimetres, chosen so that the default 128 pixels are 1.4 mm each. */
    public static final double FIELD_OF_VIEW_MM = 179.2;
    /** Label of the left-ventricle blood pool. */
    public static final int LV_LABEL = 1;

    // relative intensities before bias, noise and gain; cine SSFP-like contrast (blood bright, muscle dark)
    private static final double AIR = 0.02;
    private static final double TISSUE = 0.32;
    private static final double FAT = 0.75;
    private static final double MYOCARDIUM = 0.18;
    private static final double LUNG = 0.06;
    private static final double LV_BLOOD = 1.0;
    private static final double RV_BLOOD = 0.9;

    private final int imageSize;
    private final int patients;
    private final int framesPerPatient;
    private final long seed;
    private final double noise;

    private CardiacPhantom(Builder b) {
        this.imageSize = b.imageSize;
        this.patients = b.patients;
        this.framesPerPatient = b.framesPerPatient;
        this.seed = b.seed;
        this.noise = b.noise;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int imageSize() {
        return imageSize;
    }

    public int patients() {
        return patients;
    }

    public int framesPerPatient() {
        return framesPerPatient;
    }

    public long seed() {
        return seed;
    }

    public double noise() {
        return noise;
    }

    /** Pixel spacing of every image: {@link #FIELD_OF_VIEW_MM} over the image size, in both directions. */
    public PixelSpacing pixelSpacing() {
        double mm = FIELD_OF_VIEW_MM / imageSize;
        return new PixelSpacing(mm, mm);
    }

    /** Generates the data set: {@code patients * framesPerPatient} samples, patient by patient. */
    public SegmentationDataset generate() {
        SplittableRandom master = new SplittableRandom(seed);
        List<Sample> samples = new ArrayList<>(patients * framesPerPatient);
        PixelSpacing spacing = pixelSpacing();
        for (int p = 1; p <= patients; p++) {
            // one independent stream per patient, so a patient's images do not depend on the frame count of others
            Patient patient = Patient.draw(master.split(), imageSize);
            String patientId = String.format(Locale.ROOT, "phantom-%02d", p);
            for (int f = 1; f <= framesPerPatient; f++) {
                String id = String.format(Locale.ROOT, "%s/%02d", patientId, f);
                samples.add(renderFrame(id, patientId, patient, f - 1, spacing));
            }
        }
        LOG.debug("generated cardiac phantom: {} patients x {} frames of {}x{} pixels, seed {}", patients,
                framesPerPatient, imageSize, imageSize, seed);
        return SegmentationDataset.of("cardiac-phantom", samples);
    }

    private Sample renderFrame(String id, String patientId, Patient pt, int frame, PixelSpacing spacing) {
        SplittableRandom rng = pt.frameRandom.split();
        int n = imageSize;
        // slice level 0 (base) .. 1 (apex) and cardiac phase; the radius shrinks towards the apex and in systole
        double level = framesPerPatient == 1 ? 0.3 : (double) frame / (framesPerPatient - 1);
        double phase = pt.phase0 + 2 * Math.PI * frame * pt.phaseStep;
        double contraction = 0.5 - 0.5 * Math.cos(phase); // 0 = end-diastole, 1 = end-systole
        double sliceFactor = 1.0 - 0.62 * level * level;
        double r = Math.max(2.0, pt.lvRadius * sliceFactor * (1.0 - 0.3 * contraction)
                * (1 + 0.04 * (rng.nextDouble() - 0.5)));
        double a = r * Math.sqrt(pt.ellipticity);
        double b = r / Math.sqrt(pt.ellipticity);
        double wall = pt.wall * (1.0 + 0.35 * contraction) * (0.8 + 0.2 * sliceFactor);
        // the right ventricle narrows faster towards the apex than the left, as in real hearts
        double rvScale = Math.max(0.0, 1.0 - 1.1 * level * level);
        double rvLong = pt.rvLong * r * (0.6 + 0.4 * rvScale);
        double rvShort = pt.rvShort * r * rvScale;
        // the RV ellipse is centred just outside the myocardium, so the wall painted over it leaves a crescent
        // that wraps around the septum
        double rvDist = Math.max(a, b) + wall + 0.1 * rvShort;
        double rvCx = pt.cx + rvDist * Math.cos(pt.rvAngle);
        double rvCy = pt.cy + rvDist * Math.sin(pt.rvAngle);

        float[] pixels = new float[n * n];
        byte[] labels = new byte[n * n];
        double cosT = Math.cos(pt.theta);
        double sinT = Math.sin(pt.theta);
        double cosR = Math.cos(pt.rvAngle);
        double sinR = Math.sin(pt.rvAngle);
        double sigma = noise * LV_BLOOD;
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                double v = pt.background(x, y);
                // right ventricle first: the myocardium painted over it turns the ellipse into a crescent
                if (rvShort > 0.5) {
                    double du = x - rvCx;
                    double dv = y - rvCy;
                    // long axis tangential to the LV, short axis pointing away from it
                    double radial = du * cosR + dv * sinR;
                    double tangential = -du * sinR + dv * cosR;
                    v = mix(v, RV_BLOOD * pt.texture(x, y, 0.5), coverage(tangential, radial, rvLong, rvShort));
                }
                double dx = x - pt.cx;
                double dy = y - pt.cy;
                double u = dx * cosT + dy * sinT;
                double w = -dx * sinT + dy * cosT;
                v = mix(v, MYOCARDIUM * pt.texture(x, y, 0.6), coverage(u, w, a + wall, b + wall));
                double lv = coverage(u, w, a, b);
                v = mix(v, LV_BLOOD * pt.texture(x, y, 0.3), lv);
                if ((u / a) * (u / a) + (w / b) * (w / b) <= 1.0) {
                    labels[y * n + x] = LV_LABEL;
                }
                v *= pt.bias(x, y);
                // Rician magnitude noise: the modulus of the signal plus complex Gaussian noise
                double re = v + sigma * rng.nextGaussian();
                double im = sigma * rng.nextGaussian();
                pixels[y * n + x] = (float) (pt.gain * Math.sqrt(re * re + im * im));
            }
        }
        return new Sample(id, patientId, Image.wrap(n, n, 1, pixels, spacing), Mask.wrap(n, n, labels));
    }

    private static double mix(double under, double over, double alpha) {
        return under + (over - under) * alpha;
    }

    /**
     * Fraction (0..1) of a pixel covered by the ellipse {@code (u/a)^2 + (v/b)^2 <= 1}, from a first-order signed
     * distance to its edge, so that edges are anti-aliased and cross 0.5 exactly on the ellipse.
     */
    static double coverage(double u, double v, double a, double b) {
        double q = (u / a) * (u / a) + (v / b) * (v / b);
        if (q < 0.25) {
            return 1.0;
        }
        double gu = 2 * u / (a * a);
        double gv = 2 * v / (b * b);
        double signedDistance = (q - 1) / Math.sqrt(gu * gu + gv * gv);
        return Math.max(0.0, Math.min(1.0, 0.5 - signedDistance));
    }

    /** Everything that stays the same for all frames of one patient. */
    private static final class Patient {
        final int n;
        final double bodyCx;
        final double bodyCy;
        final double bodyA;
        final double bodyB;
        final double fatWidth;
        final double cx;
        final double cy;
        final double lvRadius;
        final double ellipticity;
        final double theta;
        final double wall;
        final double rvAngle;
        final double rvLong;
        final double rvShort;
        final double phase0;
        final double phaseStep;
        final double gain;
        final double[] biasCoef;
        final double[][] lungs; // cx, cy, a, b, angle, intensity
        final double[][] organs; // cx, cy, a, b, angle, intensity
        final SmoothField coarse;
        final SmoothField fine;
        final SplittableRandom frameRandom;

        private Patient(SplittableRandom rng, int n) {
            this.n = n;
            bodyCx = n * (0.5 + uniform(rng, -0.02, 0.02));
            bodyCy = n * (0.5 + uniform(rng, -0.02, 0.02));
            bodyA = n * uniform(rng, 0.43, 0.48);
            bodyB = n * uniform(rng, 0.36, 0.42);
            fatWidth = n * uniform(rng, 0.02, 0.035);
            // heart near the centre but never on it: offset of 3..9 % of the size in a random direction
            double offAngle = uniform(rng, 0, 2 * Math.PI);
            double offLen = n * uniform(rng, 0.03, 0.09);
            cx = n * 0.5 + offLen * Math.cos(offAngle);
            cy = n * 0.5 + offLen * Math.sin(offAngle);
            lvRadius = n * uniform(rng, 0.09, 0.125);
            ellipticity = uniform(rng, 1.0, 1.25);
            theta = uniform(rng, 0, Math.PI);
            wall = n * uniform(rng, 0.03, 0.045);
            // the right ventricle sits to the image left of the LV (patient's right), tilted at random
            rvAngle = Math.PI + uniform(rng, -0.6, 0.6);
            rvLong = uniform(rng, 1.5, 1.9);
            rvShort = uniform(rng, 0.7, 0.95);
            phase0 = uniform(rng, 0, 2 * Math.PI);
            phaseStep = uniform(rng, 0.23, 0.41);
            gain = Math.exp(uniform(rng, Math.log(200), Math.log(3000)));
            biasCoef = new double[] {uniform(rng, -0.25, 0.25), uniform(rng, -0.25, 0.25),
                uniform(rng, -0.2, 0.2), uniform(rng, -0.2, 0.2), uniform(rng, -0.1, 0.1)};
            // lungs: dark, on both sides of the heart, which is painted over them
            lungs = new double[2][];
            for (int side = 0; side < 2; side++) {
                double sign = side == 0 ? -1 : 1;
                lungs[side] = new double[] {bodyCx + sign * bodyA * uniform(rng, 0.45, 0.58),
                    bodyCy + bodyB * uniform(rng, -0.05, 0.15), bodyA * uniform(rng, 0.28, 0.36),
                    bodyB * uniform(rng, 0.5, 0.65), uniform(rng, -0.3, 0.3), LUNG * uniform(rng, 0.7, 1.3)};
            }
            int nOrgans = 2 + rng.nextInt(3);
            List<double[]> placed = new ArrayList<>();
            double keepOut = lvRadius * 1.5 + wall + n * 0.12;
            for (int i = 0; i < nOrgans; i++) {
                for (int attempt = 0; attempt < 20; attempt++) {
                    double ang = uniform(rng, 0, 2 * Math.PI);
                    double dist = uniform(rng, 0.0, 0.8);
                    double ox = bodyCx + dist * bodyA * Math.cos(ang);
                    double oy = bodyCy + dist * bodyB * Math.sin(ang);
                    double oa = n * uniform(rng, 0.04, 0.12);
                    double ob = n * uniform(rng, 0.03, 0.08);
                    double[] organ = {ox, oy, oa, ob, uniform(rng, 0, Math.PI), uniform(rng, 0.1, 0.6)};
                    if (Math.hypot(ox - cx, oy - cy) - Math.max(oa, ob) > keepOut) {
                        placed.add(organ);
                        break;
                    }
                }
            }
            organs = placed.toArray(new double[0][]);
            coarse = new SmoothField(rng, n, 6);
            fine = new SmoothField(rng, n, 24);
            frameRandom = rng.split();
        }

        static Patient draw(SplittableRandom rng, int n) {
            return new Patient(rng, n);
        }

        /** Air, body with fat rim and organs, all textured; the heart is painted on top of this. */
        double background(int x, int y) {
            double bu = x - bodyCx;
            double bv = y - bodyCy;
            double body = coverage(bu, bv, bodyA, bodyB);
            if (body <= 0) {
                return AIR;
            }
            double inner = coverage(bu, bv, bodyA - fatWidth, bodyB - fatWidth);
            double v = mix(FAT, TISSUE, inner) * texture(x, y, 1.0);
            v = paint(v, lungs, x, y);
            v = paint(v, organs, x, y);
            return mix(AIR, v, body);
        }

        private double paint(double under, double[][] shapes, int x, int y) {
            double v = under;
            for (double[] o : shapes) {
                double c = Math.cos(o[4]);
                double s = Math.sin(o[4]);
                double du = x - o[0];
                double dv = y - o[1];
                double cov = coverage(du * c + dv * s, -du * s + dv * c, o[2], o[3]);
                if (cov > 0) {
                    v = mix(v, o[5] * texture(x, y, 0.7), cov);
                }
            }
            return v;
        }

        /** Multiplicative texture around 1; {@code strength} scales its contrast for the tissue at hand. */
        double texture(int x, int y, double strength) {
            return 1.0 + strength * (0.18 * coarse.at(x, y) + 0.08 * fine.at(x, y));
        }

        /** Smooth coil-sensitivity-like gain field, the exponential of a quadratic, within about 0.6..1.6. */
        double bias(int x, int y) {
            double u = (x - n * 0.5) / n;
            double v = (y - n * 0.5) / n;
            double e = biasCoef[0] * u + biasCoef[1] * v + biasCoef[2] * u * u + biasCoef[3] * v * v
                    + biasCoef[4] * u * v;
            return Math.exp(e);
        }
    }

    /** Smooth noise in -1..1: random values on a coarse grid, interpolated with a smoothstep. */
    private static final class SmoothField {
        private final double[] grid;
        private final int cells;
        private final double cellSize;

        SmoothField(SplittableRandom rng, int n, int cells) {
            this.cells = cells;
            this.cellSize = (double) n / cells;
            grid = new double[(cells + 1) * (cells + 1)];
            for (int i = 0; i < grid.length; i++) {
                grid[i] = rng.nextDouble() * 2 - 1;
            }
        }

        double at(int x, int y) {
            double gx = x / cellSize;
            double gy = y / cellSize;
            int ix = Math.min((int) gx, cells - 1);
            int iy = Math.min((int) gy, cells - 1);
            double fx = smooth(gx - ix);
            double fy = smooth(gy - iy);
            int row = cells + 1;
            double top = grid[iy * row + ix] * (1 - fx) + grid[iy * row + ix + 1] * fx;
            double bottom = grid[(iy + 1) * row + ix] * (1 - fx) + grid[(iy + 1) * row + ix + 1] * fx;
            return top * (1 - fy) + bottom * fy;
        }

        private static double smooth(double t) {
            return t * t * (3 - 2 * t);
        }
    }

    private static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    /** Settings for {@link CardiacPhantom}; {@link #build()} checks them all at once. */
    public static final class Builder {
        private int imageSize = 128;
        private int patients = 6;
        private int framesPerPatient = 10;
        private long seed = 42L;
        private double noise = 0.03;

        private Builder() {
        }

        /** Width and height in pixels, 32..2048 (default 128). */
        public Builder imageSize(int imageSize) {
            this.imageSize = imageSize;
            return this;
        }

        /** Number of patients, 1..999 (default 6). */
        public Builder patients(int patients) {
            this.patients = patients;
            return this;
        }

        /** Frames (slice level and phase combinations) per patient, 1..999 (default 10). */
        public Builder framesPerPatient(int framesPerPatient) {
            this.framesPerPatient = framesPerPatient;
            return this;
        }

        /** Seed of every random choice (default 42). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Noise standard deviation as a fraction of the LV blood intensity, 0..1 (default 0.03: a clean but
         * realistic cine image; 0.1 is very noisy).
         */
        public Builder noise(double noise) {
            this.noise = noise;
            return this;
        }

        public CardiacPhantom build() {
            List<String> p = new ArrayList<>();
            if (imageSize < 32 || imageSize > 2048) {
                p.add("imageSize must be in 32..2048: " + imageSize);
            }
            if (patients < 1 || patients > 999) {
                p.add("patients must be in 1..999: " + patients);
            }
            if (framesPerPatient < 1 || framesPerPatient > 999) {
                p.add("framesPerPatient must be in 1..999: " + framesPerPatient);
            }
            if (!(noise >= 0 && noise <= 1)) {
                p.add("noise must be in [0, 1]: " + noise);
            }
            if (!p.isEmpty()) {
                throw new IllegalArgumentException("invalid cardiac phantom: " + String.join("; ", p));
            }
            return new CardiacPhantom(this);
        }
    }
}

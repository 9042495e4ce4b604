package io.medseg.transform;

import io.medseg.data.Sample;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

/**
 * A named, deterministic change to a labelled image, for measuring how a model's accuracy holds up under it: applied
 * to the raw image (before fitting to the network input and normalisation), as an acquisition or preprocessing
 * difference would be. Geometric perturbations move the image (bilinear) and its label (nearest neighbour) together,
 * so the model is scored against the moved label; intensity perturbations leave the label as it is.
 *
 * <p>{@link #standard()} is the set {@code segment validate --robustness} measures:
 * <table>
 * <caption>The standard perturbations</caption>
 * <tr><th>name</th><th>group</th><th>what</th></tr>
 * <tr><td>{@code noise0.02}, {@code noise0.05}, {@code noise0.1}</td><td>{@code noise}</td><td>additive Gaussian
 *     noise of standard deviation 2, 5 and 10 % of the image's intensity range (maximum minus minimum), seeded
 *     per image</td></tr>
 * <tr><td>{@code scale0.5}, {@code scale2}</td><td>{@code scale}</td><td>every intensity times 0.5 or 2</td></tr>
 * <tr><td>{@code gamma0.7}, {@code gamma1.5}</td><td>{@code gamma}</td><td>gamma 0.7 or 1.5 over the image's
 *     minimum..maximum</td></tr>
 * <tr><td>{@code rotate-10}, {@code rotate+10}</td><td>{@code rotation}</td><td>rotation by 10 degrees
 *     anticlockwise or clockwise about the image centre, image and label together</td></tr>
 * <tr><td>{@code blur}</td><td>{@code blur}</td><td>Gaussian blur of standard deviation 1 pixel</td></tr>
 * </table>
 *
 * @param name the perturbation's own name, as thresholds name it ({@code noise0.05})
 * @param group the family it belongs to ({@code noise}); a threshold on a group holds for its worst member
 * @param parameter its setting in words, with units ({@code sigma 0.05 x intensity range})
 * @param transform what it does to a sample, given a seed of its own for the sample (ignored by the
 *     deterministic ones)
 */
public record Perturbation(String name, String group, String parameter, BiFunction<Sample, Long, Sample> transform) {
    /** The seed the standard noise perturbations start from; each image's own seed is derived from it. */
    public static final long NOISE_SEED = 20_240_601L;

    public Perturbation {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(parameter, "parameter");
        Objects.requireNonNull(transform, "transform");
    }

    /** The perturbed sample; {@code index} (the sample's position in its dataset) seeds any randomness. */
    public Sample apply(Sample sample, int index) {
        return transform.apply(sample, seedFor(name, index));
    }

    /** The seed of image {@code index} under the perturbation {@code name}: fixed, so every run draws alike. */
    static long seedFor(String name, int index) {
        return new SplittableRandom(NOISE_SEED ^ ((long) name.hashCode() << 32) ^ index).nextLong();
    }

    /** Gaussian noise of standard deviation {@code sigmaFraction} times the image's intensity range. */
    public static Perturbation noise(double sigmaFraction) {
        return new Perturbation("noise" + number(sigmaFraction), "noise",
                "sigma " + number(sigmaFraction) + " x intensity range",
                (s, seed) -> Augmentations.gaussianNoise(s, sigmaFraction, new SplittableRandom(seed)));
    }

    /** Every intensity times {@code factor}. */
    public static Perturbation scale(double factor) {
        return new Perturbation("scale" + number(factor), "scale", "intensity x " + number(factor),
                (s, seed) -> Augmentations.intensityScale(s, factor));
    }

    /** Gamma {@code gamma} over the image's minimum..maximum. */
    public static Perturbation gamma(double gamma) {
        return new Perturbation("gamma" + number(gamma), "gamma", "gamma " + number(gamma),
                (s, seed) -> Augmentations.gamma(s, gamma));
    }

    /**
     * Rotation by {@code degrees} about the image centre (positive: clockwise on screen), image bilinear and label
     * nearest neighbour; pixels rotated in from outside take the image minimum and background.
     */
    public static Perturbation rotate(double degrees) {
        String signed = (degrees >= 0 ? "+" : "-") + number(Math.abs(degrees));
        return new Perturbation("rotate" + signed, "rotation", signed + " degrees, image and label",
                (s, seed) -> Augmentations.affine(s, degrees, 1, 0, 0));
    }

    /** Gaussian blur of standard deviation {@code sigmaPixels}. */
    public static Perturbation blur(double sigmaPixels) {
        return new Perturbation("blur", "blur", "Gaussian sigma " + number(sigmaPixels) + " px",
                (s, seed) -> Augmentations.gaussianBlur(s, sigmaPixels));
    }

    /** The standard set, in the order of the table above. */
    public static List<Perturbation> standard() {
        return List.of(noise(0.02), noise(0.05), noise(0.1), scale(0.5), scale(2), gamma(0.7), gamma(1.5),
                rotate(-10), rotate(10), blur(1));
    }

    /** The perturbation of {@code perturbations} called {@code name}, if any. */
    public static Optional<Perturbation> named(List<Perturbation> perturbations, String name) {
        return perturbations.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The names and group names of {@code perturbations}, each once, in order. */
    public static List<String> names(List<Perturbation> perturbations) {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (Perturbation p : perturbations) {
            names.add(p.name());
            names.add(p.group());
        }
        return new ArrayList<>(names);
    }

    /** A number as it appears in a name: {@code 0.05}, {@code 2}, {@code 10}. */
    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, "%s", v);
    }

    @Override
    public String toString() {
        return name + " (" + parameter + ")";
    }
}

package io.medseg.inference;

import io.medseg.backend.SegmentationModel;
import java.util.Locale;
import java.util.Objects;

/**
 * A gradient attack on the network input, in normalised-intensity units (the units of the network input after the
 * spec's normalisation; with percentile normalisation 1 is the image's 1st..99th percentile range): it moves each
 * input value by at most {@code epsilon} (an L-infinity budget) in the direction that raises the cross-entropy
 * against the reference labels, using {@link SegmentationModel#inputGradient}.
 *
 * <ul>
 *   <li>FGSM ({@link #fgsm}): one step, {@code x + epsilon * sign(grad)}.</li>
 *   <li>PGD ({@link #pgd}): {@code steps} steps of {@code x + stepSize * sign(grad)} from the clean input (no random
 *       start, so the attack is deterministic), each followed by projection onto the L-infinity ball of radius
 *       {@code epsilon} around the clean input.</li>
 * </ul>
 * The attacked input is not clipped to the normalisation's range: the budget is the only constraint.
 *
 * @param method {@code fgsm} or {@code pgd}
 * @param epsilon the L-infinity budget, {@code > 0}
 * @param steps gradient steps (1 for FGSM)
 * @param stepSize the size of each step ({@code epsilon} for FGSM)
 */
public record AdversarialAttack(String method, double epsilon, int steps, double stepSize) {
    public static final String FGSM = "fgsm";
    public static final String PGD = "pgd";

    public AdversarialAttack {
        Objects.requireNonNull(method, "method");
        if (!method.equals(FGSM) && !method.equals(PGD)) {
            throw new IllegalArgumentException("attack method must be " + FGSM + " or " + PGD + ": " + method);
        }
        if (!(epsilon > 0 && Double.isFinite(epsilon))) {
            throw new IllegalArgumentException(method + " epsilon must be a number > 0: " + epsilon);
        }
        if (steps < 1) {
            throw new IllegalArgumentException(method + " needs at least 1 step: " + steps);
        }
        if (!(stepSize > 0 && Double.isFinite(stepSize))) {
            throw new IllegalArgumentException(method + " step size must be a number > 0: " + stepSize);
        }
        if (method.equals(FGSM) && (steps != 1 || stepSize != epsilon)) {
            throw new IllegalArgumentException("fgsm is one step of size epsilon: " + steps + " steps of " + stepSize);
        }
    }

    /** The fast gradient sign method at budget {@code epsilon}. */
    public static AdversarialAttack fgsm(double epsilon) {
        return new AdversarialAttack(FGSM, epsilon, 1, epsilon);
    }

    /** Projected gradient descent (ascent on the loss) at budget {@code epsilon}. */
    public static AdversarialAttack pgd(double epsilon, int steps, double stepSize) {
        return new AdversarialAttack(PGD, epsilon, steps, stepSize);
    }

    /** The name a threshold uses: {@code fgsm0.01}, {@code pgd}. */
    public String name() {
        return method.equals(FGSM) ? FGSM + format(epsilon) : PGD;
    }

    /** The budget in words: {@code eps 0.03, 10 steps of 0.0075}. */
    public String parameter() {
        return method.equals(FGSM) ? "eps " + format(epsilon)
                : "eps " + format(epsilon) + ", " + steps + " steps of " + format(stepSize);
    }

    /**
     * The attacked inputs: {@code input} ({@code batchSize x H x W x C}, normalised) moved within the budget to raise
     * the cross-entropy against {@code labels} ({@code batchSize x H x W}). {@code input} is not changed.
     *
     * @throws UnsupportedOperationException if the model's backend gives no input gradients
     */
    public float[] perturb(SegmentationModel model, float[] input, byte[] labels, int batchSize) {
        float[] x = input.clone();
        float eps = (float) epsilon;
        float alpha = (float) stepSize;
        for (int s = 0; s < steps; s++) {
            float[] g = model.inputGradient(x, labels, batchSize);
            for (int i = 0; i < x.length; i++) {
                float v = x[i] + alpha * Math.signum(g[i]);
                float lo = input[i] - eps;
                float hi = input[i] + eps;
                x[i] = v < lo ? lo : (v > hi ? hi : v);
            }
        }
        return x;
    }

    static String format(double v) {
        return String.format(Locale.ROOT, "%s", v);
    }

    @Override
    public String toString() {
        return name() + " (" + parameter() + ")";
    }
}

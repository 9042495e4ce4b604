package io.medseg.mlops;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.inference.AdversarialAttack;
import io.medseg.inference.Segmenter;
import io.medseg.metrics.Dice;
import io.medseg.model.InputFitter;
import io.medseg.model.UNetSpec;
import io.medseg.transform.Perturbation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * How a model's accuracy holds up away from clean data: the mean per-image Dice under each named
 * {@link Perturbation} of the raw image and under each {@link AdversarialAttack} on the normalised network input,
 * next to the clean Dice. {@code segment validate --robustness} measures it, stores it in the validation record and
 * gates on {@code --min-dice-under NAME=D} thresholds.
 *
 * <p>Perturbed images go through the segmenter as it is (its post-processing and test-time augmentation), scored
 * against the reference label, moved with the image by the geometric perturbations. Attacks act on the network input
 * of each image (fitted and normalised as the segmenter does), maximising the cross-entropy against the reference
 * label fitted the same way, and need the model's {@link SegmentationModel#inputGradient}; the attacked network
 * output is mapped back to the image and post-processed like the segmenter's, but without test-time augmentation.
 * On a backend without input gradients the attacks are reported as not available, with the backend's reason, and a
 * threshold on one fails.
 *
 * <p>A threshold names a perturbation or attack ({@code noise0.05}, {@code fgsm0.01}, {@code pgd}) or a group
 * ({@code noise}, {@code scale}, {@code gamma}, {@code rotation}, {@code blur}, {@code fgsm}): a group holds when its
 * worst member does.
 */
public final class Robustness {
    /** Default FGSM budgets, in normalised-intensity units. */
    public static final List<Double> DEFAULT_FGSM_EPSILONS = List.of(0.01, 0.03);
    /** Default PGD budget, in normalised-intensity units. */
    public static final double DEFAULT_PGD_EPSILON = 0.03;
    /** Default number of PGD steps. */
    public static final int DEFAULT_PGD_STEPS = 10;
    /** Images per network call for the attacks. */
    private static final int BATCH = 8;

    private Robustness() {
    }

    /**
     * What to measure and the thresholds to gate on.
     *
     * @param perturbations perturbations of the raw image
     * @param attacks attacks on the network input; their names must differ
     * @param minDiceUnder name or group → the minimum mean Dice required under it, in the order given
     */
    public record Plan(List<Perturbation> perturbations, List<AdversarialAttack> attacks,
            Map<String, Double> minDiceUnder) {
        public Plan {
            perturbations = List.copyOf(perturbations);
            attacks = List.copyOf(attacks);
            minDiceUnder = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(minDiceUnder));
            List<String> known = names(perturbations, attacks);
            for (Map.Entry<String, Double> t : minDiceUnder.entrySet()) {
                if (!known.contains(t.getKey())) {
                    throw new IllegalArgumentException("unknown perturbation or attack '" + t.getKey()
                            + "'; known names: " + String.join(", ", known));
                }
                double d = t.getValue();
                if (!(d >= 0 && d <= 1)) {
                    throw new IllegalArgumentException("the minimum Dice under " + t.getKey() + " must be in 0..1: "
                            + d);
                }
            }
            if (attacks.stream().map(AdversarialAttack::name).distinct().count() != attacks.size()) {
                throw new IllegalArgumentException("attacks must have distinct names: " + attacks);
            }
        }

        /** The names a threshold may use: each perturbation and attack, and their groups. */
        public List<String> knownNames() {
            return names(perturbations, attacks);
        }

        private static List<String> names(List<Perturbation> perturbations, List<AdversarialAttack> attacks) {
            LinkedHashSet<String> names = new LinkedHashSet<>(Perturbation.names(perturbations));
            for (AdversarialAttack a : attacks) {
                names.add(a.name());
                names.add(a.method());
            }
            return new ArrayList<>(names);
        }
    }

    /** The standard perturbations and the default attacks (FGSM at 0.01 and 0.03, PGD 0.03 in 10 steps of 1/4). */
    public static Plan standard(Map<String, Double> minDiceUnder) {
        return new Plan(Perturbation.standard(), defaultAttacks(DEFAULT_FGSM_EPSILONS, DEFAULT_PGD_EPSILON,
                DEFAULT_PGD_STEPS, DEFAULT_PGD_EPSILON / 4), minDiceUnder);
    }

    /** FGSM at each of {@code fgsmEpsilons}, then PGD at {@code pgdEpsilon} in {@code pgdSteps} steps of {@code alpha}. */
    public static List<AdversarialAttack> defaultAttacks(List<Double> fgsmEpsilons, double pgdEpsilon, int pgdSteps,
            double alpha) {
        List<AdversarialAttack> attacks = new ArrayList<>();
        for (double e : fgsmEpsilons) {
            attacks.add(AdversarialAttack.fgsm(e));
        }
        attacks.add(AdversarialAttack.pgd(pgdEpsilon, pgdSteps, alpha));
        return attacks;
    }

    /**
     * One measured figure.
     *
     * @param kind {@value #PERTURBATION} or {@value #ATTACK}
     * @param parameter the setting in words
     * @param epsilon the attack's budget (null for perturbations)
     * @param steps the attack's steps (null for perturbations)
     * @param stepSize the attack's step size (null for perturbations)
     * @param diceMean mean per-image Dice under it; null when not available
     * @param deltaVsClean {@code diceMean} minus the clean mean Dice; null when not available
     * @param unavailable why it could not be measured; null when it was
     */
    @JsonPropertyOrder({"name", "group", "kind", "parameter", "epsilon", "steps", "step_size", "dice_mean",
            "delta_vs_clean", "unavailable"})
    public record Figure(String name, String group, String kind, String parameter, Double epsilon, Integer steps,
            @JsonProperty("step_size") Double stepSize, @JsonProperty("dice_mean") Double diceMean,
            @JsonProperty("delta_vs_clean") Double deltaVsClean, String unavailable) {
        public static final String PERTURBATION = "perturbation";
        public static final String ATTACK = "attack";

        public Figure {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(group, "group");
        }

        /** Whether {@code nameOrGroup} names this figure or its group. */
        public boolean matches(String nameOrGroup) {
            return name.equals(nameOrGroup) || group.equals(nameOrGroup);
        }
    }

    /**
     * What was measured, as the validation record stores it under {@code "robustness"}.
     *
     * @param frames images measured
     * @param cleanDiceMean mean per-image Dice without perturbation
     * @param noiseSeed the seed the noise perturbations derive each image's seed from
     * @param figures one per perturbation and attack, in plan order
     * @param minDiceUnder the thresholds gated on
     */
    @JsonPropertyOrder({"frames", "clean_dice_mean", "noise_seed", "figures", "min_dice_under"})
    public record Report(int frames, @JsonProperty("clean_dice_mean") double cleanDiceMean,
            @JsonProperty("noise_seed") long noiseSeed, List<Figure> figures,
            @JsonProperty("min_dice_under") Map<String, Double> minDiceUnder) {
        public Report {
            figures = List.copyOf(figures);
            minDiceUnder = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(minDiceUnder));
        }

        /** The lowest measured mean Dice among the figures {@code nameOrGroup} names; empty when none was measured. */
        public OptionalDouble worst(String nameOrGroup) {
            return figures.stream().filter(f -> f.matches(nameOrGroup) && f.diceMean() != null)
                    .mapToDouble(Figure::diceMean).min();
        }

        /** Why some figure {@code nameOrGroup} names was not measured, if one was not. */
        public Optional<String> unavailable(String nameOrGroup) {
            return figures.stream().filter(f -> f.matches(nameOrGroup) && f.unavailable() != null)
                    .map(f -> f.name() + ": " + f.unavailable()).findFirst();
        }

        /** The figures as a text table: perturbation, parameter, mean Dice, delta vs clean. */
        public String table() {
            StringBuilder sb = new StringBuilder();
            String row = "%-12s %-34s %9s %9s%n";
            sb.append(String.format(Locale.ROOT, row, "perturbation", "parameter", "dice_mean", "vs_clean"));
            sb.append(String.format(Locale.ROOT, row, "clean", "-", format(cleanDiceMean), ""));
            for (Figure f : figures) {
                if (f.diceMean() == null) {
                    sb.append(String.format(Locale.ROOT, "%-12s %-34s %s%n", f.name(), f.parameter(),
                            "not available: " + f.unavailable()));
                } else {
                    sb.append(String.format(Locale.ROOT, row, f.name(), f.parameter(), format(f.diceMean()),
                            String.format(Locale.ROOT, "%+.4f", f.deltaVsClean())));
                }
            }
            return sb.toString().lines().map(String::stripTrailing).collect(Collectors.joining("\n", "", "\n"));
        }

        /**
         * The model card's robustness section for these figures (Markdown): the table and the thresholds.
         *
         * @param verdicts threshold name → whether it passed, for the thresholds in {@link #minDiceUnder()}
         */
        public String cardSection(String modelName, List<String> patients, Map<String, Boolean> verdicts) {
            return ModelCard.robustnessSection(this, modelName, patients, verdicts);
        }
    }

    /**
     * Measures {@code plan} on {@code samples} with {@code segmenter}.
     *
     * @param notices progress lines for people (each perturbation and attack as it starts)
     */
    public static Report measure(Segmenter segmenter, List<Sample> samples, Plan plan, Consumer<String> notices) {
        Objects.requireNonNull(segmenter, "segmenter");
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("robustness needs at least one labelled image");
        }
        int k = segmenter.model().spec().numClasses();
        double clean = meanDice(samples, segmenter.predictAll(samples.stream().map(Sample::image).toList()), k);
        List<Figure> figures = new ArrayList<>();
        for (Perturbation p : plan.perturbations()) {
            notices.accept("robustness: " + p.name() + " (" + p.parameter() + ")...");
            List<Sample> perturbed = new ArrayList<>(samples.size());
            for (int i = 0; i < samples.size(); i++) {
                perturbed.add(p.apply(samples.get(i), i));
            }
            double d = meanDice(perturbed, segmenter.predictAll(perturbed.stream().map(Sample::image).toList()), k);
            figures.add(new Figure(p.name(), p.group(), Figure.PERTURBATION, p.parameter(), null, null, null, d,
                    d - clean, null));
        }
        String unavailable = null;
        for (AdversarialAttack a : plan.attacks()) {
            Double d = null;
            if (unavailable == null) {
                notices.accept("robustness: " + a.name() + " (" + a.parameter() + ")...");
                try {
                    d = attacked(segmenter, samples, a);
                } catch (UnsupportedOperationException e) {
                    unavailable = e.getMessage();
                    notices.accept("robustness: attacks not available: " + unavailable);
                }
            }
            figures.add(new Figure(a.name(), a.method(), Figure.ATTACK, a.parameter(), a.epsilon(), a.steps(),
                    a.stepSize(), d, d == null ? null : d - clean, d == null ? unavailable : null));
        }
        return new Report(samples.size(), clean, Perturbation.NOISE_SEED, figures, plan.minDiceUnder());
    }

    /** Mean per-image Dice of the network under {@code attack}, a batch of images at a time. */
    private static double attacked(Segmenter segmenter, List<Sample> samples, AdversarialAttack attack) {
        SegmentationModel model = segmenter.model();
        UNetSpec spec = model.spec();
        InputFitter fitter = new InputFitter(spec);
        int k = spec.numClasses();
        int per = spec.inputHeight() * spec.inputWidth();
        int perInput = per * spec.inputChannels();
        int perOutput = per * k;
        double sum = 0;
        for (int from = 0; from < samples.size(); from += BATCH) {
            List<Sample> batch = samples.subList(from, Math.min(samples.size(), from + BATCH));
            int n = batch.size();
            float[] input = new float[n * perInput];
            byte[] labels = new byte[n * per];
            for (int i = 0; i < n; i++) {
                fitter.inputInto(batch.get(i).image(), input, i * perInput);
                System.arraycopy(fitter.labels(batch.get(i).mask()), 0, labels, i * per, per);
            }
            float[] probs = model.forward(attack.perturb(model, input, labels, n), n);
            for (int i = 0; i < n; i++) {
                Image image = batch.get(i).image();
                Mask predicted = segmenter.postProcessing().apply(Mask.wrap(image.height(), image.width(),
                        fitter.labelsToImage(probs, i * perOutput, image.height(), image.width())), k);
                sum += Dice.foreground(batch.get(i).mask(), predicted, k);
            }
        }
        return sum / samples.size();
    }

    private static double meanDice(List<Sample> samples, List<Mask> predicted, int k) {
        double sum = 0;
        for (int i = 0; i < samples.size(); i++) {
            sum += Dice.foreground(samples.get(i).mask(), predicted.get(i), k);
        }
        return sum / samples.size();
    }

    static String format(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}

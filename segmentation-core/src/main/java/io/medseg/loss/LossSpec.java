package io.medseg.loss;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Objects;

/**
 * What a model is trained to minimise. A closed family: backends implement each kind exactly. Build them with
 * {@link Losses}. In JSON (a run's recorded config) each is an object with a {@code "type"} of
 * {@code "cross_entropy"}, {@code "soft_dice"} or {@code "weighted_sum"} and its settings.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = LossSpec.CrossEntropy.class, name = "cross_entropy"),
        @JsonSubTypes.Type(value = LossSpec.SoftDice.class, name = "soft_dice"),
        @JsonSubTypes.Type(value = LossSpec.WeightedSum.class, name = "weighted_sum")})
public sealed interface LossSpec {

    /**
     * Mean pixel-wise softmax cross-entropy. With {@code classWeights} (one per class, empty for none), each
     * pixel's term is weighted by its true class's weight and the sum divided by the sum of those weights.
     */
    record CrossEntropy(List<Double> classWeights) implements LossSpec {
        public CrossEntropy {
            classWeights = List.copyOf(classWeights);
            for (Double w : classWeights) {
                if (w == null || !(w >= 0) || !Double.isFinite(w)) {
                    throw new IllegalArgumentException("class weights must be finite and >= 0: " + classWeights);
                }
            }
        }
    }

    /**
     * Soft Dice loss {@code 1 - mean (2 sum(p*g) + s) / (sum(p) + sum(g) + s)} over the classes (background
     * excluded unless {@code includeBackground}). With {@code perImage} false the sums run over the whole batch, so
     * large structures dominate; with {@code perImage} true each image's Dice is computed on its own and the mean
     * taken over images and classes, so a small structure (an apical slice of the heart) weighs as much as a large
     * one.
     */
    record SoftDice(boolean includeBackground, double smooth, boolean perImage) implements LossSpec {
        public SoftDice {
            if (!(smooth >= 0) || !Double.isFinite(smooth)) {
                throw new IllegalArgumentException("smooth must be finite and >= 0: " + smooth);
            }
        }

        /** Batch-pooled soft Dice. */
        public SoftDice(boolean includeBackground, double smooth) {
            this(includeBackground, smooth, false);
        }
    }

    /** {@code sum_i weight_i * loss_i}. */
    record WeightedSum(List<Term> terms) implements LossSpec {
        public WeightedSum {
            terms = List.copyOf(terms);
            if (terms.isEmpty()) {
                throw new IllegalArgumentException("a weighted sum needs at least one term");
            }
        }
    }

    /** One weighted part of a {@link WeightedSum}. */
    record Term(double weight, LossSpec loss) {
        public Term {
            Objects.requireNonNull(loss, "loss");
            if (!(weight > 0) || !Double.isFinite(weight)) {
                throw new IllegalArgumentException("term weight must be finite and > 0: " + weight);
            }
        }
    }
}

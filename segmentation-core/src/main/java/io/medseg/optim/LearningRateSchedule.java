package io.medseg.optim;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Learning rate as a function of the epoch (0-based) and the fraction of training done. In JSON: an object with a
 * {@code "type"} of {@code "constant"}, {@code "step"} or {@code "cosine"} and its settings.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = LearningRateSchedule.Constant.class, name = "constant"),
        @JsonSubTypes.Type(value = LearningRateSchedule.Step.class, name = "step"),
        @JsonSubTypes.Type(value = LearningRateSchedule.Cosine.class, name = "cosine")})
public sealed interface LearningRateSchedule {

    /**
     * The rate for {@code epoch}.
     *
     * @param epoch 0-based epoch
     * @param totalEpochs epochs in the run
     */
    double learningRate(int epoch, int totalEpochs);

    double initial();

    record Constant(double initial) implements LearningRateSchedule {
        public Constant {
            Optimizers.requireRate(initial);
        }

        @Override
        public double learningRate(int epoch, int totalEpochs) {
            return initial;
        }
    }

    /** Multiplies the rate by {@code gamma} every {@code everyEpochs} epochs. */
    record Step(double initial, int everyEpochs, double gamma) implements LearningRateSchedule {
        public Step {
            Optimizers.requireRate(initial);
            if (everyEpochs < 1 || !(gamma > 0 && gamma <= 1)) {
                throw new IllegalArgumentException("step schedule needs everyEpochs >= 1 and gamma in (0, 1]: "
                        + everyEpochs + ", " + gamma);
            }
        }

        @Override
        public double learningRate(int epoch, int totalEpochs) {
            return initial * Math.pow(gamma, Math.floorDiv(epoch, everyEpochs));
        }
    }

    /** Cosine decay from {@code initial} to {@code initial * finalFraction} over the run. */
    record Cosine(double initial, double finalFraction) implements LearningRateSchedule {
        public Cosine {
            Optimizers.requireRate(initial);
            if (!(finalFraction >= 0 && finalFraction <= 1)) {
                throw new IllegalArgumentException("cosine final fraction must be in [0, 1]: " + finalFraction);
            }
        }

        @Override
        public double learningRate(int epoch, int totalEpochs) {
            double t = totalEpochs <= 1 ? 0 : (double) epoch / (totalEpochs - 1);
            double min = initial * finalFraction;
            return min + 0.5 * (initial - min) * (1 + Math.cos(Math.PI * t));
        }
    }
}

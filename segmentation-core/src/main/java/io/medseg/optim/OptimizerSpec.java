package io.medseg.optim;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * How weights are updated; the learning rate each step comes from a {@link LearningRateSchedule}. In JSON: an
 * object with a {@code "type"} of {@code "adam"} or {@code "sgd"}, its settings and its {@code "schedule"}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = OptimizerSpec.Adam.class, name = "adam"),
        @JsonSubTypes.Type(value = OptimizerSpec.Sgd.class, name = "sgd")})
public sealed interface OptimizerSpec {

    LearningRateSchedule schedule();

    /** Adam (Kingma and Ba, 2015) with bias correction. */
    record Adam(LearningRateSchedule schedule, double beta1, double beta2, double epsilon) implements OptimizerSpec {
        public Adam {
            Optimizers.requireSchedule(schedule);
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)) {
                throw new IllegalArgumentException("adam needs beta1, beta2 in [0, 1) and epsilon > 0: " + beta1
                        + ", " + beta2 + ", " + epsilon);
            }
        }
    }

    /** Stochastic gradient descent with (optionally Nesterov) momentum. */
    record Sgd(LearningRateSchedule schedule, double momentum, boolean nesterov) implements OptimizerSpec {
        public Sgd {
            Optimizers.requireSchedule(schedule);
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("momentum must be in [0, 1): " + momentum);
            }
        }
    }
}

package io.medseg.optim;

/** Factory methods for {@link OptimizerSpec}s and {@link LearningRateSchedule}s. */
public final class Optimizers {
    private Optimizers() {
    }

    /** Adam with a constant learning rate and the usual betas (0.9, 0.999) and epsilon 1e-7. */
    public static OptimizerSpec adam(double learningRate) {
        return adam(constant(learningRate));
    }

    public static OptimizerSpec adam(LearningRateSchedule schedule) {
        return new OptimizerSpec.Adam(schedule, 0.9, 0.999, 1e-7);
    }

    public static OptimizerSpec sgd(double learningRate, double momentum) {
        return new OptimizerSpec.Sgd(constant(learningRate), momentum, false);
    }

    public static OptimizerSpec sgd(LearningRateSchedule schedule, double momentum, boolean nesterov) {
        return new OptimizerSpec.Sgd(schedule, momentum, nesterov);
    }

    public static LearningRateSchedule constant(double learningRate) {
        return new LearningRateSchedule.Constant(learningRate);
    }

    public static LearningRateSchedule step(double initial, int everyEpochs, double gamma) {
        return new LearningRateSchedule.Step(initial, everyEpochs, gamma);
    }

    public static LearningRateSchedule cosine(double initial, double finalFraction) {
        return new LearningRateSchedule.Cosine(initial, finalFraction);
    }

    static void requireRate(double rate) {
        if (!(rate > 0) || !Double.isFinite(rate)) {
            throw new IllegalArgumentException("learning rate must be finite and > 0: " + rate);
        }
    }

    static void requireSchedule(LearningRateSchedule schedule) {
        if (schedule == null) {
            throw new IllegalArgumentException("learning rate schedule must not be null");
        }
    }
}

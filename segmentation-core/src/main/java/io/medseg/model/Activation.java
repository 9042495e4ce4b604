package io.medseg.model;

/** Non-linearity after each convolution. */
public enum Activation {
    RELU,
    /** Leaky ReLU with slope 0.01 for negative inputs. */
    LEAKY_RELU,
    ELU
}

package io.medseg.model;

/** How a U-Net decoder doubles the spatial size. */
public enum Upsampling {
    /** A learned 2x2 (stride 2) transpose convolution, as in the original U-Net. */
    TRANSPOSE_CONV
}

package io.medseg.model;

import java.util.Objects;

/**
 * The immutable description of a 2D U-Net: what {@link UNet#builder()} builds and what a backend turns into a
 * network. {@code depth} is the number of down-sampling steps; level {@code i} (0-based) of the encoder has
 * {@code baseFilters * 2^i} filters and the bottleneck {@code baseFilters * 2^depth}.
 */
public record UNetSpec(
        int inputHeight,
        int inputWidth,
        int inputChannels,
        int numClasses,
        int depth,
        int baseFilters,
        int kernelSize,
        Upsampling upsampling,
        boolean batchNorm,
        double dropout,
        Activation activation,
        Normalization normalization,
        InputFit inputFit) {

    public UNetSpec {
        Objects.requireNonNull(upsampling, "upsampling");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(normalization, "normalization");
        Objects.requireNonNull(inputFit, "inputFit");
        String problems = UNet.Builder.problems(inputHeight, inputWidth, inputChannels, numClasses, depth,
                baseFilters, kernelSize, dropout);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems);
        }
    }

    /**
     * Checks that {@code length} values make a batch of {@code batchSize} network inputs of this spec
     * ({@code batchSize x H x W x C}), as every backend's {@code forward} requires.
     *
     * @throws IllegalArgumentException naming both sizes when they do not
     */
    public void checkInputBatch(long length, int batchSize) {
        long per = (long) inputHeight * inputWidth * inputChannels;
        if (batchSize < 1 || length != batchSize * per) {
            throw new IllegalArgumentException("model input shape mismatch: a batch of " + batchSize + " images of "
                    + inputHeight + "x" + inputWidth + "x" + inputChannels + " needs " + (batchSize * per)
                    + " values, got " + length);
        }
    }

    /** Number of trainable parameters (weights and biases, plus batch-norm scale and offset). */
    public long parameterCount() {
        long total = 0;
        int in = inputChannels;
        long k2 = (long) kernelSize * kernelSize;
        int[] filters = new int[depth + 1];
        for (int level = 0; level <= depth; level++) {
            filters[level] = baseFilters << level;
            int f = filters[level];
            total += convParams(k2, in, f) + convParams(k2, f, f);
            in = f;
        }
        for (int level = depth - 1; level >= 0; level--) {
            int f = filters[level];
            total += 4L * filters[level + 1] * f + f; // 2x2 transpose conv
            total += convParams(k2, 2 * f, f) + convParams(k2, f, f);
        }
        total += (long) filters[0] * numClasses + numClasses; // 1x1 classifier
        return total;
    }

    private long convParams(long k2, int in, int out) {
        return k2 * in * out + (batchNorm ? 2L * out : out);
    }

    /** Multiply-adds x2 of one forward pass over one input image (convolutions only). */
    public double forwardFlops() {
        double flops = 0;
        int h = inputHeight;
        int w = inputWidth;
        int in = inputChannels;
        double k2 = (double) kernelSize * kernelSize;
        for (int level = 0; level <= depth; level++) {
            int f = baseFilters << level;
            flops += 2.0 * h * w * k2 * (in + f) * f;
            in = f;
            if (level < depth) {
                h /= 2;
                w /= 2;
            }
        }
        for (int level = depth - 1; level >= 0; level--) {
            int f = baseFilters << level;
            h *= 2;
            w *= 2;
            flops += 2.0 * h * w * (f * 2) * f; // transpose conv: each output pixel gets one 1x1 slice of the 2x2 kernel
            flops += 2.0 * h * w * k2 * (2 * f + f) * f;
        }
        flops += 2.0 * h * w * baseFilters * numClasses;
        return flops;
    }
}

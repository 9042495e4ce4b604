package io.medseg.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Entry point for U-Net specs.
 *
 * <pre>{@code
 * UNetSpec spec = UNet.builder().inputShape(256, 256, 1).numClasses(2).depth(4).baseFilters(32).build();
 * }</pre>
 */
public final class UNet {
    private UNet() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder; {@link #build()} validates every field at once and reports all problems together. */
    public static final class Builder {
        private int height = 256;
        private int width = 256;
        private int channels = 1;
        private int numClasses = 2;
        private int depth = 4;
        private int baseFilters = 32;
        private int kernelSize = 3;
        private Upsampling upsampling = Upsampling.TRANSPOSE_CONV;
        private boolean batchNorm = true;
        private double dropout = 0.0;
        private Activation activation = Activation.RELU;
        private Normalization normalization = Normalization.percentile(1, 99);
        private InputFit inputFit = InputFit.EXACT;

        private Builder() {
        }

        /** Network input height, width and channels (default 256 x 256 x 1). */
        public Builder inputShape(int height, int width, int channels) {
            this.height = height;
            this.width = width;
            this.channels = channels;
            return this;
        }

        /** Number of classes including background (default 2). */
        public Builder numClasses(int numClasses) {
            this.numClasses = numClasses;
            return this;
        }

        /** Number of 2x down-sampling steps, 1..6 (default 4). */
        public Builder depth(int depth) {
            this.depth = depth;
            return this;
        }

        /** Filters at the first level, doubled at each level down (default 32). */
        public Builder baseFilters(int baseFilters) {
            this.baseFilters = baseFilters;
            return this;
        }

        /** Odd convolution kernel size (default 3). */
        public Builder kernelSize(int kernelSize) {
            this.kernelSize = kernelSize;
            return this;
        }

        public Builder upsampling(Upsampling upsampling) {
            this.upsampling = upsampling;
            return this;
        }

        /** Batch normalisation after each convolution (default on). */
        public Builder batchNorm(boolean batchNorm) {
            this.batchNorm = batchNorm;
            return this;
        }

        /** Dropout rate in [0, 1) applied at the bottleneck during training (default 0). */
        public Builder dropout(double dropout) {
            this.dropout = dropout;
            return this;
        }

        public Builder activation(Activation activation) {
            this.activation = activation;
            return this;
        }

        /** Per-image intensity normalisation (default: 1st..99th percentile to 0..1). */
        public Builder normalization(Normalization normalization) {
            this.normalization = normalization;
            return this;
        }

        /** How images of another size meet the input shape (default {@link InputFit#EXACT}). */
        public Builder inputFit(InputFit inputFit) {
            this.inputFit = inputFit;
            return this;
        }

        public UNetSpec build() {
            List<String> nulls = new ArrayList<>();
            if (upsampling == null) {
                nulls.add("upsampling must not be null");
            }
            if (activation == null) {
                nulls.add("activation must not be null");
            }
            if (normalization == null) {
                nulls.add("normalization must not be null");
            }
            if (inputFit == null) {
                nulls.add("inputFit must not be null");
            }
            String problems = problems(height, width, channels, numClasses, depth, baseFilters, kernelSize,
                    dropout);
            if (!nulls.isEmpty()) {
                problems = String.join("; ", nulls) + (problems.isEmpty() ? "" : "; " + problems);
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid U-Net spec: " + problems);
            }
            return new UNetSpec(height, width, channels, numClasses, depth, baseFilters, kernelSize,
                    Objects.requireNonNull(upsampling), batchNorm, dropout, activation, normalization, inputFit);
        }

        static String problems(int height, int width, int channels, int numClasses, int depth, int baseFilters,
                int kernelSize, double dropout) {
            List<String> p = new ArrayList<>();
            if (depth < 1 || depth > 6) {
                p.add("depth must be in 1..6: " + depth);
            }
            if (height <= 0 || width <= 0) {
                p.add("input height and width must be positive: " + height + "x" + width);
            } else if (depth >= 1 && depth <= 6) {
                int div = 1 << depth;
                if (height % div != 0 || width % div != 0) {
                    p.add("input height and width must be divisible by 2^depth = " + div + ": " + height + "x"
                            + width);
                }
            }
            if (channels < 1) {
                p.add("input channels must be >= 1: " + channels);
            }
            if (numClasses < 2 || numClasses > 127) {
                p.add("numClasses must be in 2..127 (background included): " + numClasses);
            }
            if (baseFilters < 1 || baseFilters > 1024) {
                p.add("baseFilters must be in 1..1024: " + baseFilters);
            }
            if (kernelSize < 1 || kernelSize % 2 == 0 || kernelSize > 15) {
                p.add("kernelSize must be odd and in 1..15: " + kernelSize);
            }
            if (!(dropout >= 0 && dropout < 1)) {
                p.add("dropout must be in [0, 1): " + dropout);
            }
            return String.join("; ", p);
        }
    }
}

package io.medseg.inference;

import io.medseg.backend.SegmentationModel;
import io.medseg.model.InputFitter;
import io.medseg.model.UNetSpec;
import java.util.Arrays;
import java.util.Objects;

/**
 * How closely two models compute the same network: the same weights on two backends, or at two precisions. Both run
 * on the same normalised network inputs; compared are the class probabilities (largest and mean absolute difference)
 * and the arg-max masks (pixels and images where the predicted class differs; a tie goes to the lower class, as in
 * {@link Segmenter}).
 *
 * @param images images compared
 * @param values probabilities compared ({@code images x H x W x K})
 * @param maxAbsDifference the largest {@code |p_a - p_b|}
 * @param meanAbsDifference the mean {@code |p_a - p_b|}
 * @param differingPixels pixels whose arg-max class differs
 * @param imagesWithDifferingMasks images with at least one such pixel
 * @param worstImage the index of the image holding {@code maxAbsDifference} (0 when nothing was compared)
 */
public record ModelAgreement(int images, long values, double maxAbsDifference, double meanAbsDifference,
        long differingPixels, int imagesWithDifferingMasks, int worstImage) {

    /** Whether every arg-max mask is identical. */
    public boolean masksIdentical() {
        return differingPixels == 0;
    }

    /** What each model gave, for a caller that keeps them (the {@code agreement} command writes them to files). */
    public static final class Outputs {
        private final float[] a;
        private final float[] b;

        private Outputs(float[] a, float[] b) {
            this.a = a;
            this.b = b;
        }

        /** The first model's probabilities (the array itself, filled by {@link #compare}). */
        public float[] a() {
            return a;
        }

        /** The second model's probabilities. */
        public float[] b() {
            return b;
        }
    }

    /**
     * Runs {@code a} and {@code b} over {@code count} normalised network inputs ({@code count x H x W x C}, as
     * {@link io.medseg.model.InputFitter} makes them) in batches of {@code batchSize}, and compares.
     *
     * @param keep where to put both models' probabilities (arrays of {@code count x H x W x K}), or null
     * @throws IllegalArgumentException when the models' specs differ or the inputs do not fit them
     */
    public static ModelAgreement compare(SegmentationModel a, SegmentationModel b, float[] inputs, int count,
            int batchSize, Outputs keep) {
        UNetSpec spec = a.spec();
        if (!spec.equals(b.spec())) {
            throw new IllegalArgumentException("the models have different specs: " + spec + " and " + b.spec());
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1: " + batchSize);
        }
        int in = spec.inputHeight() * spec.inputWidth() * spec.inputChannels();
        int pixels = spec.inputHeight() * spec.inputWidth();
        int k = spec.numClasses();
        if (count > 0) {
            spec.checkInputBatch(inputs.length, count);
        }
        double max = 0;
        double sum = 0;
        long differing = 0;
        int imagesDiffering = 0;
        int worst = 0;
        for (int start = 0; start < count; start += batchSize) {
            int n = Math.min(batchSize, count - start);
            float[] x = Arrays.copyOfRange(inputs, start * in, (start + n) * in);
            float[] pa = a.forward(x, n);
            float[] pb = b.forward(x, n);
            if (keep != null) {
                System.arraycopy(pa, 0, keep.a(), start * pixels * k, pa.length);
                System.arraycopy(pb, 0, keep.b(), start * pixels * k, pb.length);
            }
            for (int i = 0; i < n; i++) {
                boolean differs = false;
                for (int p = 0; p < pixels; p++) {
                    int base = (i * pixels + p) * k;
                    for (int c = 0; c < k; c++) {
                        double d = Math.abs(pa[base + c] - pb[base + c]);
                        sum += d;
                        if (d > max) {
                            max = d;
                            worst = start + i;
                        }
                    }
                    if (InputFitter.argmax(pa, base, k) != InputFitter.argmax(pb, base, k)) {
                        differing++;
                        differs = true;
                    }
                }
                if (differs) {
                    imagesDiffering++;
                }
            }
        }
        long values = (long) count * pixels * k;
        return new ModelAgreement(count, values, max, values == 0 ? 0 : sum / values, differing, imagesDiffering,
                worst);
    }

    /** Storage for {@link #compare}'s outputs over {@code count} images of {@code spec}. */
    public static Outputs outputs(UNetSpec spec, int count) {
        Objects.requireNonNull(spec, "spec");
        int size = count * spec.inputHeight() * spec.inputWidth() * spec.numClasses();
        return new Outputs(new float[size], new float[size]);
    }
}

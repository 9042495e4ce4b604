package io.medseg.tf;

import io.medseg.loss.LossSpec;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Turns a {@link LossSpec} into graph ops over logits {@code [N, H, W, K]} and one-hot labels of the same shape. */
final class LossGraph {
    private LossGraph() {
    }

    static Operand<TFloat32> build(Ops tf, LossSpec spec, Operand<TFloat32> logits, Operand<TFloat32> oneHot,
            int numClasses) {
        // sealed family: instanceof chain (pattern switch needs Java 21)
        if (spec instanceof LossSpec.CrossEntropy ce) {
            return crossEntropy(tf.withSubScope("cross_entropy"), ce, logits, oneHot, numClasses);
        }
        if (spec instanceof LossSpec.SoftDice dice) {
            return softDice(tf.withSubScope("soft_dice"), dice, logits, oneHot, numClasses);
        }
        if (spec instanceof LossSpec.WeightedSum sum) {
            Operand<TFloat32> total = null;
            int i = 0;
            for (LossSpec.Term term : sum.terms()) {
                Ops s = tf.withSubScope("term" + i++);
                Operand<TFloat32> part = s.math.mul(build(s, term.loss(), logits, oneHot, numClasses),
                        s.constant((float) term.weight()));
                total = total == null ? part : tf.math.add(total, part);
            }
            return total;
        }
        throw new IllegalArgumentException("unsupported loss: " + spec);
    }

    private static Operand<TFloat32> crossEntropy(Ops tf, LossSpec.CrossEntropy spec, Operand<TFloat32> logits,
            Operand<TFloat32> oneHot, int k) {
        if (!spec.classWeights().isEmpty() && spec.classWeights().size() != k) {
            throw new IllegalArgumentException("cross-entropy has " + spec.classWeights().size()
                    + " class weights but the model has " + k + " classes");
        }
        Operand<TInt32> flat = tf.constant(new int[] {-1, k});
        Operand<TFloat32> l2 = tf.reshape(logits, flat);
        Operand<TFloat32> y2 = tf.reshape(oneHot, flat);
        Operand<TFloat32> perPixel = tf.nn.softmaxCrossEntropyWithLogits(l2, y2).loss();
        if (spec.classWeights().isEmpty()) {
            return tf.withName("value").math.mean(perPixel, tf.constant(0));
        }
        float[] w = new float[k];
        for (int c = 0; c < k; c++) {
            w[c] = spec.classWeights().get(c).floatValue();
        }
        // weight of each pixel = weight of its true class
        Operand<TFloat32> pixelWeights = tf.reduceSum(tf.math.mul(y2, tf.constant(w)), tf.constant(1));
        Operand<TFloat32> num = tf.reduceSum(tf.math.mul(perPixel, pixelWeights), tf.constant(0));
        Operand<TFloat32> den = tf.math.maximum(tf.reduceSum(pixelWeights, tf.constant(0)), tf.constant(1e-6f));
        return tf.withName("value").math.div(num, den);
    }

    private static Operand<TFloat32> softDice(Ops tf, LossSpec.SoftDice spec, Operand<TFloat32> logits,
            Operand<TFloat32> oneHot, int k) {
        Operand<TFloat32> p = tf.nn.softmax(logits);
        // batch-pooled: sum over N, H, W -> [K]; per image: sum over H, W -> [N, K]
        Operand<TInt32> axes = tf.constant(spec.perImage() ? new int[] {1, 2} : new int[] {0, 1, 2});
        Operand<TFloat32> inter = tf.reduceSum(tf.math.mul(p, oneHot), axes);
        Operand<TFloat32> sums = tf.math.add(tf.reduceSum(p, axes), tf.reduceSum(oneHot, axes));
        Operand<TFloat32> smooth = tf.constant((float) spec.smooth());
        Operand<TFloat32> dice = tf.math.div(tf.math.add(tf.math.mul(tf.constant(2f), inter), smooth),
                tf.math.add(sums, smooth));
        if (!spec.includeBackground()) {
            // keep classes 1..K-1 along the last axis
            dice = spec.perImage()
                    ? tf.slice(dice, tf.constant(new int[] {0, 1}), tf.constant(new int[] {-1, k - 1}))
                    : tf.slice(dice, tf.constant(new int[] {1}), tf.constant(new int[] {k - 1}));
        }
        Operand<TInt32> all = tf.constant(spec.perImage() ? new int[] {0, 1} : new int[] {0});
        return tf.withName("value").math.sub(tf.constant(1f), tf.math.mean(dice, all));
    }
}

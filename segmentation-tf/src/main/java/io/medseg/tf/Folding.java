package io.medseg.tf;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Folds inference-mode batch norm into the convolution before it. The trained network computes
 * {@code y = conv(x, W) * s + (beta - mean * s)} per output channel with {@code s = gamma / sqrt(var + eps)};
 * the folded network computes {@code conv(x, W * s) + b} with {@code b = beta - mean * s}, the same function with
 * one bias add instead of four element-wise ops, so that convolution, bias and activation fuse. Computed in double
 * and rounded once, so folded and unfolded outputs agree to float rounding.
 */
final class Folding {
    static final String WEIGHTS = "weights";
    static final String BIAS = "bias";
    private static final String[] BATCH_NORM = {"bn_gamma", "bn_beta", "bn_moving_mean", "bn_moving_variance"};

    private Folding() {
    }

    /**
     * The trained (unfolded) variables needed to compute the folded variables {@code folded}: a batch-norm
     * layer's {@code bias} comes from its four batch-norm variables, everything else from the variable of the same
     * name.
     */
    static List<String> sources(List<String> folded, Set<String> batchNormLayers) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        for (String name : folded) {
            String layer = layerOf(name);
            if (batchNormLayers.contains(layer) && name.endsWith("/" + BIAS)) {
                for (String bn : BATCH_NORM) {
                    out.add("unet/" + layer + "/" + bn);
                }
            } else {
                out.add(name);
            }
        }
        return out;
    }

    /**
     * Values of the folded graph's variables {@code folded} from the trained ones ({@code trained}, by name).
     *
     * @throws IllegalArgumentException when a value is missing or has the wrong length
     */
    static Map<String, float[]> fold(Map<String, Integer> folded, Set<String> batchNormLayers,
            Map<String, float[]> trained) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> f : folded.entrySet()) {
            String name = f.getKey();
            String layer = layerOf(name);
            float[] value;
            if (!batchNormLayers.contains(layer)) {
                value = get(trained, name, f.getValue()).clone();
            } else {
                String prefix = "unet/" + layer + "/";
                int channels = get(trained, prefix + "bn_gamma", -1).length;
                double[] scale = scale(get(trained, prefix + "bn_gamma", channels),
                        get(trained, prefix + "bn_moving_variance", channels));
                if (name.endsWith("/" + WEIGHTS)) {
                    float[] w = get(trained, name, f.getValue());
                    value = new float[w.length];
                    // HWIO: the output channel is the fastest-varying index
                    for (int i = 0; i < w.length; i++) {
                        value[i] = (float) (w[i] * scale[i % channels]);
                    }
                } else if (name.endsWith("/" + BIAS)) {
                    float[] beta = get(trained, prefix + "bn_beta", channels);
                    float[] mean = get(trained, prefix + "bn_moving_mean", channels);
                    value = new float[channels];
                    for (int c = 0; c < channels; c++) {
                        value[c] = (float) (beta[c] - mean[c] * scale[c]);
                    }
                } else {
                    throw new IllegalArgumentException("no folding rule for " + name);
                }
            }
            if (value.length != f.getValue()) {
                throw new IllegalArgumentException("folded " + name + " has " + value.length + " values, expected "
                        + f.getValue());
            }
            out.put(name, value);
        }
        return out;
    }

    /** The entries of {@code state} by name, in its order. */
    static Map<String, float[]> values(io.medseg.backend.ModelState state) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String name : state.names()) {
            out.put(name, state.get(name));
        }
        return out;
    }

    private static double[] scale(float[] gamma, float[] variance) {
        double[] s = new double[gamma.length];
        for (int c = 0; c < s.length; c++) {
            s[c] = gamma[c] / Math.sqrt((double) variance[c] + UNetGraph.BN_EPSILON);
        }
        return s;
    }

    private static float[] get(Map<String, float[]> values, String name, int expected) {
        float[] v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("variable " + name + " is missing");
        }
        if (expected >= 0 && v.length != expected) {
            throw new IllegalArgumentException("variable " + name + " has " + v.length + " values, expected "
                    + expected);
        }
        return v;
    }

    /** {@code unet/enc1/conv1/weights} to {@code enc1/conv1}. */
    static String layerOf(String variable) {
        String s = variable.startsWith("unet/") ? variable.substring("unet/".length()) : variable;
        int slash = s.lastIndexOf('/');
        return slash < 0 ? s : s.substring(0, slash);
    }
}

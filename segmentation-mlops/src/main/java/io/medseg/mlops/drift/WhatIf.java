package io.medseg.mlops.drift;

import io.medseg.data.Image;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Perturbed copies of images, to see what a drift check catches before real data does it: a global intensity
 * rescale, and added Gaussian noise scaled to each image's 99th percentile (the scale the drift features use).
 * Pixel spacing is kept.
 */
public final class WhatIf {
    private WhatIf() {
    }

    /** Every pixel times {@code factor}. */
    public static List<Image> scaled(List<Image> images, double factor) {
        if (!(factor > 0 && Double.isFinite(factor))) {
            throw new IllegalArgumentException("scale factor must be > 0: " + factor);
        }
        List<Image> out = new ArrayList<>(images.size());
        for (Image im : images) {
            float[] px = im.toArray();
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) (px[i] * factor);
            }
            out.add(Image.wrap(im.height(), im.width(), im.channels(), px, im.spacing().orElse(null)));
        }
        return out;
    }

    /**
     * Gaussian noise of standard deviation {@code fraction} times each image's 99th percentile added, from one
     * generator seeded with {@code seed} and drawn image after image.
     */
    public static List<Image> noisy(List<Image> images, double fraction, long seed) {
        if (!(fraction >= 0 && Double.isFinite(fraction))) {
            throw new IllegalArgumentException("noise fraction must be >= 0: " + fraction);
        }
        Random rng = new Random(seed);
        List<Image> out = new ArrayList<>(images.size());
        for (Image im : images) {
            float[] px = im.toArray();
            double sigma = fraction * ImageStatistics.percentile99(px);
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) (px[i] + sigma * rng.nextGaussian());
            }
            out.add(Image.wrap(im.height(), im.width(), im.channels(), px, im.spacing().orElse(null)));
        }
        return out;
    }
}

package io.medseg.mlops.drift;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;

/** Image sets and their perturbed copies for the drift tests. */
final class DriftTestImages {
    private DriftTestImages() {
    }

    static List<Image> images(Collection<Sample> samples) {
        return samples.stream().map(Sample::image).toList();
    }

    static List<Mask> masks(Collection<Sample> samples) {
        return samples.stream().map(Sample::mask).toList();
    }

    /** Every pixel times {@code factor}. */
    static List<Image> scaled(List<Image> images, double factor) {
        List<Image> out = new ArrayList<>(images.size());
        for (Image im : images) {
            float[] px = im.toArray();
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) (px[i] * factor);
            }
            out.add(Image.wrap(im.height(), im.width(), 1, px, im.spacing().orElse(null)));
        }
        return out;
    }

    /** Gaussian noise of standard deviation {@code fraction} of each image's 99th percentile added. */
    static List<Image> noisy(List<Image> images, double fraction, long seed) {
        Random rng = new Random(seed);
        List<Image> out = new ArrayList<>(images.size());
        for (Image im : images) {
            float[] px = im.toArray();
            double sigma = fraction * ImageStatistics.percentile99(px);
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) (px[i] + sigma * rng.nextGaussian());
            }
            out.add(Image.wrap(im.height(), im.width(), 1, px, im.spacing().orElse(null)));
        }
        return out;
    }

    /** A contrast change that keeps each image's 99th percentile: {@code v -> p99 * (v / p99)^gamma}. */
    static List<Image> gamma(List<Image> images, double gamma) {
        List<Image> out = new ArrayList<>(images.size());
        for (Image im : images) {
            float[] px = im.toArray();
            double p99 = ImageStatistics.percentile99(px);
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) (p99 * Math.pow(Math.max(0, px[i]) / p99, gamma));
            }
            out.add(Image.wrap(im.height(), im.width(), 1, px, im.spacing().orElse(null)));
        }
        return out;
    }
}

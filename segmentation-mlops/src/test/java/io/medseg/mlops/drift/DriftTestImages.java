package io.medseg.mlops.drift;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

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

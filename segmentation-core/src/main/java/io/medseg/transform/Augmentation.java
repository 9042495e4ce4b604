package io.medseg.transform;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.medseg.data.Sample;
import java.util.random.RandomGenerator;

/**
 * A random transformation of a training sample: image and mask always change together (images interpolated
 * bilinearly, masks by nearest neighbour). Implementations draw every random choice from the generator they are
 * given, so the same generator state gives the same result.
 *
 * <p>The augmentations of {@link Augmentations} (and {@link #none()}) have a JSON form, an object with a
 * {@code "type"} ({@code "compose"}, {@code "probability"}, {@code "flips"}, {@code "rotate90"}, {@code "affine"},
 * {@code "gamma"}, {@code "intensity_scale"}, {@code "gaussian_noise"}, {@code "elastic"}, {@code "bias_field"},
 * {@code "brightness"}, {@code "contrast"}, {@code "random_crop"}, {@code "centre_crop"}, {@code "none"}) and
 * their settings, so a training run can record exactly what it used and be run again. An augmentation of your
 * own is code, not data: {@link #isBuiltIn} tells them apart.
 */
@FunctionalInterface
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = Augmentations.Compose.class, name = "compose"),
        @JsonSubTypes.Type(value = Augmentations.Probability.class, name = "probability"),
        @JsonSubTypes.Type(value = Augmentations.Flips.class, name = "flips"),
        @JsonSubTypes.Type(value = Augmentations.Rotate90.class, name = "rotate90"),
        @JsonSubTypes.Type(value = Augmentations.Affine.class, name = "affine"),
        @JsonSubTypes.Type(value = Augmentations.Gamma.class, name = "gamma"),
        @JsonSubTypes.Type(value = Augmentations.IntensityScale.class, name = "intensity_scale"),
        @JsonSubTypes.Type(value = Augmentations.GaussianNoise.class, name = "gaussian_noise"),
        @JsonSubTypes.Type(value = Augmentations.Elastic.class, name = "elastic"),
        @JsonSubTypes.Type(value = Augmentations.BiasField.class, name = "bias_field"),
        @JsonSubTypes.Type(value = Augmentations.Brightness.class, name = "brightness"),
        @JsonSubTypes.Type(value = Augmentations.Contrast.class, name = "contrast"),
        @JsonSubTypes.Type(value = Augmentations.RandomCrop.class, name = "random_crop"),
        @JsonSubTypes.Type(value = Augmentations.CentreCrop.class, name = "centre_crop"),
        @JsonSubTypes.Type(value = Augmentation.None.class, name = "none")})
public interface Augmentation {

    Sample apply(Sample sample, RandomGenerator random);

    /** Leaves samples unchanged. */
    static Augmentation none() {
        return new None();
    }

    /**
     * Whether {@code augmentation} is one of this library's, all the way down (so its JSON form rebuilds it), rather
     * than code of the caller's.
     */
    static boolean isBuiltIn(Augmentation augmentation) {
        if (augmentation instanceof Augmentations.Compose c) {
            return c.steps().stream().allMatch(Augmentation::isBuiltIn);
        }
        if (augmentation instanceof Augmentations.Probability p) {
            return isBuiltIn(p.augmentation());
        }
        JsonSubTypes.Type[] types = Augmentation.class.getAnnotation(JsonSubTypes.class).value();
        for (JsonSubTypes.Type t : types) {
            if (t.value() == augmentation.getClass()) {
                return true;
            }
        }
        return false;
    }

    /** The identity. */
    record None() implements Augmentation {
        @Override
        public Sample apply(Sample sample, RandomGenerator random) {
            return sample;
        }
    }
}

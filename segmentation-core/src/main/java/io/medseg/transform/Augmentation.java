package io.medseg.transform;

import io.medseg.data.Sample;
import java.util.random.RandomGenerator;

/**
 * A random transformation of a training sample: image and mask always change together (images interpolated
 * bilinearly, masks by nearest neighbour). Implementations draw every random choice from the generator they are
 * given, so the same generator state gives the same result.
 */
@FunctionalInterface
public interface Augmentation {

    Sample apply(Sample sample, RandomGenerator random);

    /** Leaves samples unchanged. */
    static Augmentation none() {
        return (sample, random) -> sample;
    }
}

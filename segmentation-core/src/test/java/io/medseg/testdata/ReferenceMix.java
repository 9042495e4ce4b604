package io.medseg.testdata;

/**
 * The SplitMix64 finaliser the trainer and the batch loader seed augmentation with, written out independently of
 * the main code so tests pin the formula rather than trusting it.
 */
public final class ReferenceMix {
    private ReferenceMix() {
    }

    public static long mix(long seed, long epoch, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + index * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

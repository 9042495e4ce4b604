package io.medseg.benchmarks;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The work a benchmark method did, counted by JMH as secondary results next to its primary score: {@code images}
 * is reported in images per second and {@code gflop} in GFLOP per second (the network's convolution FLOPs,
 * {@link Flops}, of the images processed), so no one has to multiply a batches-per-second score by the batch.
 * In JMH's output they are the rows {@code <benchmark>:images} and {@code <benchmark>:gflop}.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Work {
    /** Images processed in this iteration. */
    public long images;
    /** GFLOP computed in this iteration. */
    public double gflop;

    @Setup(Level.Iteration)
    public void reset() {
        images = 0;
        gflop = 0;
    }

    /** Counts {@code count} images of {@code gflopPerImage} each. */
    void add(int count, double gflopPerImage) {
        images += count;
        gflop += count * gflopPerImage;
    }
}

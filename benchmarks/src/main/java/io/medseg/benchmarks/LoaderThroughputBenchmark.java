package io.medseg.benchmarks;

import io.medseg.data.Sample;
import io.medseg.data.loader.Batch;
import io.medseg.data.loader.BatchLoader;
import io.medseg.data.phantom.CardiacPhantom;
import io.medseg.examples.CardiacRecipe;
import io.medseg.model.InputFitter;
import io.medseg.recipe.Recipe;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * How fast {@link BatchLoader} turns training samples into batches: the default cardiac recipe's augmentation
 * ({@code Augmentations.cardiac()} via the recipe) and input fitting (centre crop of 256x256 phantom frames to
 * 128x128, percentile normalisation), batches of 8, one epoch of 56 samples (4 patients x 14 frames) per
 * invocation, including the wait for the first batches of the epoch.
 *
 * <p><b>Reading the result:</b> the score is samples per second ({@code @OperationsPerInvocation(56)}). Compare it
 * with {@link TrainingStepBenchmark}, also in samples per second: the loader keeps the trainer fed while its score
 * is well above the training step's.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar LoaderThroughput}.
 */
public class LoaderThroughputBenchmark extends ThroughputSettings {
    static final int SAMPLES = 56;
    static final int BATCH = 8;

    /** Loader worker threads. */
    @Param({"1", "2"})
    int workers;

    private BatchLoader loader;
    private List<Integer> order;
    private int epoch;

    @Setup(Level.Trial)
    public void setUp() {
        Recipe recipe = CardiacRecipe.defaults();
        List<Sample> samples = CardiacPhantom.builder().imageSize(256).patients(4).framesPerPatient(14).seed(1)
                .build().generate().samples();
        if (samples.size() != SAMPLES) {
            throw new IllegalStateException("expected " + SAMPLES + " phantom samples, got " + samples.size());
        }
        loader = BatchLoader.builder().samples(samples).fitter(new InputFitter(recipe.spec()))
                .augmentation(recipe.augmentation()).batchSize(BATCH).seed(1).workers(workers).build();
        order = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(1));
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public void epoch(Blackhole bh) {
        // a new epoch number each time, so every invocation draws fresh augmentation parameters
        try (BatchLoader.Epoch batches = loader.epoch(epoch++, order)) {
            while (batches.hasNext()) {
                Batch b = batches.next();
                bh.consume(b);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (loader != null) {
            loader.close();
        }
    }
}

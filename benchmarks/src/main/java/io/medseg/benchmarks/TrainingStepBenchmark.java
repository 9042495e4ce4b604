package io.medseg.benchmarks;

import io.medseg.backend.BackendUnavailableException;
import io.medseg.backend.Backends;
import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.backend.TrainingSession;
import io.medseg.data.Sample;
import io.medseg.data.loader.Batch;
import io.medseg.data.loader.BatchLoader;
import io.medseg.data.phantom.CardiacPhantom;
import io.medseg.examples.CardiacRecipe;
import io.medseg.model.InputFitter;
import io.medseg.recipe.Recipe;
import java.util.List;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Training throughput of the default cardiac recipe ({@code CardiacRecipe.defaults()}: 128x128 input, 4-level
 * U-Net, 16 base filters, cross-entropy plus per-image Dice, Adam): one {@link TrainingSession#step} on a batch of 8
 * augmented and fitted phantom frames, prepared once in the trial setup so only the step is timed.
 *
 * <p>{@code precision=bf16} trains through oneDNN's bf16 rewrite ({@code Backend.create(spec, seed, BF16)}); the
 * setup fails where the machine cannot (the backend would fall back to fp32).
 *
 * <p><b>Reading the result:</b> the score is samples per second ({@code @OperationsPerInvocation(8)}); compare
 * with {@link LoaderThroughputBenchmark}.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar TrainingStep}.
 */
public class TrainingStepBenchmark extends ThroughputSettings {
    static final int BATCH = 8;

    /** {@code fp32}, or {@code bf16} (oneDNN's bf16 rewrite, forward and backward). */
    @Param({"fp32", "bf16"})
    String precision;

    private SegmentationModel model;
    private TrainingSession session;
    private Batch batch;
    private float learningRate;

    @Setup(Level.Trial)
    public void setUp() throws BackendUnavailableException {
        Recipe recipe = CardiacRecipe.defaults();
        List<Sample> samples = CardiacPhantom.builder().imageSize(256).patients(4).framesPerPatient(14).seed(1)
                .build().generate().samples();
        try (BatchLoader loader = BatchLoader.builder().samples(samples).fitter(new InputFitter(recipe.spec()))
                .augmentation(recipe.augmentation()).batchSize(BATCH).seed(1).workers(1).build();
                BatchLoader.Epoch epoch = loader.epoch(0, IntStream.range(0, BATCH).boxed().toList())) {
            batch = epoch.next();
        }
        Precision p = Precision.parse(precision);
        model = Backends.load().create(recipe.spec(), 1, p);
        Networks.requirePrecision(model.precision(), p, "the training model");
        session = model.trainingSession(recipe.loss(), recipe.optimizer());
        learningRate = (float) recipe.optimizer().schedule().learningRate(0, recipe.epochs());
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public float step() {
        return session.step(batch.images(), batch.labels(), batch.size(), learningRate);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (session != null) {
            session.close();
        }
        if (model != null) {
            model.close();
        }
    }
}

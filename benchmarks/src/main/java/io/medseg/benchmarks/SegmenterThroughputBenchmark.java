package io.medseg.benchmarks;

import io.medseg.backend.BackendUnavailableException;
import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.examples.CardiacRecipe;
import io.medseg.inference.Prediction;
import io.medseg.inference.Segmenter;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Inference throughput of the {@link Segmenter} on a 256x256 single-channel U-Net (depth 4, 32 base filters, two
 * classes): preprocessing, the network and the arg-max back to a mask, for one batch per operation.
 *
 * <p><b>Reading the result:</b> JMH reports operations (batches) per second. Images per second is
 * {@code score x batch}: with {@code batch=8}, 2.5 ops/s is 20 images/s. {@code @OperationsPerInvocation} would
 * make JMH do that multiplication, but it takes a compile-time constant and cannot follow a {@code @Param}.
 *
 * <p>The weights are random (seeded): throughput does not depend on their values. Run with
 * {@code java -jar benchmarks/target/benchmarks.jar SegmenterThroughput}.
 */
public class SegmenterThroughputBenchmark extends ThroughputSettings {
    static final int SIZE = 256;
    static final long SEED = 42;

    /** Images per network call. */
    @Param({"1", "8"})
    int batch;

    /**
     * {@code unet256}: the 256x256 U-Net above. {@code cardiac}: the default cardiac recipe's network
     * ({@code CardiacRecipe.defaults()}: centre crop to 128x128, 16 base filters) on the same 256x256 frames.
     */
    @Param({"unet256", "cardiac"})
    String network;

    private SegmentationModel model;
    private Segmenter segmenter;
    private List<Image> images;

    @Setup(Level.Trial)
    public void setUp() throws BackendUnavailableException {
        UNetSpec spec = network.equals("cardiac") ? CardiacRecipe.defaults().spec()
                : UNet.builder().inputShape(SIZE, SIZE, 1).numClasses(2).depth(4).baseFilters(32).build();
        model = Backends.load().create(spec, SEED);
        segmenter = model.segmenter();
        SplittableRandom random = new SplittableRandom(SEED);
        images = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            float[] px = new float[SIZE * SIZE];
            for (int p = 0; p < px.length; p++) {
                px[p] = (float) random.nextDouble(0, 2000); // roughly the intensity range of cine MRI
            }
            images.add(Image.of(SIZE, SIZE, px));
        }
    }

    @Benchmark
    public List<Prediction> predictBatch() {
        // returned so JMH sinks it and the JIT cannot drop the work
        return segmenter.predictBatch(images);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (model != null) {
            model.close();
        }
    }
}

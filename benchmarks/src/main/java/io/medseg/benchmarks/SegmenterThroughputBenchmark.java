package io.medseg.benchmarks;

import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Sample;
import io.medseg.examples.CardiacRecipe;
import io.medseg.inference.Prediction;
import io.medseg.inference.Segmenter;
import io.medseg.postprocess.PostProcessing;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Inference as users get it: a model saved with {@code SegmentationModel.save} (the inference graph, batch norm
 * folded into the convolutions) and loaded with {@code Backend.load(dir, precision)}.
 *
 * <ul>
 *   <li>{@link #predictBatch}: {@code Segmenter.predictBatch} over the real Sunnybrook frames (256x256), a batch
 *       per call, going round all 56 frames: input fitting and normalisation, the network, mapping back to the
 *       frame and the arg-max, and with {@code post=recipe} the default cardiac recipe's post-processing (largest
 *       connected component, holes filled);</li>
 *   <li>{@link #forward}: {@code SegmentationModel.forward} alone on one prepared, normalised batch: the network
 *       plus the copies between Java arrays and tensors. {@code predictBatch} at {@code post=none} less this is
 *       the {@code Segmenter}'s own cost; this less {@link RawTensorFlowBenchmark} is the model wrapper's.</li>
 * </ul>
 *
 * <p>Weights are random (seeded, {@link Networks}), checked in the setup against the unfolded trainable model they
 * were saved from (probabilities equal to 1e-4, or the setup fails). {@code -Dmedseg.bench.model=DIR} runs a saved
 * model of the cardiac network instead (a trained one): the network's cost does not depend on the weights, but
 * post-processing's does. Random weights predict noise-like masks with many small components and holes, unlike a
 * trained model's one solid blob, so {@code post=recipe} with random weights is not the cost a trained model has.
 * Frames come from {@code -Dmedseg.data=DIR} (default {@code ../shared/data/sunnybrook}, from the repository root).
 *
 * <p><b>Reading the result:</b> the primary score is batches per second; the secondary {@code :images} row is
 * images per second, {@code :gflop} the network's GFLOP per second ({@link Flops}). Divide images/s by
 * {@link RawTensorFlowBenchmark}'s for the same network and batch at fp32 for the ratio to raw TensorFlow
 * ({@link ResultsTable}).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SegmenterThroughput}.
 */
public class SegmenterThroughputBenchmark extends ThroughputSettings {

    /** {@code unet256} or {@code cardiac} ({@link Networks#spec}). */
    @Param({Networks.UNET256, Networks.CARDIAC})
    String network;

    /** Images per network call. */
    @Param({"1", "8"})
    int batch;

    /** {@code fp32}, or {@code bf16} (oneDNN's bf16 rewrite). */
    @Param({"fp32", "bf16"})
    String precision;

    /** The post-processing of {@link #predictBatch}; {@link #forward} has none, so it does not take this state. */
    @State(Scope.Benchmark)
    public static class Post {
        /** {@code none}, or {@code recipe}: the default cardiac recipe's (largest component, holes filled). */
        @Param({"none", "recipe"})
        String post;

        boolean recipe;

        /** Fails a bad {@code post} before anything is measured. */
        @Setup(Level.Trial)
        public void setUp() {
            recipe = switch (post) {
                case "none" -> false;
                case "recipe" -> true;
                default -> throw new IllegalArgumentException("post must be none or recipe: '" + post + "'");
            };
        }
    }

    private SegmentationModel model;
    private Segmenter plain;
    private Segmenter recipe;
    private List<List<Image>> batches;
    private float[] input;
    private double gflopPerImage;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        List<Sample> frames = Networks.frames();
        List<Image> first = Networks.firstImages(frames, batch);
        model = Networks.servingModel(network, Networks.precision(precision), first);
        plain = model.segmenter().withPostProcessing(PostProcessing.none());
        recipe = plain.withPostProcessing(CardiacRecipe.defaults().postProcessing());
        batches = Networks.batches(frames.stream().map(Sample::image).toList(), batch);
        input = Networks.input(model.spec(), first);
        gflopPerImage = Flops.unetGflop(model.spec());
    }

    @Benchmark
    public List<Prediction> predictBatch(Post post, Work work) {
        Segmenter segmenter = post.recipe ? recipe : plain;
        List<Image> images = batches.get(next);
        next = (next + 1) % batches.size();
        work.add(images.size(), gflopPerImage);
        // returned so JMH sinks it and the JIT cannot drop the work
        return segmenter.predictBatch(images);
    }

    @Benchmark
    public float[] forward(Work work) {
        work.add(batch, gflopPerImage);
        return model.forward(input, batch);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (model != null) {
            model.close();
            model = null;
        }
    }
}

package io.medseg.benchmarks;

import io.medseg.backend.Backend;
import io.medseg.backend.BackendUnavailableException;
import io.medseg.backend.Backends;
import io.medseg.backend.ModelState;
import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.sunnybrook.SunnybrookDataset;
import io.medseg.examples.CardiacRecipe;
import io.medseg.io.FileTrees;
import io.medseg.model.InputFitter;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What the benchmarks share: the two networks, their seeded weights, the real frames, and the checks that make a
 * setup fail rather than measure the wrong thing.
 *
 * <p>Weights are random (seeded), with batch norm given statistics other than the identity (a new model's moving
 * mean 0 and variance 1, scale 1 and offset 0 would let a wrongly wired batch norm pass every comparison) and small
 * non-zero biases. Dense convolutions cost the same whatever the weights, so network and TensorFlow figures do not
 * depend on them; post-processing does (see {@link SegmenterThroughputBenchmark}).
 */
final class Networks {
    /** The seed of every benchmark's weights. */
    static final long SEED = 42;
    /** System property: the Sunnybrook folder the frames are read from. */
    static final String DATA_PROPERTY = "medseg.data";
    static final String DEFAULT_DATA = "../shared/data/sunnybrook";
    /** System property: a saved cardiac model to run instead of the seeded one (the {@code cardiac} network). */
    static final String MODEL_PROPERTY = "medseg.bench.model";
    /** Largest difference in probabilities allowed between two fp32 computations of the same network. */
    static final double FP32_TOLERANCE = 1e-4;

    static final String UNET256 = "unet256";
    static final String CARDIAC = "cardiac";

    private Networks() {
    }

    /**
     * {@code unet256}: 256x256x1 input, depth 4, 32 base filters, two classes. {@code cardiac}: the default cardiac
     * recipe's network ({@code CardiacRecipe.defaults()}: centre crop to 128x128, 16 base filters).
     */
    static UNetSpec spec(String network) {
        return switch (network) {
            case UNET256 -> UNet.builder().inputShape(256, 256, 1).numClasses(2).depth(4).baseFilters(32).build();
            case CARDIAC -> CardiacRecipe.defaults().spec();
            default -> throw new IllegalArgumentException("network must be " + UNET256 + " or " + CARDIAC + ": '"
                    + network + "'");
        };
    }

    static Precision precision(String label) {
        return Precision.parse(label);
    }

    static Backend backend() {
        try {
            return Backends.load();
        } catch (BackendUnavailableException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * A new trainable model of {@code spec} in fp32 with the benchmark weights: seeded, batch norm and biases
     * perturbed as the class comment says. Its {@link SegmentationModel#forward} runs the unfolded inference graph.
     */
    static SegmentationModel trainable(Backend backend, UNetSpec spec) {
        SegmentationModel model = backend.create(spec, SEED);
        try {
            model.restore(perturbed(model.snapshot()));
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * The benchmark weights: batch-norm scale in [0.75, 1.25], offset and moving mean in [-0.2, 0.2], moving
     * variance in [0.5, 1.5], biases in [-0.05, 0.05]; everything else as it is.
     */
    static ModelState perturbed(ModelState state) {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        Map<String, float[]> values = new LinkedHashMap<>();
        for (String name : state.names()) {
            float[] v = state.get(name);
            double lo;
            double hi;
            if (name.endsWith("/bn_gamma")) {
                lo = 0.75;
                hi = 1.25;
            } else if (name.endsWith("/bn_beta") || name.endsWith("/bn_moving_mean")) {
                lo = -0.2;
                hi = 0.2;
            } else if (name.endsWith("/bn_moving_variance")) {
                lo = 0.5;
                hi = 1.5;
            } else if (name.endsWith("/bias")) {
                lo = -0.05;
                hi = 0.05;
            } else {
                values.put(name, v);
                continue;
            }
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) random.nextDouble(lo, hi);
            }
            values.put(name, v);
        }
        return new ModelState(values);
    }

    /**
     * The model a user serves: for {@code cardiac} with {@value #MODEL_PROPERTY} set, that saved model; otherwise
     * the benchmark weights saved ({@link SegmentationModel#save}: the folded inference graph) and loaded back with
     * {@link Backend#load(Path, Precision)}. Before it is returned the setup checks, and fails otherwise, that the
     * model computes at {@code precision}; that its fp32 load gives the unfolded network's probabilities on
     * {@code images} to {@value #FP32_TOLERANCE} (seeded weights only: a saved model has no unfolded twin); and, at
     * bf16, that the bf16 rewrite changed the result.
     */
    static SegmentationModel servingModel(String network, Precision precision, List<Image> images) {
        Backend backend = backend();
        Path given = savedModelProperty(network);
        Path dir = null;
        try {
            float[] expected = null;
            if (given == null) {
                dir = Files.createTempDirectory("medseg-bench-model-");
                UNetSpec spec = spec(network);
                try (SegmentationModel trainable = trainable(backend, spec)) {
                    expected = trainable.forward(input(spec, images), images.size());
                    trainable.save(dir);
                }
            }
            Path source = given == null ? dir : given;
            if (given != null) {
                System.out.println("model: " + given + " (-D" + MODEL_PROPERTY + ")");
            }
            float[] reference;
            float[] fp32;
            try (SegmentationModel check = backend.load(source)) {
                reference = input(check.spec(), images);
                fp32 = check.forward(reference, images.size());
            }
            if (expected != null) {
                requireClose("the saved (folded) model", fp32, "the unfolded model it was saved from", expected,
                        FP32_TOLERANCE);
            }
            SegmentationModel model = backend.load(source, precision);
            try {
                requirePrecision(model.precision(), precision, "the model loaded from " + source);
                if (precision == Precision.BF16) {
                    requireRewritten("the saved model", model.forward(reference, images.size()), fp32);
                }
                return model;
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            // the loaded SavedModel holds its variables in memory: the files are not needed after the load
            deleteQuietly(dir);
        }
    }

    /** The saved model named by {@value #MODEL_PROPERTY}, for the cardiac network only; null when not set. */
    static Path savedModelProperty(String network) {
        String p = System.getProperty(MODEL_PROPERTY);
        if (p == null || p.isBlank() || !network.equals(CARDIAC)) {
            return null;
        }
        Path dir = Path.of(p);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("-D" + MODEL_PROPERTY + "=" + p + ": no such model directory");
        }
        return dir;
    }

    /** The Sunnybrook folder of {@value #DATA_PROPERTY}, default {@value #DEFAULT_DATA} from the working dir. */
    static Path dataDir() {
        Path dir = Path.of(System.getProperty(DATA_PROPERTY, DEFAULT_DATA));
        if (!SunnybrookDataset.looksLikeSunnybrook(dir)) {
            throw new IllegalArgumentException("no Sunnybrook data at " + dir.toAbsolutePath().normalize()
                    + " (run from the repository root next to ../shared, or set -D" + DATA_PROPERTY + "=DIR)");
        }
        return dir;
    }

    /** Every labelled Sunnybrook frame (56 of 256x256 in the shared subset), in the dataset's order. */
    static List<Sample> frames() {
        try {
            SegmentationDataset data = SunnybrookDataset.load(dataDir());
            if (data.isEmpty()) {
                throw new IllegalStateException("the Sunnybrook folder " + dataDir() + " has no labelled frames");
            }
            return data.samples();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Consecutive batches of {@code batch} frames covering every frame once (the last one wrapping round). */
    static <T> List<List<T>> batches(List<T> items, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1: " + batch);
        }
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i += batch) {
            List<T> b = new ArrayList<>(batch);
            for (int j = 0; j < batch; j++) {
                b.add(items.get((i + j) % items.size()));
            }
            out.add(List.copyOf(b));
        }
        return out;
    }

    /** The normalised network input of {@code images}, as the {@code Segmenter} prepares it. */
    static float[] input(UNetSpec spec, List<Image> images) {
        InputFitter fitter = new InputFitter(spec);
        int per = spec.inputHeight() * spec.inputWidth() * spec.inputChannels();
        float[] out = new float[images.size() * per];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(fitter.input(images.get(i)), 0, out, i * per, per);
        }
        return out;
    }

    /** The first {@code batch} frames' images. */
    static List<Image> firstImages(List<Sample> frames, int batch) {
        return batches(frames, batch).get(0).stream().map(Sample::image).toList();
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths differ: " + a.length + " and " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (!(d <= max)) {
                max = d; // NaN propagates as the maximum
            }
        }
        return max;
    }

    /** Fails unless {@code a} and {@code b} agree to {@code tolerance} everywhere. */
    static void requireClose(String aName, float[] a, String bName, float[] b, double tolerance) {
        double d = maxAbsDiff(a, b);
        if (!(d <= tolerance)) {
            throw new IllegalStateException(String.format(Locale.ROOT, "%s differs from %s by up to %.3g "
                    + "(allowed %.1g): not the same network", aName, bName, d, tolerance));
        }
        System.out.printf(Locale.ROOT, "check: %s equals %s to %.2g (allowed %.1g)%n", aName, bName, d, tolerance);
    }

    /** Fails when a bf16 result equals the fp32 one bit for bit: the bf16 rewrite did not happen. */
    static void requireRewritten(String name, float[] bf16, float[] fp32) {
        double d = maxAbsDiff(bf16, fp32);
        if (d == 0) {
            throw new IllegalStateException(name + " at bf16 gives exactly the fp32 result: the bf16 rewrite did "
                    + "not take effect");
        }
        System.out.printf(Locale.ROOT, "check: %s at bf16 differs from fp32 by up to %.3g (the rewrite ran)%n",
                name, d);
    }

    /** Fails when a model runs at another precision than asked (the backend fell back to fp32). */
    static void requirePrecision(Precision actual, Precision requested, String what) {
        if (actual != requested) {
            throw new IllegalStateException(what + " computes at " + actual.label() + ", not " + requested.label()
                    + " (this machine cannot compute at " + requested.label() + "; see the warning above)");
        }
    }

    static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            FileTrees.deleteTree(dir);
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}

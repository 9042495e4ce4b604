package io.medseg.inference;

import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.model.InputFitter;
import io.medseg.model.UNetSpec;
import io.medseg.postprocess.PostProcessing;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Inference on whole images: fits each image to the network input, normalises it as in training, runs the
 * network and maps the arg-max back to the image's own size. Thread-safe; the model must stay open.
 *
 * <p>The per-image work around the network call (fitting, normalisation, arg-max, post-processing) is shared
 * between the calling thread and a small pool of daemon threads, and {@link #predictAll} overlaps it with the
 * network; results and their order are the same as one thread doing every step in turn would give. Nothing needs
 * closing: the pool's threads end on their own when idle.
 *
 * <p>Uncertainty: {@link #withUncertainty()} makes {@link #predictBatch} and {@link #predictWithProbabilities}
 * return predictions with an {@link UncertaintyMap} (entropy of the mean over the test-time augmentation passes,
 * variance across them, a per-image score); {@link #withMonteCarloDropout} adds dropout samples to the passes where
 * the model can run its network with dropout active ({@link SegmentationModel#supportsDropoutSampling}: the
 * TensorFlow backend's models whose spec has dropout; not the ONNX backend's). Without it only test-time
 * augmentation gives the passes: with {@link TestTimeAugmentation#NONE} there is one pass, the entropy is that of its
 * softmax and the variance is 0.
 */
public final class Segmenter {
    /** Images per network call in {@link #predictAll}. */
    public static final int DEFAULT_BATCH = 8;
    /** Network inputs of at least this many pixels per image are prepared and mapped back on several threads. */
    private static final int PARALLEL_PIXELS = 64 * 64;
    /** Input arrays up to this many floats are kept with their thread for its next call. */
    private static final int MAX_KEPT_INPUT = 1 << 22;
    private static final ThreadLocal<float[]> INPUT = ThreadLocal.withInitial(() -> new float[0]);
    /** Seed of the first Monte-Carlo dropout sample; sample {@code s} uses this plus {@code s}. */
    static final long DROPOUT_SEED = 0x5EED_D00DL;

    private final SegmentationModel model;
    private final UNetSpec spec;
    private final InputFitter fitter;
    private final PostProcessing postProcessing;
    private final TestTimeAugmentation tta;
    private final boolean uncertainty;
    private final int dropoutSamples;

    /** A segmenter that returns masks exactly as the network predicts them, one pass per image. */
    public Segmenter(SegmentationModel model) {
        this(model, PostProcessing.none(), TestTimeAugmentation.NONE);
    }

    public Segmenter(SegmentationModel model, PostProcessing postProcessing, TestTimeAugmentation tta) {
        this(model, postProcessing, tta, false, 0);
    }

    private Segmenter(SegmentationModel model, PostProcessing postProcessing, TestTimeAugmentation tta,
            boolean uncertainty, int dropoutSamples) {
        this.model = Objects.requireNonNull(model, "model");
        this.spec = model.spec();
        this.fitter = new InputFitter(spec);
        this.postProcessing = Objects.requireNonNull(postProcessing, "postProcessing");
        this.tta = Objects.requireNonNull(tta, "tta");
        this.uncertainty = uncertainty;
        this.dropoutSamples = dropoutSamples;
    }

    /** The same model with other post-processing. */
    public Segmenter withPostProcessing(PostProcessing newPostProcessing) {
        return new Segmenter(model, newPostProcessing, tta, uncertainty, dropoutSamples);
    }

    /** The same model with other test-time augmentation. */
    public Segmenter withTestTimeAugmentation(TestTimeAugmentation newTta) {
        return new Segmenter(model, postProcessing, newTta, uncertainty, dropoutSamples);
    }

    /**
     * The same segmenter, its {@link #predictBatch} and {@link #predictWithProbabilities} predictions carrying an
     * {@link Prediction#uncertainty() uncertainty map}. Masks and probabilities are the same as without it.
     */
    public Segmenter withUncertainty() {
        return new Segmenter(model, postProcessing, tta, true, dropoutSamples);
    }

    /** The same segmenter without uncertainty maps. */
    public Segmenter withoutUncertainty() {
        return new Segmenter(model, postProcessing, tta, false, dropoutSamples);
    }

    /**
     * The same segmenter with Monte-Carlo dropout: every test-time augmentation pass is run {@code samples} times
     * with the spec's dropout active, and the probabilities (and the uncertainty) are taken over all of them.
     * {@code 0} turns it off. The samples are drawn from fixed seeds, so a prediction is reproducible.
     *
     * @throws IllegalArgumentException if {@code samples} is negative, or positive for a spec without dropout
     * @throws UnsupportedOperationException if {@code samples} is positive and the model cannot run its network
     *     with dropout active ({@link SegmentationModel#supportsDropoutSampling}), e.g. an ONNX Runtime model
     */
    public Segmenter withMonteCarloDropout(int samples) {
        if (samples < 0) {
            throw new IllegalArgumentException("Monte-Carlo dropout samples must be 0 or more, got " + samples);
        }
        if (samples > 0 && !(spec.dropout() > 0)) {
            throw new IllegalArgumentException("Monte-Carlo dropout needs a model with dropout; this model's spec "
                    + "has dropout " + spec.dropout());
        }
        if (samples > 0 && !model.supportsDropoutSampling()) {
            throw new UnsupportedOperationException("this " + model.backendName() + " model cannot run its network "
                    + "with dropout active at inference, so Monte-Carlo dropout is not available for it; test-time "
                    + "augmentation still gives an uncertainty");
        }
        return new Segmenter(model, postProcessing, tta, uncertainty, samples);
    }

    /** Whether predictions carry an uncertainty map ({@link #withUncertainty()}). */
    public boolean computesUncertainty() {
        return uncertainty;
    }

    /** Monte-Carlo dropout samples per test-time augmentation pass; 0 when off. */
    public int monteCarloSamples() {
        return dropoutSamples;
    }

    /** Network passes per image: test-time augmentation variants times Monte-Carlo dropout samples (at least 1). */
    public int passes() {
        return variants() * Math.max(1, dropoutSamples);
    }

    /** {@link #predictWithProbabilities} with an uncertainty map, whether or not this segmenter computes them. */
    public Prediction predictWithUncertainty(Image image) {
        return (uncertainty ? this : withUncertainty()).predictWithProbabilities(image);
    }

    /** The model this segmenter runs. */
    public SegmentationModel model() {
        return model;
    }

    public TestTimeAugmentation testTimeAugmentation() {
        return tta;
    }

    public PostProcessing postProcessing() {
        return postProcessing;
    }

    public Mask predict(Image image) {
        return predictWithProbabilities(image).mask();
    }

    public Prediction predictWithProbabilities(Image image) {
        return predictBatch(List.of(image)).get(0);
    }

    /** Masks for any number of images, run through the network {@value #DEFAULT_BATCH} at a time. */
    public List<Mask> predictAll(List<Image> images) {
        return predictAll(images, DEFAULT_BATCH);
    }

    /**
     * Masks for any number of images, run through the network {@code batchSize} at a time, in order. While the
     * network runs one batch, the next one is prepared and the previous one's masks are made on another thread,
     * so the network is kept busy; the result is the same as running the batches one after the other.
     */
    public List<Mask> predictAll(List<Image> images, int batchSize) {
        Objects.requireNonNull(images, "images");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        int count = images.size();
        int batches = (count + batchSize - 1) / batchSize;
        List<Mask> out = new ArrayList<>(count);
        if (batches <= 1 || !Workers.parallel()) {
            for (int b = 0; b < batches; b++) {
                for (Prediction p : predictBatch(batch(images, b, batchSize))) {
                    out.add(p.mask());
                }
            }
            return out;
        }
        Mask[] masks = new Mask[count];
        float[][] buffers = new float[2][];
        float[] input = inputFor(buffers, 0, batch(images, 0, batchSize).size(), batchSize);
        prepare(batch(images, 0, batchSize), input, parallel(batchSize));
        float[] previous = null;
        for (int b = 0; b < batches; b++) {
            List<Image> current = batch(images, b, batchSize);
            // the previous batch's masks and the next batch's input, made while the network runs this batch
            Side side = new Side(images, masks, batchSize, b, previous, b + 1 < batches
                    ? inputFor(buffers, b + 1, batch(images, b + 1, batchSize).size(), batchSize) : null);
            Workers.Running running = Workers.start(side);
            float[] probs = null;
            Throwable forwardFailure = null;
            try {
                probs = forward(input, current.size());
            } catch (RuntimeException | Error e) {
                forwardFailure = e;
            }
            running.await();
            // failures in the order a batch-by-batch run would meet them: masks of b - 1, network on b, input
            // of b + 1 (after the masks of b)
            if (side.masksFailure != null) {
                throw Workers.unchecked(side.masksFailure);
            }
            if (forwardFailure != null) {
                throw Workers.unchecked(forwardFailure);
            }
            if (side.inputFailure != null) {
                masks(images, masks, batchSize, b, probs, false);
                throw Workers.unchecked(side.inputFailure);
            }
            previous = probs;
            input = side.nextInput;
        }
        masks(images, masks, batchSize, batches - 1, previous, parallel(batchSize));
        Collections.addAll(out, masks);
        return out;
    }

    /**
     * The side work while the network runs batch {@code current} in {@link #predictAll}: the masks of the batch
     * before it (from {@code previousProbs}) and the input of the one after it (into {@code nextInput}, when there
     * is one). Records failures instead of throwing them.
     */
    private final class Side implements Runnable {
        private final List<Image> images;
        private final Mask[] masks;
        private final int batchSize;
        private final int current;
        private final float[] previousProbs;
        private final float[] nextInput;
        private Throwable masksFailure;
        private Throwable inputFailure;

        Side(List<Image> images, Mask[] masks, int batchSize, int current, float[] previousProbs,
                float[] nextInput) {
            this.images = images;
            this.masks = masks;
            this.batchSize = batchSize;
            this.current = current;
            this.previousProbs = previousProbs;
            this.nextInput = nextInput;
        }

        @Override
        public void run() {
            if (current > 0) {
                try {
                    masks(images, masks, batchSize, current - 1, previousProbs, false);
                } catch (RuntimeException | Error e) {
                    masksFailure = e;
                }
            }
            if (nextInput != null) {
                try {
                    prepare(batch(images, current + 1, batchSize), nextInput, false);
                } catch (RuntimeException | Error e) {
                    inputFailure = e;
                }
            }
        }
    }

    /** Images {@code b * batchSize} up to the next batch. */
    private static List<Image> batch(List<Image> images, int b, int batchSize) {
        int from = b * batchSize;
        return images.subList(from, Math.min(images.size(), from + batchSize));
    }

    /** The input array for batch {@code b} of {@link #predictAll}: two alternate, a short last batch has its own. */
    private float[] inputFor(float[][] buffers, int b, int size, int batchSize) {
        int per = inputSize();
        if (size < batchSize) {
            return new float[size * per];
        }
        if (buffers[b % 2] == null) {
            buffers[b % 2] = new float[batchSize * per];
        }
        return buffers[b % 2];
    }

    /** Makes the masks of batch {@code b} from its network output into {@code masks}. */
    private void masks(List<Image> images, Mask[] masks, int batchSize, int b, float[] probs, boolean parallel) {
        List<Image> batch = batch(images, b, batchSize);
        int netPer = netSize();
        Workers.forEach(batch.size(), parallel,
                i -> masks[b * batchSize + i] = mask(batch.get(i), probs, i * netPer));
    }

    /** Runs all {@code images} through the network as one batch. */
    public List<Prediction> predictBatch(List<Image> images) {
        if (images.isEmpty()) {
            return List.of();
        }
        int n = images.size();
        float[] input = reusableInput(n * inputSize());
        boolean parallel = parallel(n);
        prepare(images, input, parallel);
        int netPer = netSize();
        int k = spec.numClasses();
        Prediction[] out = new Prediction[n];
        if (!uncertainty) {
            float[] probs = forward(input, n);
            Workers.forEach(n, parallel, i -> out[i] = new Prediction(mask(images.get(i), probs, i * netPer), k,
                    fitter, probs, i * netPer, null));
            return new ArrayList<>(Arrays.asList(out));
        }
        int hw = spec.inputHeight() * spec.inputWidth();
        float[] variance = new float[n * hw];
        float[] probs = forwardPasses(input, n, variance);
        int passes = passes();
        Workers.forEach(n, parallel, i -> {
            Image image = images.get(i);
            Mask mask = mask(image, probs, i * netPer);
            float[] entropy = new float[hw];
            for (int p = 0; p < hw; p++) {
                entropy[p] = UncertaintyMap.entropy(probs, i * netPer + p * k, k);
            }
            int h = image.height();
            int w = image.width();
            UncertaintyMap map = new UncertaintyMap(h, w, fitter.pixelMapToImage(entropy, 0, h, w, 0f),
                    fitter.pixelMapToImage(variance, i * hw, h, w, 0f), passes, mask);
            out[i] = new Prediction(mask, k, fitter, probs, i * netPer, map);
        });
        return new ArrayList<>(Arrays.asList(out));
    }

    /** Fits and normalises {@code images} into {@code input}, one after another in the network's layout. */
    private void prepare(List<Image> images, float[] input, boolean parallel) {
        int per = inputSize();
        Workers.forEach(images.size(), parallel, i -> fitter.inputInto(images.get(i), input, i * per));
    }

    /** The mask of {@code image} from its network output at {@code probs[offset..]}, post-processed. */
    private Mask mask(Image image, float[] probs, int offset) {
        byte[] labels = fitter.labelsToImage(probs, offset, image.height(), image.width());
        return postProcessing.apply(Mask.wrap(image.height(), image.width(), labels), spec.numClasses());
    }

    private float[] forward(float[] input, int n) {
        return tta == TestTimeAugmentation.NONE && dropoutSamples == 0 ? model.forward(input, n)
                : forwardPasses(input, n, null);
    }

    /** Test-time augmentation variants per image: {@link TestTimeAugmentation#FLIPS} at most on a non-square input. */
    private int variants() {
        return spec.inputHeight() == spec.inputWidth() ? tta.passes()
                : Math.min(tta.passes(), TestTimeAugmentation.FLIPS.passes());
    }

    /** Whether a batch of {@code n} has enough per-image work to share between threads. */
    private boolean parallel(int n) {
        return n > 1 && spec.inputHeight() * spec.inputWidth() >= PARALLEL_PIXELS;
    }

    private int inputSize() {
        return spec.inputHeight() * spec.inputWidth() * spec.inputChannels();
    }

    private int netSize() {
        return spec.inputHeight() * spec.inputWidth() * spec.numClasses();
    }

    /**
     * A network input array of exactly {@code length} floats, kept with the calling thread for its next call of
     * the same size. The network only reads it during the call.
     */
    private static float[] reusableInput(int length) {
        float[] kept = INPUT.get();
        if (kept.length == length) {
            return kept;
        }
        float[] fresh = new float[length];
        if (length <= MAX_KEPT_INPUT) {
            INPUT.set(fresh);
        }
        return fresh;
    }

    /**
     * Runs every variant of every image as one batch (once per Monte-Carlo dropout sample, when on) and averages the
     * mapped-back probabilities over all passes. With {@code varianceOut} (one value per network pixel of each
     * image) also writes there the variance across the passes of each class probability, averaged over the classes.
     */
    private float[] forwardPasses(float[] input, int n, float[] varianceOut) {
        int h = spec.inputHeight();
        int w = spec.inputWidth();
        int c = spec.inputChannels();
        int k = spec.numClasses();
        int variants = variants();
        int samples = Math.max(1, dropoutSamples);
        int per = h * w * c;
        float[] batch = input;
        if (variants > 1) {
            batch = new float[n * variants * per];
            for (int i = 0; i < n; i++) {
                for (int v = 0; v < variants; v++) {
                    int base = (i * variants + v) * per;
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            int dst = base + TestTimeAugmentation.map(v, y, x, h, w) * c;
                            System.arraycopy(input, i * per + (y * w + x) * c, batch, dst, c);
                        }
                    }
                }
            }
        }
        float[][] outs = new float[samples][];
        for (int s = 0; s < samples; s++) {
            outs[s] = dropoutSamples == 0 ? model.forward(batch, n * variants)
                    : model.forwardWithDropout(batch, n * variants, DROPOUT_SEED + s);
        }
        int perOut = h * w * k;
        float[] mean = new float[n * perOut];
        float scale = 1f / (variants * samples);
        for (int i = 0; i < n; i++) {
            for (float[] out : outs) {
                for (int v = 0; v < variants; v++) {
                    int base = (i * variants + v) * perOut;
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            int src = base + TestTimeAugmentation.map(v, y, x, h, w) * k;
                            int dst = i * perOut + (y * w + x) * k;
                            for (int cl = 0; cl < k; cl++) {
                                mean[dst + cl] += out[src + cl] * scale;
                            }
                        }
                    }
                }
            }
        }
        if (varianceOut != null) {
            float perClass = scale / k;
            for (int i = 0; i < n; i++) {
                for (float[] out : outs) {
                    for (int v = 0; v < variants; v++) {
                        int base = (i * variants + v) * perOut;
                        for (int y = 0; y < h; y++) {
                            for (int x = 0; x < w; x++) {
                                int src = base + TestTimeAugmentation.map(v, y, x, h, w) * k;
                                int dst = i * perOut + (y * w + x) * k;
                                float sum = 0;
                                for (int cl = 0; cl < k; cl++) {
                                    float d = out[src + cl] - mean[dst + cl];
                                    sum += d * d;
                                }
                                varianceOut[i * h * w + y * w + x] += sum * perClass;
                            }
                        }
                    }
                }
            }
        }
        return mean;
    }

    static Mask argmax(float[] probs, int height, int width, int k) {
        byte[] labels = new byte[height * width];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) InputFitter.argmax(probs, i * k, k);
        }
        return Mask.wrap(height, width, labels);
    }
}

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
 */
public final class Segmenter {
    /** Images per network call in {@link #predictAll}. */
    public static final int DEFAULT_BATCH = 8;
    /** Network inputs of at least this many pixels per image are prepared and mapped back on several threads. */
    private static final int PARALLEL_PIXELS = 64 * 64;
    /** Input arrays up to this many floats are kept with their thread for its next call. */
    private static final int MAX_KEPT_INPUT = 1 << 22;
    private static final ThreadLocal<float[]> INPUT = ThreadLocal.withInitial(() -> new float[0]);

    private final SegmentationModel model;
    private final UNetSpec spec;
    private final InputFitter fitter;
    private final PostProcessing postProcessing;
    private final TestTimeAugmentation tta;

    /** A segmenter that returns masks exactly as the network predicts them, one pass per image. */
    public Segmenter(SegmentationModel model) {
        this(model, PostProcessing.none(), TestTimeAugmentation.NONE);
    }

    public Segmenter(SegmentationModel model, PostProcessing postProcessing, TestTimeAugmentation tta) {
        this.model = Objects.requireNonNull(model, "model");
        this.spec = model.spec();
        this.fitter = new InputFitter(spec);
        this.postProcessing = Objects.requireNonNull(postProcessing, "postProcessing");
        this.tta = Objects.requireNonNull(tta, "tta");
    }

    /** The same model with other post-processing. */
    public Segmenter withPostProcessing(PostProcessing newPostProcessing) {
        return new Segmenter(model, newPostProcessing, tta);
    }

    /** The same model with other test-time augmentation. */
    public Segmenter withTestTimeAugmentation(TestTimeAugmentation newTta) {
        return new Segmenter(model, postProcessing, newTta);
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
        float[] probs = forward(input, n);
        int netPer = netSize();
        int k = spec.numClasses();
        Prediction[] out = new Prediction[n];
        Workers.forEach(n, parallel,
                i -> out[i] = new Prediction(mask(images.get(i), probs, i * netPer), k, fitter, probs, i * netPer));
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
        return tta == TestTimeAugmentation.NONE ? model.forward(input, n) : forwardAugmented(input, n);
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

    /** Runs every variant of every image as one batch and averages the mapped-back probabilities. */
    private float[] forwardAugmented(float[] input, int n) {
        int h = spec.inputHeight();
        int w = spec.inputWidth();
        int c = spec.inputChannels();
        int k = spec.numClasses();
        int variants = h == w ? tta.passes() : Math.min(tta.passes(), TestTimeAugmentation.FLIPS.passes());
        int per = h * w * c;
        float[] batch = new float[n * variants * per];
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
        float[] out = model.forward(batch, n * variants);
        int perOut = h * w * k;
        float[] mean = new float[n * perOut];
        float scale = 1f / variants;
        for (int i = 0; i < n; i++) {
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

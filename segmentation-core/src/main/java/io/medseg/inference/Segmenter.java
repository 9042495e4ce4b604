package io.medseg.inference;

import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.model.InputFitter;
import io.medseg.model.UNetSpec;
import io.medseg.postprocess.PostProcessing;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Inference on whole images: fits each image to the network input, normalises it as in training, runs the
 * network and maps the arg-max back to the image's own size. Thread-safe; the model must stay open.
 */
public final class Segmenter {
    /** Images per network call in {@link #predictAll}. */
    public static final int DEFAULT_BATCH = 8;

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
        List<Mask> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i += DEFAULT_BATCH) {
            for (Prediction p : predictBatch(images.subList(i, Math.min(images.size(), i + DEFAULT_BATCH)))) {
                out.add(p.mask());
            }
        }
        return out;
    }

    /** Runs all {@code images} through the network as one batch. */
    public List<Prediction> predictBatch(List<Image> images) {
        if (images.isEmpty()) {
            return List.of();
        }
        int per = spec.inputHeight() * spec.inputWidth() * spec.inputChannels();
        float[] input = new float[images.size() * per];
        for (int i = 0; i < images.size(); i++) {
            float[] one = fitter.input(images.get(i));
            System.arraycopy(one, 0, input, i * per, per);
        }
        float[] probs = tta == TestTimeAugmentation.NONE ? model.forward(input, images.size())
                : forwardAugmented(input, images.size());
        int k = spec.numClasses();
        int netPer = spec.inputHeight() * spec.inputWidth() * k;
        List<Prediction> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            Image img = images.get(i);
            float[] p = fitter.probabilitiesToImage(probs, i * netPer, img.height(), img.width());
            Mask mask = postProcessing.apply(argmax(p, img.height(), img.width(), k), k);
            out.add(new Prediction(mask, k, p));
        }
        return out;
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
            int best = 0;
            float bestP = probs[i * k];
            for (int c = 1; c < k; c++) {
                float v = probs[i * k + c];
                if (v > bestP) {
                    bestP = v;
                    best = c;
                }
            }
            labels[i] = (byte) best;
        }
        return Mask.wrap(height, width, labels);
    }
}

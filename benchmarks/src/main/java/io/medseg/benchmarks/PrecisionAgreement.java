package io.medseg.benchmarks;

import io.medseg.backend.Backend;
import io.medseg.backend.Backends;
import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.sunnybrook.SunnybrookDataset;
import io.medseg.examples.CardiacRecipe;
import io.medseg.inference.Prediction;
import io.medseg.inference.Segmenter;
import io.medseg.metrics.Dice;
import io.medseg.postprocess.PostProcessing;
import io.medseg.recipe.Recipe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How much bf16 inference changes a trained model's output: the same saved model run at fp32 and at bf16 over the
 * labelled frames of a Sunnybrook-layout folder, compared pixel by pixel (arg-max disagreement, largest probability
 * difference) and by Dice against the expert masks, without and with the cardiac recipe's post-processing.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar io.medseg.benchmarks.PrecisionAgreement MODEL_DIR DATA_DIR [PATIENT,...]
 * }</pre>
 */
public final class PrecisionAgreement {
    private PrecisionAgreement() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: PrecisionAgreement MODEL_DIR DATA_DIR [PATIENT,...]");
            System.exit(64);
        }
        Path modelDir = Path.of(args[0]);
        SegmentationDataset data = SunnybrookDataset.load(Path.of(args[1]));
        if (args.length > 2) {
            data = data.forPatients(List.of(args[2].split(",")));
        }
        List<Image> images = data.samples().stream().map(Sample::image).toList();
        List<Mask> truth = data.samples().stream().map(Sample::mask).toList();
        Backend backend = Backends.load();
        Recipe recipe = CardiacRecipe.defaults();
        try (SegmentationModel fp32 = backend.load(modelDir, Precision.FP32);
                SegmentationModel bf16 = backend.load(modelDir, Precision.BF16)) {
            if (bf16.precision() != Precision.BF16) {
                System.err.println("this machine runs bf16 as fp32: nothing to compare");
                System.exit(1);
            }
            for (PostProcessing post : List.of(PostProcessing.none(), recipe.postProcessing())) {
                List<Prediction> a = predict(fp32.segmenter().withPostProcessing(post), images);
                List<Prediction> b = predict(bf16.segmenter().withPostProcessing(post), images);
                long pixels = 0;
                long differ = 0;
                double maxDp = 0;
                for (int i = 0; i < a.size(); i++) {
                    Mask ma = a.get(i).mask();
                    Mask mb = b.get(i).mask();
                    for (int y = 0; y < ma.height(); y++) {
                        for (int x = 0; x < ma.width(); x++) {
                            pixels++;
                            if (ma.get(y, x) != mb.get(y, x)) {
                                differ++;
                            }
                        }
                    }
                    float[] pa = a.get(i).probabilities();
                    float[] pb = b.get(i).probabilities();
                    for (int j = 0; j < pa.length; j++) {
                        maxDp = Math.max(maxDp, Math.abs(pa[j] - pb[j]));
                    }
                }
                double diceA = Dice.summarise(truth, a.stream().map(Prediction::mask).toList(), 1).mean();
                double diceB = Dice.summarise(truth, b.stream().map(Prediction::mask).toList(), 1).mean();
                System.out.printf(Locale.ROOT, "%s, post-processing %s: %d images, arg-max differs on %d of %d pixels "
                        + "(%.4f %%), max |dp| %.4f, mean Dice fp32 %.4f, bf16 %.4f (%+.4f)%n", modelDir,
                        post.isNone() ? "none" : "recipe", images.size(), differ, pixels, 100.0 * differ / pixels,
                        maxDp, diceA, diceB, diceB - diceA);
            }
        }
    }

    private static List<Prediction> predict(Segmenter s, List<Image> images) {
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < images.size(); i += Segmenter.DEFAULT_BATCH) {
            out.addAll(s.predictBatch(images.subList(i, Math.min(images.size(), i + Segmenter.DEFAULT_BATCH))));
        }
        return out;
    }
}

package io.medseg.recipe;

import io.medseg.backend.Backend;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.metrics.Dice;
import io.medseg.metrics.DiceSummary;
import io.medseg.train.Trainer;
import io.medseg.train.TrainingListener;
import io.medseg.train.TrainingResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leave-one-patient-out evaluation of a recipe: for each patient, a fresh model is trained on all the others and
 * evaluated on that patient's frames. This is the honest estimate of how a recipe does on an unseen patient.
 */
public final class CrossValidation {
    private static final Logger LOG = LoggerFactory.getLogger(CrossValidation.class);

    private CrossValidation() {
    }

    /** Dice of one held-out image. */
    public record ImageResult(String id, String patient, double dice) {
    }

    /** One fold: the held-out patient and how the model trained without it did on it. */
    public record Fold(String heldOutPatient, int trainImages, int testImages, int epochs, double trainSeconds,
            double diceMean, double diceGlobal, List<ImageResult> perImage) {
        public Fold {
            perImage = List.copyOf(perImage);
        }
    }

    /**
     * Runs every fold in patient order.
     *
     * @param listeners training listeners attached to every fold's trainer
     * @param onFold called after each fold (progress reporting)
     */
    public static List<Fold> leaveOnePatientOut(Backend backend, Recipe recipe, SegmentationDataset data,
            long seed, List<TrainingListener> listeners, Consumer<Fold> onFold) {
        return leaveOnePatientOut(backend, recipe, data, seed, listeners, onFold, null);
    }

    /**
     * As above; with {@code saveModelsTo} each fold's model is also saved to {@code saveModelsTo/<held-out
     * patient>}, so it can be scored again later (other metrics, other inference settings).
     */
    public static List<Fold> leaveOnePatientOut(Backend backend, Recipe recipe, SegmentationDataset data,
            long seed, List<TrainingListener> listeners, Consumer<Fold> onFold, Path saveModelsTo) {
        Objects.requireNonNull(backend, "backend");
        List<String> patients = data.patients();
        if (patients.size() < 2) {
            throw new IllegalArgumentException("leave-one-patient-out needs at least 2 patients, got " + patients);
        }
        List<Fold> folds = new ArrayList<>();
        for (String held : patients) {
            SegmentationDataset test = data.forPatients(List.of(held));
            SegmentationDataset train = data.withoutPatients(List.of(held));
            Trainer.Builder tb = recipe.trainer(seed).keepBest(false);
            listeners.forEach(tb::listener);
            Fold fold;
            try (SegmentationModel model = backend.create(recipe.spec(), seed)) {
                TrainingResult r = tb.build().fit(model, train.samples(), List.of());
                List<Mask> predicted = recipe.segmenter(model).predictAll(test.samples().stream().map(Sample::image)
                        .toList());
                List<Mask> truth = test.samples().stream().map(Sample::mask).toList();
                DiceSummary d = Dice.summarise(truth, predicted, 1);
                double[] per = d.perImage();
                List<ImageResult> images = new ArrayList<>();
                for (int i = 0; i < per.length; i++) {
                    Sample s = test.get(i);
                    images.add(new ImageResult(s.id(), s.patientId(), per[i]));
                }
                if (saveModelsTo != null) {
                    try {
                        model.save(saveModelsTo.resolve(held));
                    } catch (IOException e) {
                        throw new UncheckedIOException("could not save the model of fold " + held, e);
                    }
                }
                fold = new Fold(held, train.size(), test.size(), r.history().size(),
                        r.elapsed().toMillis() / 1000.0, d.mean(), d.global(), images);
            }
            LOG.info("fold {}: dice mean {} global {} ({} s training)", held, fold.diceMean(), fold.diceGlobal(),
                    fold.trainSeconds());
            folds.add(fold);
            onFold.accept(fold);
        }
        return folds;
    }
}

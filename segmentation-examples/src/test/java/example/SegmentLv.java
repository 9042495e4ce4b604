package example;

import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.DatasetSplit;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.sunnybrook.SunnybrookDataset;
import io.medseg.loss.Losses;
import io.medseg.model.InputFit;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.optim.Optimizers;
import io.medseg.train.Trainer;
import io.medseg.train.TrainingListeners;
import io.medseg.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Path;

/** Trains a left-ventricle U-Net on Sunnybrook data, segments a held-out frame and saves the model. */
public final class SegmentLv {
    private SegmentLv() {
    }

    /** Arguments: the data folder and the model folder to write; relative paths start at the working directory. */
    public static void main(String[] args) throws IOException {
        Path dataDir = Path.of(args.length > 0 ? args[0] : "../shared/data/sunnybrook");
        Path modelDir = Path.of(args.length > 1 ? args[1] : "models/lv");

        // IllegalArgumentException when the folder is not in the Sunnybrook layout; IOException (a
        // DataFormatException, naming the file) when a file in it cannot be read or is malformed
        SegmentationDataset data = SunnybrookDataset.load(dataDir);
        DatasetSplit split = data.splitByPatient(0.3, 1);          // by patient, never by frame

        UNetSpec spec = UNet.builder()
                .inputShape(128, 128, 1)
                .inputFit(InputFit.CENTRE_CROP)                     // 256x256 frames, the heart sits near the centre
                .numClasses(2)                                      // background + LV
                .depth(4)
                .baseFilters(16)
                .build();

        try (SegmentationModel model = Backends.load().create(spec, 42)) {   // same spec + seed = same weights
            TrainingResult result = Trainer.builder()
                    .epochs(30)
                    .batchSize(8)
                    .loss(Losses.crossEntropyPlusDice())
                    .optimizer(Optimizers.adam(1e-3))
                    .seed(1)
                    .listener(TrainingListeners.progressBar())
                    .build()
                    .fit(model, split.train(), split.validation());
            System.out.println("trained " + result.history().size() + " epochs on " + split.train().patients());

            Image frame = split.validation().get(0).image();
            Mask lv = model.segmenter().predict(frame);              // same height and width as the frame
            System.out.println(lv.count(1) + " pixels of left ventricle");
            model.save(modelDir);                                    // load again with Backends.load().load(dir)
            System.out.println("model saved to " + modelDir.toAbsolutePath());
        }
    }
}

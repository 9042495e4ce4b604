package io.medseg.examples.cli;

import io.medseg.data.SegmentationDataset;
import io.medseg.data.tfrecord.LabSchema;
import io.medseg.data.tfrecord.TFRecordDataset;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code segment convert}: any supported input to the cardiac lab's TFRecord pair, {@value #TRAIN} and
 * {@value #VAL}. Both files appear together or not at all: each is written under a temporary name (the writer
 * commits atomically) and only moved into place once both are complete; on any failure whatever was written is
 * removed.
 */
@Command(name = "convert", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Convert labelled data to the lab's two TFRecord files (training and validation).",
                // picocli breaks lines after a '.': short lines keep the file names whole
                "Writes " + ConvertCommand.TRAIN + " and " + ConvertCommand.VAL + "; splits by patient",
                "when the data names at least 2 patients, otherwise by frame."})
public final class ConvertCommand implements Callable<Integer> {
    static final String TRAIN = "train_images.tfrecords";
    static final String VAL = "val_images.tfrecords";

    @ParentCommand
    SegmentCommand root;

    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "Input: a Sunnybrook-layout folder, a TFRecord file or folder, or an image/mask folder.")
    Path data;

    @Option(names = "--to", required = true, paramLabel = "FORMAT", description = "Output format: tfrecord.")
    String to;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write the two files to.")
    Path out;

    @Option(names = "--val-fraction", paramLabel = "F", defaultValue = "0.2",
            description = "Share of patients (or frames) held out for validation (default: ${DEFAULT-VALUE}).")
    double valFraction;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed for the split (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--gzip", description = "Compress the records with GZIP (TensorFlow: compression_type='GZIP').")
    boolean gzip;

    @Override
    public Integer call() throws Exception {
        if (!"tfrecord".equals(to.strip().toLowerCase(Locale.ROOT))) {
            throw new UsageException("--to must be tfrecord: " + to);
        }
        if (!(valFraction > 0 && valFraction < 1)) {
            throw new UsageException("--val-fraction must be in (0, 1): " + valFraction);
        }
        Inputs.existing(data);
        Inputs.outputDirectory(out);
        Path train = out.resolve(TRAIN);
        Path val = out.resolve(VAL);
        for (Path p : new Path[] {train, val}) {
            if (Files.exists(p)) {
                throw new FileAlreadyExistsException(p.toString());
            }
        }
        String format = dataOptions.formatOf(data).id();
        SegmentationDataset ds = dataOptions.load(data, null, root.err());
        Splits.Result split = Splits.trainValidation(ds, valFraction, seed);

        Files.createDirectories(out);
        Path trainTmp = out.resolve("." + TRAIN + ".partial");
        Path valTmp = out.resolve("." + VAL + ".partial");
        boolean done = false;
        try {
            LabSchema schema = LabSchema.create();
            TFRecordDataset.write(split.train().samples(), trainTmp, schema, gzip);
            TFRecordDataset.write(split.validation().samples(), valTmp, schema, gzip);
            Files.move(trainTmp, train, StandardCopyOption.ATOMIC_MOVE);
            Files.move(valTmp, val, StandardCopyOption.ATOMIC_MOVE);
            done = true;
        } finally {
            if (!done) {
                deleteQuietly(trainTmp);
                deleteQuietly(valTmp);
                deleteQuietly(train);
                deleteQuietly(val);
            }
        }
        root.out().printf(Locale.ROOT, "converted %d %s frames of %d patients: %s %d frames (%d patients), "
                + "%s %d frames (%d patients); split by %s, val fraction %s, seed %d%s%n", ds.size(), format,
                ds.patients().size(), train, split.train().size(), split.train().patients().size(), val,
                split.validation().size(), split.validation().patients().size(),
                split.byPatient() ? "patient" : "frame", valFraction, seed, gzip ? ", gzip" : "");
        return 0;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // the original failure is what the user needs to see
        }
    }
}

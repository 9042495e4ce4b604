package io.medseg.examples.cli;

import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.dicom.DicomReader;
import io.medseg.data.sunnybrook.SunnybrookDataset;
import io.medseg.io.AtomicFile;
import io.medseg.mlops.ModelPackage;
import io.medseg.mlops.drift.DataProfile;
import io.medseg.mlops.drift.DriftDetector;
import io.medseg.mlops.drift.DriftReport;
import io.medseg.mlops.drift.WhatIf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code segment drift}: compares incoming images (and the model's predictions on them) with the training-data
 * profile saved in a model package, feature by feature, and exits 3 when the data has drifted.
 */
@Command(name = "drift", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Check incoming images against the training-data profile of a model package: intensity "
                + "histogram (PSI), per-image intensity, spread, noise, size, pixel spacing and predicted LV area "
                + "(two-sample Kolmogorov-Smirnov).",
                "  segment drift --reference PKG --data DIR",
                "Exits 0 when no feature drifted, 3 when one did. --what-if-scale / --what-if-noise perturb the "
                        + "incoming images first, to see what the monitor would catch."})
public final class DriftCommand implements Callable<Integer> {
    /** Seed of the --what-if-noise generator, so the same command gives the same report. */
    static final long NOISE_SEED = 1;

    @ParentCommand
    SegmentCommand root;

    @Mixin
    BackendOption backendOption;

    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Option(names = "--reference", required = true, paramLabel = "PKG",
            description = "A model package with a data profile (segment export of a training run).")
    Path reference;

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "Incoming data: labelled data in any supported format, or with --images any folder of "
                    + "DICOM files.")
    Path data;

    @Option(names = "--images", description = "Read every DICOM file under --data (no labels needed).")
    boolean dicomImages;

    @Option(names = "--patients", paramLabel = "ID", split = ",",
            description = "Only these patients of labelled data.")
    List<String> patients;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write the JSON report to FILE.")
    Path reportFile;

    @Option(names = "--what-if-scale", paramLabel = "F",
            description = "Multiply every incoming pixel by F before comparing.")
    Double whatIfScale;

    @Option(names = "--what-if-noise", paramLabel = "S",
            description = "Add Gaussian noise of S times each image's 99th percentile before comparing (seeded).")
    Double whatIfNoise;

    @Override
    public Integer call() throws Exception {
        if (whatIfScale != null && !(whatIfScale > 0 && Double.isFinite(whatIfScale))) {
            throw new UsageException("--what-if-scale must be > 0: " + whatIfScale);
        }
        if (whatIfNoise != null && !(whatIfNoise >= 0 && Double.isFinite(whatIfNoise))) {
            throw new UsageException("--what-if-noise must be >= 0: " + whatIfNoise);
        }
        if (reportFile != null && Files.isDirectory(reportFile)) {
            throw new UsageException(reportFile + ": is a directory (--report names the JSON file to write)");
        }
        Inputs.existing(data);
        ModelPackage pkg = ModelPackage.open(Inputs.directory(reference));
        Path profileFile = pkg.dir().resolve(ModelPackage.DATA_PROFILE);
        if (!Files.isRegularFile(profileFile)) {
            throw new UsageException(reference + ": the package has no " + ModelPackage.DATA_PROFILE
                    + " (export it from a training run that recorded one)");
        }
        DataProfile profile = DataProfile.read(profileFile);
        List<Image> images = perturb(load());
        DriftReport report;
        try (SegmentationModel m = backendOption.backend().load(pkg.dir())) {
            List<Mask> predicted = new InferenceOptions().segmenter(m).predictAll(images);
            report = DriftDetector.defaults().compare(profile, images, predicted);
        }
        if (reportFile != null) {
            AtomicFile.writeString(reportFile, report.toJson());
        }
        root.out().println(json ? io.medseg.io.Json.writeCompact(report) : report.summary());
        return report.drifted() ? Errors.NOT_MET : 0;
    }

    private List<Image> load() throws java.io.IOException {
        if (dicomImages) {
            List<Path> files = SunnybrookDataset.dicomFiles(data);
            if (files.isEmpty()) {
                throw new UsageException(data + ": no DICOM files found");
            }
            List<Image> out = new ArrayList<>();
            for (Path f : files) {
                out.add(DicomReader.read(f).toImage());
            }
            return out;
        }
        return dataOptions.load(data, patients, root.err()).samples().stream().map(Sample::image).toList();
    }

    private List<Image> perturb(List<Image> images) {
        List<Image> out = images;
        if (whatIfScale != null) {
            out = WhatIf.scaled(out, whatIfScale);
        }
        if (whatIfNoise != null) {
            out = WhatIf.noisy(out, whatIfNoise, NOISE_SEED);
        }
        return out;
    }
}

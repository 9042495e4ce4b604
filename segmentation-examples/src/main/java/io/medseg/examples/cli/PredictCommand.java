package io.medseg.examples.cli;

import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.dicom.DicomReader;
import io.medseg.data.sunnybrook.SunnybrookDataset;
import io.medseg.inference.Segmenter;
import io.medseg.viz.MaskPng;
import io.medseg.viz.Overlays;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code segment predict}: a mask PNG and an overlay PNG for every DICOM file under the input, mirroring the
 * input's folder structure under the output folder.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Segment DICOM images with a saved model.",
                // picocli breaks lines after a '.': short lines keep the file names whole
                "For each IN/a/b.dcm writes OUT/a/b.png (8-bit grayscale, pixel value = class",
                "index, 0 = background) and OUT/a/b_overlay.png (the image with the predicted",
                "contour in red)."})
public final class PredictCommand implements Callable<Integer> {
    /** Images read and segmented at a time: bounds memory on large folders; the segmenter batches within it. */
    static final int CHUNK = 64;

    @ParentCommand
    SegmentCommand root;

    @Mixin
    InferenceOptions inference = new InferenceOptions();

    @Option(names = "--model", required = true, paramLabel = "MODEL_DIR", description = "A saved model folder.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "FILE_OR_DIR",
            description = "A DICOM file, or a folder searched recursively for DICOM files.")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path modelDir = Inputs.modelDirectory(model);
        Inputs.existing(input);
        Inputs.outputDirectory(out);
        List<Path> files = SunnybrookDataset.dicomFiles(input);
        if (files.isEmpty()) {
            throw new UsageException(input + ": no DICOM files found");
        }
        PrintStream err = root.err();
        Path base = Files.isDirectory(input) ? input.toAbsolutePath().normalize() : null;
        try (SegmentationModel m = Backends.load().load(modelDir)) {
            Segmenter segmenter = inference.segmenter(m);
            int done = 0;
            for (int from = 0; from < files.size(); from += CHUNK) {
                List<Path> chunk = files.subList(from, Math.min(files.size(), from + CHUNK));
                List<Image> images = new ArrayList<>(chunk.size());
                for (Path f : chunk) {
                    images.add(DicomReader.read(f).toImage());
                }
                List<Mask> masks = segmenter.predictAll(images);
                for (int i = 0; i < chunk.size(); i++) {
                    Path rel = base == null ? chunk.get(i).getFileName()
                            : base.relativize(chunk.get(i).toAbsolutePath().normalize());
                    Path[] targets = outputs(out, rel);
                    MaskPng.write(masks.get(i), targets[0]);
                    Overlays.writePng(Overlays.render(images.get(i), masks.get(i), null), targets[1]);
                }
                done += chunk.size();
                err.printf(Locale.ROOT, "\rsegmented %d/%d", done, files.size());
                err.flush();
            }
            err.println();
        }
        root.out().println("wrote " + files.size() + " masks (.png) and overlays (_overlay.png) under " + out);
        return 0;
    }

    /** {mask, overlay} paths for an input at {@code rel}: {@code .dcm} replaced by {@code .png}. */
    static Path[] outputs(Path outDir, Path rel) {
        String name = rel.getFileName().toString();
        String stem = name.toLowerCase(Locale.ROOT).endsWith(".dcm") ? name.substring(0, name.length() - 4) : name;
        Path parent = rel.getParent() == null ? outDir : outDir.resolve(rel.getParent().toString());
        return new Path[] {parent.resolve(stem + ".png"), parent.resolve(stem + "_overlay.png")};
    }
}

package io.medseg.examples.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.dicom.DicomFiles;
import io.medseg.data.dicom.DicomReader;
import io.medseg.inference.Segmenter;
import io.medseg.io.Json;
import io.medseg.io.TextFields;
import io.medseg.viz.MaskPng;
import io.medseg.viz.Overlays;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code segment predict}: a mask PNG and an overlay PNG for every DICOM file under the input, mirroring the
 * input's folder structure under the output folder. A file that cannot be read or segmented does not stop the
 * others (unless {@code --fail-fast}): it is listed at the end and in {@value #SUMMARY}, and the exit code is
 * {@value Errors#USAGE}.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Segment DICOM images with a saved model.",
                // picocli breaks lines after a '.': short lines keep the file names whole
                "For each IN/a/b.dcm writes OUT/a/b.png (8-bit grayscale, pixel value = class",
                "index, 0 = background) and OUT/a/b_overlay.png (the image with the predicted",
                "contour in red).",
                "DICOM files are those named *.dcm and those that start like DICOM (a 128-byte",
                "preamble, then 'DICM'), with or without an extension.",
                "A file that cannot be read or segmented is skipped and the others are still",
                "written; the failures are listed at the end (file: reason).",
                "OUT/" + PredictCommand.SUMMARY + " lists every file written and every failure.",
                "Exit code 0 when every file was segmented, 2 when any file was refused (1 when",
                "a failure was not the file's fault, e.g. a read error of the disk)."})
public final class PredictCommand implements Callable<Integer> {
    /** Images read and segmented at a time: bounds memory on large folders; the segmenter batches within it. */
    static final int CHUNK = 64;
    /** The JSON summary written into the output folder. */
    static final String SUMMARY = "predictions-summary.json";
    /** The most characters of a path the console shows. */
    private static final int MAX_PATH_CHARS = 300;

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

    @Option(names = "--fail-fast",
            description = "Stop at the first file that cannot be read or segmented, with its error (exit code 2); "
                    + "what was written before it stays.")
    boolean failFast;

    /** {@value #SUMMARY}: what was asked, what was written and what failed, in input order. */
    record Summary(String model, String input, String output, int files, int written, int failed,
            @JsonProperty("stopped_early") boolean stoppedEarly, List<Written> predictions,
            List<Failure> failures) {
    }

    /** One input and the two files written for it. */
    record Written(String file, String mask, String overlay) {
    }

    /** One input that could not be segmented, and why. */
    record Failure(String file, String reason) {
    }

    /** A failure with the exit code its error has on its own. */
    private record Failed(int index, Failure failure, int exitCode) {
    }

    /** One input file with the outputs it gets, or why it gets none. */
    private record Job(int index, Path source, Path mask, Path overlay, String clash) {
    }

    private final List<Written> written = new ArrayList<>();
    private final List<Failed> failed = new ArrayList<>();
    private int total;
    private int done;

    @Override
    public Integer call() throws Exception {
        Path modelDir = Inputs.modelDirectory(model);
        Inputs.existing(input);
        Inputs.outputDirectory(out);
        List<Path> files = DicomFiles.find(input);
        if (files.isEmpty()) {
            throw new UsageException(input + ": no DICOM files found (files named *.dcm, or starting with a "
                    + "128-byte preamble and 'DICM')");
        }
        PrintStream err = root.err();
        List<Job> jobs = plan(files);
        total = jobs.size();
        try (SegmentationModel m = Backends.load().load(modelDir)) {
            Segmenter segmenter = inference.segmenter(m);
            for (int from = 0; from < jobs.size(); from += CHUNK) {
                List<Job> chunk = jobs.subList(from, Math.min(jobs.size(), from + CHUNK));
                List<Job> read = new ArrayList<>(chunk.size());
                List<Image> images = new ArrayList<>(chunk.size());
                for (Job job : chunk) {
                    try {
                        if (job.clash() != null) {
                            throw new UsageException(job.clash());
                        }
                        images.add(DicomReader.read(job.source()).toImage());
                        read.add(job);
                    } catch (IOException | RuntimeException e) {
                        fail(job, e);
                    }
                }
                List<Mask> masks = segment(segmenter, read, images);
                for (int i = 0; i < read.size(); i++) {
                    if (masks.get(i) == null) {
                        continue;
                    }
                    Job job = read.get(i);
                    MaskPng.write(masks.get(i), job.mask());
                    Overlays.writePng(Overlays.render(images.get(i), masks.get(i), null), job.overlay());
                    written.add(new Written(job.source().toString(), job.mask().toString(),
                            job.overlay().toString()));
                }
                done += chunk.size();
                // redrawn in place on a terminal; a line per chunk in a log or a pipe
                err.printf(Locale.ROOT, root.terminal() ? "\rsegmented %d/%d" : "segmented %d/%d%n", done, total);
                err.flush();
            }
            if (root.terminal()) {
                err.println();
            }
        }
        Path summary = writeSummary(false);
        for (Failed f : failed) {
            err.println(Errors.PREFIX + shown(f.failure().file()) + ": " + f.failure().reason());
        }
        root.out().println("wrote " + written.size() + " masks (.png) and overlays (_overlay.png) under " + out
                + (failed.isEmpty() ? "" : "; " + failed.size() + " of " + total + " files failed, listed in "
                        + summary));
        if (failed.isEmpty()) {
            return 0;
        }
        return failed.stream().allMatch(f -> f.exitCode() == Errors.USAGE) ? Errors.USAGE : Errors.FAILURE;
    }

    /** The outputs of every file; a file whose outputs another file already has is marked, not overwritten. */
    private List<Job> plan(List<Path> files) {
        Path base = Files.isDirectory(input) ? input.toAbsolutePath().normalize() : null;
        Map<Path, Path> owners = new HashMap<>();
        List<Job> jobs = new ArrayList<>(files.size());
        for (Path f : files) {
            Path rel = base == null ? f.getFileName() : base.relativize(f.toAbsolutePath().normalize());
            Path[] targets = outputs(out, rel);
            Path owner = owners.putIfAbsent(targets[0].toAbsolutePath().normalize(), f);
            jobs.add(new Job(jobs.size(), f, targets[0], targets[1], owner == null ? null
                    : "its outputs " + targets[0].getFileName() + " and " + targets[1].getFileName()
                            + " would overwrite those of " + shown(owner.toString()) + "; rename one of them"));
        }
        return jobs;
    }

    /**
     * The masks of {@code images}, one per image; null where that image could not be segmented. The chunk runs as
     * one batch; if that fails, each image runs on its own so that one bad image does not cost the others.
     */
    private List<Mask> segment(Segmenter segmenter, List<Job> jobs, List<Image> images) throws Exception {
        try {
            return segmenter.predictAll(images);
        } catch (RuntimeException batchFailure) {
            List<Mask> masks = new ArrayList<>(images.size());
            for (int i = 0; i < images.size(); i++) {
                try {
                    masks.add(segmenter.predict(images.get(i)));
                } catch (RuntimeException e) {
                    fail(jobs.get(i), e);
                    masks.add(null);
                }
            }
            return masks;
        }
    }

    /** Records a failure; with --fail-fast, writes the summary and ends the command with the failure's error. */
    private void fail(Job job, Exception e) throws Exception {
        Errors.Outcome o = Errors.describe(e);
        String file = job.source().toString();
        String named = shown(file) + ": ";
        boolean namesFile = o.message().startsWith(named);
        String reason = namesFile ? o.message().substring(named.length()) : o.message();
        failed.add(new Failed(job.index(), new Failure(file, reason), o.exitCode()));
        // a file refused by the network is found after the later ones of its chunk that could not be read
        failed.sort(Comparator.comparingInt(Failed::index));
        if (!failFast) {
            return;
        }
        if (done > 0) {
            root.err().println();   // ends the progress line
        }
        writeSummary(true);
        if (namesFile) {
            throw e;
        }
        // the network's or the planner's message does not name the file: the user needs to know which it was
        throw o.exitCode() == Errors.USAGE ? new UsageException(named + reason) : new IOException(named + reason, e);
    }

    private Path writeSummary(boolean stoppedEarly) throws IOException {
        Path file = out.resolve(SUMMARY);
        Json.writeFile(file, new Summary(model.toString(), input.toString(), out.toString(), total, written.size(),
                failed.size(), stoppedEarly, written, failed.stream().map(Failed::failure).toList()));
        return file;
    }

    private static String shown(String path) {
        return TextFields.printable(path, MAX_PATH_CHARS);
    }

    /** {mask, overlay} paths for an input at {@code rel}: {@code .dcm} replaced by {@code .png}. */
    static Path[] outputs(Path outDir, Path rel) {
        String name = rel.getFileName().toString();
        String stem = name.toLowerCase(Locale.ROOT).endsWith(".dcm") ? name.substring(0, name.length() - 4) : name;
        Path parent = rel.getParent() == null ? outDir : outDir.resolve(rel.getParent().toString());
        return new Path[] {parent.resolve(stem + ".png"), parent.resolve(stem + "_overlay.png")};
    }
}

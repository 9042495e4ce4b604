package io.medseg.examples.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.dicom.DicomFiles;
import io.medseg.data.dicom.DicomReader;
import io.medseg.inference.Prediction;
import io.medseg.inference.Segmenter;
import io.medseg.inference.UncertaintyMap;
import io.medseg.io.Json;
import io.medseg.io.TextFields;
import io.medseg.viz.MaskPng;
import io.medseg.viz.Overlays;
import io.medseg.viz.UncertaintyHeatMap;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code segment predict}: a mask PNG and an overlay PNG for every DICOM file under the input, mirroring the
 * input's folder structure under the output folder. A file that cannot be read, segmented or written does not
 * stop the others (unless {@code --fail-fast}): it is listed at the end and in {@value #SUMMARY}, and the exit code
 * is {@value Errors#USAGE} ({@value Errors#FAILURE} when a failure was not the file's fault). Files are decoded,
 * segmented and written on threads of their own ({@link PredictPipeline}), so the network does not wait for the
 * disk; the throughput is printed at the end and recorded in the summary.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Segment DICOM images with a saved model.",
                // picocli breaks lines after a '.': short lines keep the file names whole
                "For each IN/a/b.dcm writes OUT/a/b.png (8-bit grayscale, pixel value = class",
                "index, 0 = background) and OUT/a/b_overlay.png (the image with the predicted",
                "contour in red); with --uncertainty also OUT/a/b-uncertainty.png (how unsure",
                "the network was of each pixel: black certain, red, yellow, white undecided).",
                "DICOM files are those named *.dcm and those that start like DICOM (a 128-byte",
                "preamble, then 'DICM'), with or without an extension.",
                "A file that cannot be read, segmented or written is skipped and the others are",
                "still written; the failures are listed at the end (file: reason).",
                "OUT/" + PredictCommand.SUMMARY + " lists every file written and every failure,",
                "the precision the network ran at and the images segmented per second.",
                "Exit code 0 when every file was segmented, 2 when any file was refused (1 when",
                "a failure was not the file's fault, e.g. a read error of the disk)."})
public final class PredictCommand implements Callable<Integer> {
    /**
     * The most decoded images, and the most masks, waiting for the next stage: with one batch in the network and
     * one image per writer, under 64 images are held at a time, however large the folder.
     */
    static final int QUEUE = 2 * Segmenter.DEFAULT_BATCH;
    /** Threads writing PNGs: the network is the slow stage, two keep up with it. */
    static final int WRITERS = 2;
    /** Off a terminal, a progress line every this many files (and after the last). */
    static final int PROGRESS_EVERY = 64;
    /** The JSON summary written into the output folder. */
    static final String SUMMARY = "predictions-summary.json";
    /** The most characters of a path the console shows. */
    private static final int MAX_PATH_CHARS = 300;

    @ParentCommand
    SegmentCommand root;

    @Mixin
    BackendOption backendOption;

    @Mixin
    InferenceOptions inference = new InferenceOptions();

    @Mixin
    PrecisionOption precisionOption = new PrecisionOption();

    @Option(names = "--model", required = true, paramLabel = "MODEL_DIR", description = "A saved model folder.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "FILE_OR_DIR",
            description = "A DICOM file, or a folder searched recursively for DICOM files.")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--fail-fast",
            description = "Stop at the first file that cannot be read, segmented or written, with its error (exit "
                    + "code 2 or 1); what was written before it stays.")
    boolean failFast;

    @Option(names = "--uncertainty",
            description = "Also write <name>-uncertainty.png beside each mask: the normalised entropy of the "
                    + "class probabilities (averaged over the --tta passes), black 0 (certain) through red and "
                    + "yellow to white 1 (all classes equally likely); the summary gives each image's uncertainty "
                    + "score.")
    boolean uncertainty;

    /** Each written job's uncertainty score, by job index, under --uncertainty. */
    private final Map<Integer, Double> scores = new ConcurrentHashMap<>();

    /**
     * {@value #SUMMARY}: what was asked, what was written and what failed, in input order; {@code precision} is what
     * the network ran at, {@code seconds} the time from the first file read to the last written.
     */
    record Summary(String model, String precision, String input, String output, int files, int written, int failed,
            @JsonProperty("stopped_early") boolean stoppedEarly, double seconds,
            @JsonProperty("images_per_second") double imagesPerSecond, List<Written> predictions,
            List<Failure> failures) {
    }

    /**
     * One input and the files written for it; the heat map and the score only under {@code --uncertainty}
     * ({@link UncertaintyMap#score}).
     */
    record Written(String file, String mask, String overlay, Optional<String> uncertainty,
            @JsonProperty("uncertainty_score") OptionalDouble uncertaintyScore) {
    }

    /** One input that could not be read, segmented or written, and why. */
    record Failure(String file, String reason) {
    }

    /** One input file with the outputs it gets ({@code heatMap} null without --uncertainty), or why it gets none. */
    record Job(int index, Path source, Path mask, Path overlay, Path heatMap, String clash) {
    }

    private int total;
    private boolean progressShown;

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
        PredictPipeline.Result<Job> result;
        String precision;
        long nanos;
        try (SegmentationModel m = backendOption.backend().load(modelDir, precisionOption.precision)) {
            precision = m.precision().label();
            Segmenter segmenter = inference.segmenter(m);
            long start = System.nanoTime();
            if (uncertainty) {
                Segmenter withMaps = segmenter.withUncertainty();
                result = new PredictPipeline<Job, Image, Prediction>(Segmenter.DEFAULT_BATCH, QUEUE, WRITERS,
                        failFast, PredictCommand::decode, withMaps::predictBatch, this::writeWithHeatMap,
                        this::progress).run(jobs);
            } else {
                result = new PredictPipeline<Job, Image, Mask>(Segmenter.DEFAULT_BATCH, QUEUE, WRITERS, failFast,
                        PredictCommand::decode, segmenter::predictAll, PredictCommand::write, this::progress)
                        .run(jobs);
            }
            nanos = System.nanoTime() - start;
        }
        if (progressShown && root.terminal()) {
            err.println();   // ends the progress line drawn in place
        }
        List<Failed> failed = result.failures().stream().map(PredictCommand::failed).toList();
        double seconds = nanos / 1e9;
        int written = result.written().size();
        Path summary = writeSummary(precision, result, failed, seconds);
        if (result.stopped() != null) {
            throw failed.get(result.failures().indexOf(result.stopped())).error();
        }
        err.printf(Locale.ROOT, "segmented %d images in %.1f s (%.1f images/s)%n", written, seconds,
                perSecond(written, seconds));
        for (Failed f : failed) {
            err.println(Errors.PREFIX + shown(f.failure().file()) + ": " + f.failure().reason());
        }
        root.out().println("wrote " + written + " masks (.png)" + (uncertainty ? ", overlays (_overlay.png) and "
                + "uncertainty heat maps (-uncertainty.png)" : " and overlays (_overlay.png)") + " under " + out
                + (failed.isEmpty() ? "" : "; " + failed.size() + " of " + total + " files failed, listed in "
                        + summary));
        if (failed.isEmpty()) {
            return 0;
        }
        return failed.stream().allMatch(f -> f.exitCode() == Errors.USAGE) ? Errors.USAGE : Errors.FAILURE;
    }

    private static Image decode(Job job) throws IOException {
        if (job.clash() != null) {
            throw new UsageException(job.clash());
        }
        return DicomReader.read(job.source()).toImage();
    }

    /** The mask, then the overlay; a file whose overlay cannot be written keeps no mask either. */
    private static void write(Job job, Image image, Mask mask) throws IOException {
        writing(job.mask(), () -> MaskPng.write(mask, job.mask()));
        try {
            writing(job.overlay(), () -> Overlays.writePng(Overlays.render(image, mask, null), job.overlay()));
        } catch (IOException | RuntimeException e) {
            deleting(e, job.mask());
            throw e;
        }
    }

    /** As {@link #write}, then the heat map; a file whose heat map cannot be written keeps neither of the others. */
    private void writeWithHeatMap(Job job, Image image, Prediction prediction) throws IOException {
        write(job, image, prediction.mask());
        UncertaintyMap map = prediction.uncertainty().orElseThrow();
        try {
            writing(job.heatMap(), () -> UncertaintyHeatMap.write(map, job.heatMap()));
        } catch (IOException | RuntimeException e) {
            deleting(e, job.mask());
            deleting(e, job.overlay());
            throw e;
        }
        scores.put(job.index(), map.score());
    }

    /** Deletes {@code file} after {@code failure}, a failure to delete it added to it. */
    private static void deleting(Exception failure, Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException cleanup) {
            failure.addSuppressed(cleanup);
        }
    }

    /** A write of one file. */
    @FunctionalInterface
    private interface PngWrite {
        void run() throws IOException;
    }

    /**
     * Runs {@code write}; a failure that names the hidden temporary file beside {@code target} (one that could not
     * be created, or not be renamed onto a folder in the target's place) is reported under {@code target}.
     */
    private static void writing(Path target, PngWrite write) throws IOException {
        try {
            write.run();
        } catch (FileSystemException e) {
            Path temp = e.getFile() == null ? null : Path.of(e.getFile());
            Path abs = target.toAbsolutePath();
            String name = abs.getFileName().toString();
            if (temp == null || !abs.getParent().equals(temp.getParent())
                    || !temp.getFileName().toString().startsWith("." + name + ".")) {
                throw e;
            }
            FileSystemException named = e instanceof AccessDeniedException
                    ? new AccessDeniedException(target.toString())
                    : new FileSystemException(target.toString(), null, e.getReason());
            named.initCause(e);
            throw named;
        }
    }

    /** Redrawn in place on a terminal at every file; a line every {@value #PROGRESS_EVERY} in a log or a pipe. */
    private void progress(int finished) {
        PrintStream err = root.err();
        if (root.terminal()) {
            err.printf(Locale.ROOT, "\rsegmented %d/%d", finished, total);
        } else if (finished % PROGRESS_EVERY == 0 || finished == total) {
            err.printf(Locale.ROOT, "segmented %d/%d%n", finished, total);
        } else {
            return;
        }
        err.flush();
        progressShown = true;
    }

    /** A failure as the user sees it, with the error the command ends with under --fail-fast. */
    private record Failed(Failure failure, int exitCode, Exception error) {
    }

    private static Failed failed(PredictPipeline.Failure<Job> f) {
        Exception e = f.error();
        Errors.Outcome o = Errors.describe(e);
        String file = f.job().source().toString();
        String named = shown(file) + ": ";
        boolean namesFile = o.message().startsWith(named);
        String reason = namesFile ? o.message().substring(named.length()) : o.message();
        // the network's, the planner's or a writer's message does not name the input: the user needs to know it
        Exception error = namesFile ? e : o.exitCode() == Errors.USAGE ? new UsageException(named + reason)
                : new IOException(named + reason, e);
        return new Failed(new Failure(file, reason), o.exitCode(), error);
    }

    private static double perSecond(int images, double seconds) {
        return seconds > 0 ? images / seconds : 0;
    }

    private Path writeSummary(String precision, PredictPipeline.Result<Job> result, List<Failed> failed,
            double seconds) throws IOException {
        Path file = out.resolve(SUMMARY);
        List<Written> written = result.written().stream().map(j -> new Written(j.source().toString(),
                j.mask().toString(), j.overlay().toString(),
                Optional.ofNullable(j.heatMap()).map(Path::toString),
                scores.containsKey(j.index()) ? OptionalDouble.of(scores.get(j.index())) : OptionalDouble.empty()))
                .toList();
        Json.writeFile(file, new Summary(model.toString(), precision, input.toString(), out.toString(), total,
                written.size(), failed.size(), result.stopped() != null, round(seconds, 1000),
                round(perSecond(written.size(), seconds), 100), written,
                failed.stream().map(Failed::failure).toList()));
        return file;
    }

    private static double round(double value, double scale) {
        return Math.round(value * scale) / scale;
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
            Path heatMap = uncertainty ? targets[2] : null;
            if (owner == null && heatMap != null) {
                // b-uncertainty.dcm's mask is b.dcm's heat map
                owner = owners.putIfAbsent(heatMap.toAbsolutePath().normalize(), f);
            }
            jobs.add(new Job(jobs.size(), f, targets[0], targets[1], heatMap, owner == null ? null
                    : "its outputs " + targets[0].getFileName() + " and " + targets[1].getFileName()
                            + (heatMap == null ? "" : " and " + heatMap.getFileName())
                            + " would overwrite those of " + shown(owner.toString()) + "; rename one of them"));
        }
        return jobs;
    }

    private static String shown(String path) {
        return TextFields.printable(path, MAX_PATH_CHARS);
    }

    /**
     * {mask, overlay, uncertainty heat map} paths for an input at {@code rel}: {@code .dcm} replaced by {@code .png},
     * {@code _overlay.png} and {@code -uncertainty.png}.
     */
    static Path[] outputs(Path outDir, Path rel) {
        String name = rel.getFileName().toString();
        String stem = name.toLowerCase(Locale.ROOT).endsWith(".dcm") ? name.substring(0, name.length() - 4) : name;
        Path parent = rel.getParent() == null ? outDir : outDir.resolve(rel.getParent().toString());
        return new Path[] {parent.resolve(stem + ".png"), parent.resolve(stem + "_overlay.png"),
                parent.resolve(stem + "-uncertainty.png")};
    }
}

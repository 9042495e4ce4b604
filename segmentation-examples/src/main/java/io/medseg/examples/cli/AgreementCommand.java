package io.medseg.examples.cli;

import io.medseg.backend.Backend;
import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.inference.ModelAgreement;
import io.medseg.io.Json;
import io.medseg.io.Npy;
import io.medseg.model.InputFitter;
import io.medseg.model.Normalization;
import io.medseg.model.UNetSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code segment agreement}: one model on two backends over the same frames, compared output by output. With
 * {@code --tensors} it also writes what went in and what came out as {@code .npy} files, for a check by another
 * runtime ({@code scripts/onnx-peer-check.sh}).
 */
@Command(name = "agreement", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Run one model on two backends over the same frames and compare the outputs: largest and "
                + "mean |difference| of the class probabilities, pixels and images whose arg-max mask differs.",
                "  segment agreement --model PKG --data DIR [--backends tensorflow,onnx] [--tolerance 1e-4] "
                        + "[--tensors DIR]",
                "Exits 0 when the probabilities agree within the tolerance and every mask is identical, 3 when not.",
                "--tensors DIR writes raw.npy (the fitted pixels before normalisation), input.npy (the network "
                        + "input), one <backend>.npy of probabilities per backend and frames.txt (one frame id per "
                        + "line)."})
public final class AgreementCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Option(names = "--model", required = true, paramLabel = "PKG", description = "A model package or folder.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "Frames to run: a Sunnybrook-layout folder, a TFRecord file or folder, or an image/mask "
                    + "folder (its labelled frames).")
    Path data;

    @Option(names = "--patients", paramLabel = "ID", split = ",", description = "Patient ids (default: all).")
    List<String> patients;

    @Option(names = "--backends", paramLabel = "A,B", split = ",", defaultValue = "tensorflow,onnx",
            description = "The two backends to compare (default: ${DEFAULT-VALUE}).")
    List<String> backends;

    @Option(names = "--tolerance", paramLabel = "D", defaultValue = "1e-4",
            description = "The largest |difference| of a probability allowed (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "8",
            description = "Frames per network call (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--tensors", paramLabel = "DIR", description = "Also write the inputs and outputs as .npy.")
    Path tensors;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Override
    public Integer call() throws Exception {
        if (backends.size() != 2 || backends.get(0).equalsIgnoreCase(backends.get(1))) {
            throw new UsageException("--backends takes two different backend names: " + backends);
        }
        if (!(tolerance >= 0)) {
            throw new UsageException("--tolerance must be >= 0: " + tolerance);
        }
        Inputs.positive(batch, "--batch");
        if (tensors != null) {
            Inputs.outputDirectory(tensors);
        }
        Path modelDir = Inputs.modelDirectory(model);
        SegmentationDataset ds = dataOptions.load(Inputs.existing(data), patients, root.err());
        List<Sample> samples = ds.samples();
        Backend a = Backends.load(backends.get(0).strip());
        Backend b = Backends.load(backends.get(1).strip());
        try (SegmentationModel ma = a.load(modelDir); SegmentationModel mb = b.load(modelDir)) {
            UNetSpec spec = ma.spec();
            int per = spec.inputHeight() * spec.inputWidth() * spec.inputChannels();
            int n = samples.size();
            float[] input = new float[n * per];
            InputFitter fitter = new InputFitter(spec);
            for (int i = 0; i < n; i++) {
                fitter.inputInto(samples.get(i).image(), input, i * per);
            }
            ModelAgreement.Outputs outputs = tensors == null ? null : ModelAgreement.outputs(spec, n);
            ModelAgreement r = ModelAgreement.compare(ma, mb, input, n, batch, outputs);
            if (tensors != null) {
                writeTensors(spec, samples, input, outputs, a.name(), b.name());
            }
            boolean agree = r.maxAbsDifference() <= tolerance && r.masksIdentical();
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("model", modelDir.toString());
                m.put("backends", List.of(a.description(), b.description()));
                m.put("frames", r.images());
                m.put("max_abs_difference", r.maxAbsDifference());
                m.put("mean_abs_difference", r.meanAbsDifference());
                m.put("differing_pixels", r.differingPixels());
                m.put("frames_with_differing_masks", r.imagesWithDifferingMasks());
                m.put("worst_frame", n == 0 ? null : samples.get(r.worstImage()).id());
                m.put("tolerance", tolerance);
                m.put("agree", agree);
                root.out().println(Json.writeCompact(m));
            } else {
                root.out().printf(Locale.ROOT, "%s vs %s on %d frames of %s:%n  max |dp| %.3g (frame %s), mean |dp| "
                        + "%.3g; arg-max masks: %s%n  %s (tolerance %.3g)%n", a.description(), b.description(), n,
                        data, r.maxAbsDifference(), n == 0 ? "-" : samples.get(r.worstImage()).id(),
                        r.meanAbsDifference(), r.masksIdentical() ? "identical"
                                : r.differingPixels() + " pixels differ in " + r.imagesWithDifferingMasks()
                                        + " frames", agree ? "AGREE" : "DISAGREE", tolerance);
                if (tensors != null) {
                    root.err().println("tensors: " + tensors);
                }
            }
            return agree ? 0 : 3;
        }
    }

    private void writeTensors(UNetSpec spec, List<Sample> samples, float[] input, ModelAgreement.Outputs outputs,
            String nameA, String nameB) throws java.io.IOException {
        Files.createDirectories(tensors);
        int n = samples.size();
        int per = spec.inputHeight() * spec.inputWidth() * spec.inputChannels();
        UNetSpec raw = new UNetSpec(spec.inputHeight(), spec.inputWidth(), spec.inputChannels(), spec.numClasses(),
                spec.depth(), spec.baseFilters(), spec.kernelSize(), spec.upsampling(), spec.batchNorm(),
                spec.dropout(), spec.activation(), Normalization.none(), spec.inputFit());
        float[] fitted = new float[n * per];
        InputFitter fitter = new InputFitter(raw);
        for (int i = 0; i < n; i++) {
            fitter.inputInto(samples.get(i).image(), fitted, i * per);
        }
        long[] in = {n, spec.inputHeight(), spec.inputWidth(), spec.inputChannels()};
        long[] out = {n, spec.inputHeight(), spec.inputWidth(), spec.numClasses()};
        Npy.writeFloat32(tensors.resolve("raw.npy"), fitted, in);
        Npy.writeFloat32(tensors.resolve("input.npy"), input, in);
        Npy.writeFloat32(tensors.resolve(nameA + ".npy"), outputs.a(), out);
        Npy.writeFloat32(tensors.resolve(nameB + ".npy"), outputs.b(), out);
        StringBuilder ids = new StringBuilder();
        samples.forEach(s -> ids.append(s.id()).append('\n'));
        Files.writeString(tensors.resolve("frames.txt"), ids, StandardCharsets.UTF_8);
    }
}

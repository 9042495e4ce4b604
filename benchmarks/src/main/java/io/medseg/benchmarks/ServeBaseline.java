package io.medseg.benchmarks;

import io.medseg.backend.Backend;
import io.medseg.backend.BackendUnavailableException;
import io.medseg.backend.Backends;
import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.DataFormatException;
import io.medseg.data.Image;
import io.medseg.data.ReadLimits;
import io.medseg.data.dicom.DicomReader;
import io.medseg.examples.CardiacRecipe;
import io.medseg.inference.Segmenter;
import io.medseg.inference.TestTimeAugmentation;
import io.medseg.io.Json;
import io.medseg.mlops.ModelPackage;
import io.medseg.mlops.registry.ModelRegistry;
import io.medseg.mlops.registry.ModelVersion;
import io.medseg.postprocess.PostProcessing;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The offline baseline {@code segment serve}'s throughput is compared with: the same registry package at the same
 * precision and post-processing, {@link Segmenter#predictAll(List, int)} over the same DICOM frames, as an offline
 * batch job would run it. Two variants, alternating pass by pass after a warm-up pass of each:
 * <ul>
 *   <li><b>decoded</b> ({@code images_per_s}): the frames are decoded to images before the clock starts, so only
 *       the segmenter's batch work is timed (network input, network, arg-max, post-processing);</li>
 *   <li><b>with decoding</b> ({@code images_per_s_with_decoding}): the DICOM bytes, in memory, are decoded on all
 *       cores and then segmented, the clock running over both, since the server parses a DICOM per request.</li>
 * </ul>
 * Each pass segments {@code --images} frames (the folder's, cycled); the figures are the median pass. The server
 * also makes contours and its JSON answer per request; neither variant does.
 */
@Command(name = "ServeBaseline", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Offline baseline for segment serve: Segmenter.predictAll(images, batch) images/s of a registry "
                + "package on the DICOM frames, with and without decoding in the timed part.")
public final class ServeBaseline implements Callable<Integer> {
    @Option(names = "--registry", paramLabel = "DIR", description = "The registry (with --model).")
    Path registry;

    @Option(names = "--model", paramLabel = "NAME", description = "The registered model (default: "
            + "${DEFAULT-VALUE}).")
    String model = "cardiac-lv";

    @Option(names = "--version", paramLabel = "N", description = "The version (default: the production one).")
    Integer version;

    @Option(names = "--model-dir", paramLabel = "PKG", description = "A package folder instead of --registry.")
    Path modelDir;

    @Option(names = "--precision", paramLabel = "P", description = "fp32 or bf16 (default: ${DEFAULT-VALUE}).")
    String precision = "fp32";

    @Option(names = "--post-process", paramLabel = "MODE", description = "none, lcc, or recipe: the cardiac "
            + "recipe's, as segment serve by default (default: ${DEFAULT-VALUE}).")
    String postProcess = "recipe";

    @Option(names = "--dicoms", paramLabel = "DIR", description = "Folder of DICOM files, read recursively "
            + "(default: ${DEFAULT-VALUE}).")
    Path dicoms = Path.of("../shared/data/sunnybrook/dicoms");

    @Option(names = "--batch", paramLabel = "B", description = "Images per network call (default: "
            + "${DEFAULT-VALUE}, segment serve's --max-batch default).")
    int batch = 8;

    @Option(names = "--images", paramLabel = "N", description = "Images per timed pass (default: "
            + "${DEFAULT-VALUE}).")
    int images = 448;

    @Option(names = "--passes", paramLabel = "P", description = "Timed passes of each variant (default: "
            + "${DEFAULT-VALUE}).")
    int passes = 5;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the JSON summary here.")
    Path out;

    private final PrintStream stdout;
    private final PrintStream log;

    ServeBaseline(PrintStream stdout, PrintStream log) {
        this.stdout = stdout;
        this.log = log;
    }

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new ServeBaseline(System.out, System.err));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("serve-baseline: error: " + ex.getMessage());
            if (ex instanceof IllegalArgumentException) {
                return 2;
            }
            if (!(ex instanceof IOException || ex instanceof BackendUnavailableException)) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        System.exit(cl.execute(args));
    }

    @Override
    public Integer call() throws IOException, BackendUnavailableException {
        if ((registry == null) == (modelDir == null)) {
            throw new IllegalArgumentException("give --registry DIR (with --model and optionally --version) or "
                    + "--model-dir PKG");
        }
        if (batch < 1 || images < 1 || passes < 1) {
            throw new IllegalArgumentException("--batch, --images and --passes must be at least 1");
        }
        Precision asked = Precision.parse(precision);
        PostProcessing post = switch (postProcess.toLowerCase(Locale.ROOT)) {
            case "recipe" -> CardiacRecipe.defaults().postProcessing();
            case "none" -> PostProcessing.none();
            case "lcc" -> PostProcessing.largestComponentAndFillHoles();
            default -> throw new IllegalArgumentException("--post-process must be none, lcc or recipe, not '"
                    + postProcess + "'");
        };
        Path pkg = modelDir;
        int servedVersion = 0;
        if (pkg == null) {
            ModelRegistry reg = ModelRegistry.open(registry);
            ModelVersion v = version != null ? reg.version(model, version) : reg.production(model).orElseThrow(
                    () -> new IllegalArgumentException("registry " + registry + ": model " + model
                            + " has no production version; give --version N"));
            servedVersion = v.version();
            pkg = reg.get(model, v.version());
        }
        List<byte[]> bytes = ServeLoad.readDicoms(dicoms);
        List<byte[]> cycled = new ArrayList<>(images);
        for (int i = 0; i < images; i++) {
            cycled.add(bytes.get(i % bytes.size()));
        }
        List<Image> decoded = decode(cycled);
        Backend backend = Backends.load();
        try (SegmentationModel m = ModelPackage.load(backend, pkg, asked)) {
            Segmenter segmenter = new Segmenter(m, post, TestTimeAugmentation.NONE);
            log.printf(Locale.ROOT, "serve-baseline: %s (%s, %s), %d frames cycled to %d images per pass, batch "
                    + "%d, %d passes%n", pkg, m.backendName(), m.precision().label(), bytes.size(), images, batch,
                    passes);
            // warm-up: one pass of each
            segmenter.predictAll(decoded, batch);
            segmenter.predictAll(decode(cycled), batch);
            double[] plain = new double[passes];
            double[] withDecoding = new double[passes];
            for (int p = 0; p < passes; p++) {
                long t0 = System.nanoTime();
                segmenter.predictAll(decoded, batch);
                plain[p] = images / ((System.nanoTime() - t0) / 1e9);
                long t1 = System.nanoTime();
                segmenter.predictAll(decode(cycled), batch);
                withDecoding[p] = images / ((System.nanoTime() - t1) / 1e9);
                log.printf(Locale.ROOT, "serve-baseline: pass %d: %.1f images/s decoded, %.1f images/s with "
                        + "decoding%n", p + 1, plain[p], withDecoding[p]);
            }
            ObjectNode s = Json.mapper().createObjectNode();
            s.put("package", pkg.toString());
            s.put("model", model);
            if (servedVersion > 0) {
                s.put("version", servedVersion);
            }
            s.put("backend", m.backendName());
            s.put("precision_asked", asked.label());
            s.put("precision", m.precision().label());
            s.put("post_processing", post.isNone() ? "none" : "lcc");
            s.put("batch", batch);
            s.put("frames", bytes.size());
            s.put("images_per_pass", images);
            s.put("passes", passes);
            s.put("cores", Runtime.getRuntime().availableProcessors());
            s.put("images_per_s", round(median(plain)));
            s.put("images_per_s_best", round(Arrays.stream(plain).max().orElse(0)));
            s.put("images_per_s_with_decoding", round(median(withDecoding)));
            s.put("images_per_s_with_decoding_best", round(Arrays.stream(withDecoding).max().orElse(0)));
            ArrayNode a = s.putArray("passes_images_per_s");
            Arrays.stream(plain).forEach(v -> a.add(round(v)));
            ArrayNode b = s.putArray("passes_images_per_s_with_decoding");
            Arrays.stream(withDecoding).forEach(v -> b.add(round(v)));
            String text = Json.write(s);
            stdout.println(text);
            if (out != null) {
                Path parent = out.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.writeString(out, text + "\n", StandardCharsets.UTF_8);
            }
            log.printf(Locale.ROOT, "serve-baseline: %.1f images/s decoded, %.1f images/s with decoding (median of "
                    + "%d passes)%n", median(plain), median(withDecoding), passes);
        }
        return 0;
    }

    /** The frames decoded on all cores, in order. */
    private static List<Image> decode(List<byte[]> frames) {
        ReadLimits limits = ReadLimits.defaults();
        return frames.parallelStream().map(b -> {
            try {
                return DicomReader.read(b, "frame", limits).toImage();
            } catch (DataFormatException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}

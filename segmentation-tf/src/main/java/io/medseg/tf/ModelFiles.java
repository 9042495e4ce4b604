package io.medseg.tf;

import io.medseg.backend.Precision;
import io.medseg.data.DataFormatException;
import io.medseg.io.FileTrees;
import io.medseg.io.Json;
import io.medseg.io.TextFields;
import io.medseg.io.WriteFailures;
import io.medseg.model.UNetSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.TensorFlow;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The on-disk model: a TensorFlow SavedModel (tag {@code serve}, signature {@code serving_default} from input
 * {@code image} [N,H,W,C] float32, normalised, to output {@code probabilities} [N,H,W,K]) plus {@code model.json}
 * with the spec. Since format version 2 the SavedModel holds the inference graph alone, batch norm folded into the
 * convolutions ({@link Folding}): no training path, no optimiser slots. Any TensorFlow runtime can serve it; this
 * backend loads it as it is ({@link TfInferenceModel}), without building a graph of its own. Version-1 models (the
 * whole training graph) load the same way, through their serving signature.
 */
final class ModelFiles {
    static final String MODEL_JSON = "model.json";
    static final String FORMAT = "medseg-model";
    static final int FORMAT_VERSION = 2;
    /** {@code model.json}'s {@code graph} since version 2. */
    static final String GRAPH_FOLDED = "inference, batch norm folded";
    static final String SERVE_TAG = "serve";
    static final String INPUT_NAME = "image";
    static final String OUTPUT_NAME = "probabilities";

    private ModelFiles() {
    }

    /** The variables of a folded graph of a spec (name to value count, in graph order) and its batch-norm layers. */
    record FoldedLayout(Map<String, Integer> sizes, Set<String> batchNormLayers) {
    }

    /** What the folded inference graph of {@code spec} holds, read from a graph built and closed for the purpose. */
    static FoldedLayout foldedLayout(UNetSpec spec) {
        try (Graph graph = new Graph()) {
            UNetGraph net = new UNetGraph(Ops.create(graph), spec, 0, true);
            return new FoldedLayout(TfSegmentationModel.sizes(net.variables().all()),
                    Set.copyOf(net.batchNormLayers()));
        }
    }

    /**
     * Writes the folded inference graph of {@code spec} into {@code dir}, its variables set to {@code values} (by
     * variable name, as {@link #foldedLayout} lists them). The graph is built in a graph and session of its own,
     * closed after.
     */
    static void save(UNetSpec spec, Map<String, float[]> values, Path dir) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new IOException(target + ": exists and is not a directory");
        }
        Path parent = target.getParent();
        Files.createDirectories(parent);
        // write everything into a hidden folder first, then move it in entry by entry: a failed save leaves what
        // was there before untouched. Inside the target when it exists, so that the moves stay on its file system
        // (a run directory may be a volume of its own) and nothing is left beside it.
        Path tmp = Files.isDirectory(target) ? Files.createTempDirectory(target, ".saving-")
                : Files.createTempDirectory(parent, "." + target.getFileName() + ".saving-");
        try {
            Path exportDir = tmp.resolve("export");
            export(spec, values, exportDir, target);
            ModelJson json = new ModelJson(FORMAT, FORMAT_VERSION, TensorFlowBackend.NAME, TensorFlow.version(),
                    GRAPH_FOLDED,
                    new SignatureJson(SERVE_TAG, Signature.DEFAULT_KEY, INPUT_NAME, OUTPUT_NAME,
                            List.of(-1, spec.inputHeight(), spec.inputWidth(), spec.inputChannels()),
                            List.of(-1, spec.inputHeight(), spec.inputWidth(), spec.numClasses())),
                    spec);
            Files.writeString(exportDir.resolve(MODEL_JSON), Json.write(json), StandardCharsets.UTF_8);
            Files.createDirectories(target);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(exportDir)) {
                for (Path e : entries) {
                    Path dest = target.resolve(e.getFileName().toString());
                    if (Files.isDirectory(dest)) {
                        // the old variables/ leaves in one rename, never half-deleted beside a new saved_model.pb
                        FileTrees.deleteTreeAside(dest);
                    }
                    Files.move(e, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException e) {
            throw WriteFailures.naming(target, e);
        } finally {
            FileTrees.deleteTree(tmp);
        }
    }

    /** Sets every variable of {@code net} to its value in {@code v} (by variable name), in one session run. */
    static void assign(Session session, UNetGraph net, Map<String, float[]> v) {
        Session.Runner runner = session.runner();
        List<Tensor> fed = new ArrayList<>();
        try {
            for (Variables.Entry e : net.variables().all()) {
                float[] value = v.get(e.name());
                if (value == null || value.length != e.size()) {
                    throw new IllegalStateException("no value of " + e.size() + " for " + e.name());
                }
                TFloat32 t = Tensors.floats(value, e.shape());
                fed.add(t);
                runner.feed(e.feed(), t).addTarget(e.assign());
            }
            runner.run().close();
        } finally {
            fed.forEach(Tensor::close);
        }
    }

    private static void export(UNetSpec spec, Map<String, float[]> v, Path exportDir, Path target)
            throws IOException {
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            UNetGraph net = new UNetGraph(tf, spec, 0, true);
            try (Session session = new Session(graph, SessionConfigs.config(Precision.FP32))) {
                assign(session, net, v);
                Signature signature = Signature.builder().key(Signature.DEFAULT_KEY)
                        .input(INPUT_NAME, net.input())
                        .output(OUTPUT_NAME, net.probabilities())
                        .methodName("tensorflow/serving/predict")
                        .build();
                SavedModelBundle.exporter(exportDir.toString()).withTags(SERVE_TAG).withSession(session)
                        .withSignature(signature).export();
            } catch (TensorFlowException e) {
                if (WriteFailures.isDiskFull(e)) {
                    // TensorFlow's message names its own temporary file and suggests an out-of-memory report
                    throw WriteFailures.naming(target, new IOException(e.getMessage(), e));
                }
                throw e;
            }
        }
    }

    /** The spec in {@code dir}'s {@code model.json}, after checking that {@code dir} is a model of this backend. */
    static UNetSpec readSpec(Path dir) throws IOException {
        return read(dir).spec();
    }

    /** What {@code model.json} says: the spec and whether the graph is folded. */
    record Description(UNetSpec spec, int formatVersion, boolean folded) {
    }

    static Description read(Path dir) throws IOException {
        Path json = dir.resolve(MODEL_JSON);
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such model directory");
        }
        if (!Files.isRegularFile(json)) {
            throw new DataFormatException(dir, "not a model directory: " + MODEL_JSON + " is missing");
        }
        if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
            throw new DataFormatException(dir, "not a model directory: saved_model.pb is missing");
        }
        JsonNode map = Json.read(json, JsonNode.class);
        String format = map.path("format").asString(null);
        if (!FORMAT.equals(format)) {
            throw new DataFormatException(json, "not a " + FORMAT + " file (format: "
                    + (format == null ? "missing" : TextFields.excerpt(format)) + ")");
        }
        String backend = map.path("backend").asString(null);
        if (!TensorFlowBackend.NAME.equals(backend)) {
            throw new DataFormatException(json, "model was written by backend "
                    + (backend == null ? "(none)" : TextFields.excerpt(backend)) + ", not '" + TensorFlowBackend.NAME
                    + "'");
        }
        JsonNode version = map.path("formatVersion");
        int v = version.canConvertToInt() && version.isIntegralNumber() ? version.asInt() : -1;
        if (v < 1 || v > FORMAT_VERSION) {
            throw new DataFormatException(json, "unsupported " + FORMAT + " formatVersion "
                    + TextFields.excerpt(version.isMissingNode() ? "(missing)" : version.toString())
                    + ": this library reads versions 1 to " + FORMAT_VERSION
                    + (v > FORMAT_VERSION ? " (the model was written by a newer release)" : ""));
        }
        if (!map.path("spec").isObject()) {
            throw new DataFormatException(json, "invalid spec: missing key \"spec\"");
        }
        UNetSpec spec;
        try {
            spec = Json.mapper().treeToValue(map.get("spec"), UNetSpec.class);
        } catch (JacksonException e) {
            throw new DataFormatException(json, "invalid spec: " + Json.describe(e), e);
        }
        return new Description(spec, v, v >= 2);
    }

    /** {@code model.json}: what the SavedModel is, and the spec it was built from. */
    record ModelJson(String format, int formatVersion, String backend, String tensorflowVersion, String graph,
            SignatureJson signature, UNetSpec spec) {
    }

    /** The serving signature: tag, key, tensor names and shapes ({@code -1} for the batch). */
    record SignatureJson(String tag, String key, String input, String output, List<Integer> inputShape,
            List<Integer> outputShape) {
    }

    /** Loads the SavedModel in {@code dir} as it is, for inference at {@code precision} (already effective). */
    static TfInferenceModel load(Path dir, Precision precision) throws IOException {
        Description d = read(dir);
        SavedModelBundle bundle;
        try {
            SavedModelBundle.Loader loader = SavedModelBundle.loader(dir.toString()).withTags(SERVE_TAG)
                    .withConfigProto(SessionConfigs.config(precision));
            // loading restores the variables through a session call: a bf16 one announces its graph rewrite
            bundle = new FirstRuns(precision).run("restore", loader::load);
        } catch (TensorFlowException e) {
            throw new DataFormatException(dir, "unreadable SavedModel: " + e.getMessage(), e);
        }
        try {
            return TfInferenceModel.open(dir, d, bundle, precision);
        } catch (RuntimeException | IOException e) {
            bundle.close();
            throw e;
        }
    }
}

package io.medseg.tf;

import io.medseg.backend.ModelState;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.TensorFlow;
import org.tensorflow.exceptions.TensorFlowException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The on-disk model: a TensorFlow SavedModel (tag {@code serve}, signature {@code serving_default} from input
 * {@code image} [N,H,W,C] float32, normalised, to output {@code probabilities} [N,H,W,K]) plus {@code model.json}
 * with the spec. Any TensorFlow runtime can serve the SavedModel; this backend reloads it into a graph rebuilt
 * from the spec, so a loaded model can also be trained further.
 */
final class ModelFiles {
    static final String MODEL_JSON = "model.json";
    static final String FORMAT = "medseg-model";
    static final int FORMAT_VERSION = 1;
    static final String SERVE_TAG = "serve";
    static final String INPUT_NAME = "image";
    static final String OUTPUT_NAME = "probabilities";

    private ModelFiles() {
    }

    static void save(TfSegmentationModel model, Path dir) throws IOException {
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
            Session session = model.session();
            Signature signature = Signature.builder().key(Signature.DEFAULT_KEY)
                    .input(INPUT_NAME, model.input())
                    .output(OUTPUT_NAME, model.network().probabilities())
                    .methodName("tensorflow/serving/predict")
                    .build();
            try {
                SavedModelBundle.exporter(exportDir.toString()).withTags(SERVE_TAG).withSession(session)
                        .withSignature(signature).export();
            } catch (TensorFlowException e) {
                if (WriteFailures.isDiskFull(e)) {
                    // TensorFlow's message names its own temporary file and suggests an out-of-memory report
                    throw WriteFailures.naming(target, new IOException(e.getMessage(), e));
                }
                throw e;
            }
            UNetSpec spec = model.spec();
            ModelJson json = new ModelJson(FORMAT, FORMAT_VERSION, TensorFlowBackend.NAME, TensorFlow.version(),
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

    static UNetSpec readSpec(Path dir) throws IOException {
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
        if (!map.path("spec").isObject()) {
            throw new DataFormatException(json, "invalid spec: missing key \"spec\"");
        }
        try {
            return Json.mapper().treeToValue(map.get("spec"), UNetSpec.class);
        } catch (JacksonException e) {
            throw new DataFormatException(json, "invalid spec: " + Json.describe(e), e);
        }
    }

    /** {@code model.json}: what the SavedModel is, and the spec it was built from. */
    record ModelJson(String format, int formatVersion, String backend, String tensorflowVersion,
            SignatureJson signature, UNetSpec spec) {
    }

    /** The serving signature: tag, key, tensor names and shapes ({@code -1} for the batch). */
    record SignatureJson(String tag, String key, String input, String output, List<Integer> inputShape,
            List<Integer> outputShape) {
    }

    static TfSegmentationModel load(Path dir) throws IOException {
        UNetSpec spec = readSpec(dir);
        TfSegmentationModel model = new TfSegmentationModel(spec, 0);
        try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), SERVE_TAG)) {
            Map<String, float[]> values = new LinkedHashMap<>();
            List<Variables.Entry> vars = model.network().variables().all();
            Session.Runner runner = bundle.session().runner();
            for (Variables.Entry e : vars) {
                if (bundle.graph().operation(e.name()) == null) {
                    throw new DataFormatException(dir, "saved model has no variable " + e.name()
                            + ": it does not match the spec in " + MODEL_JSON);
                }
                runner.fetch(e.name());
            }
            try (Result r = runner.run()) {
                for (int i = 0; i < vars.size(); i++) {
                    float[] v = Tensors.toFloats(r.get(i));
                    if (v.length != vars.get(i).size()) {
                        throw new DataFormatException(dir, "variable " + vars.get(i).name() + " has " + v.length
                                + " values, the spec needs " + vars.get(i).size());
                    }
                    values.put(vars.get(i).name(), v);
                }
            }
            model.restore(new ModelState(values));
            return model;
        } catch (RuntimeException e) {
            model.close();
            if (e instanceof org.tensorflow.exceptions.TensorFlowException tfe) {
                throw new DataFormatException(dir, "unreadable SavedModel: " + tfe.getMessage(), tfe);
            }
            throw e;
        }
    }

}

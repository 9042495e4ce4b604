package io.medseg.tf;

import io.medseg.data.DataFormatException;
import io.medseg.io.FileTrees;
import io.medseg.io.Json;
import io.medseg.io.SpecJson;
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
import io.medseg.backend.ModelState;

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
        // write everything beside the target first, then move it in entry by entry: a failed save leaves what
        // was there before untouched
        Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".saving-");
        try {
            Path exportDir = tmp.resolve("export");
            Session session = model.session();
            Signature signature = Signature.builder().key(Signature.DEFAULT_KEY)
                    .input(INPUT_NAME, model.input())
                    .output(OUTPUT_NAME, model.network().probabilities())
                    .methodName("tensorflow/serving/predict")
                    .build();
            SavedModelBundle.exporter(exportDir.toString()).withTags(SERVE_TAG).withSession(session)
                    .withSignature(signature).export();
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("format", FORMAT);
            json.put("formatVersion", FORMAT_VERSION);
            json.put("backend", TensorFlowBackend.NAME);
            json.put("tensorflowVersion", TensorFlow.version());
            Map<String, Object> sig = new LinkedHashMap<>();
            sig.put("tag", SERVE_TAG);
            sig.put("key", Signature.DEFAULT_KEY);
            sig.put("input", INPUT_NAME);
            sig.put("output", OUTPUT_NAME);
            sig.put("inputShape", List.of(-1, model.spec().inputHeight(), model.spec().inputWidth(),
                    model.spec().inputChannels()));
            sig.put("outputShape", List.of(-1, model.spec().inputHeight(), model.spec().inputWidth(),
                    model.spec().numClasses()));
            json.put("signature", sig);
            json.put("spec", SpecJson.toMap(model.spec()));
            Files.writeString(exportDir.resolve(MODEL_JSON), Json.write(json), StandardCharsets.UTF_8);
            Files.createDirectories(target);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(exportDir)) {
                for (Path e : entries) {
                    Path dest = target.resolve(e.getFileName().toString());
                    if (Files.isDirectory(dest)) {
                        FileTrees.deleteTree(dest);
                    }
                    Files.move(e, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
            }
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
        Map<String, Object> map;
        try {
            map = Json.object(Json.parse(Files.readString(json, StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(json, "unreadable model description: " + e.getMessage(), e);
        }
        if (!FORMAT.equals(map.get("format"))) {
            throw new DataFormatException(json, "not a " + FORMAT + " file (format: " + map.get("format") + ")");
        }
        Object backend = map.get("backend");
        if (!TensorFlowBackend.NAME.equals(backend)) {
            throw new DataFormatException(json, "model was written by backend '" + backend + "', not '"
                    + TensorFlowBackend.NAME + "'");
        }
        try {
            return SpecJson.fromMap(Json.object(map.get("spec")));
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(json, "invalid spec: " + e.getMessage(), e);
        }
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

package io.medseg.onnx;

import io.medseg.backend.Backend;
import io.medseg.backend.ModelState;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.DataFormatException;
import io.medseg.io.AtomicFile;
import io.medseg.io.BuildInfo;
import io.medseg.io.Json;
import io.medseg.io.WriteFailures;
import io.medseg.model.InputFit;
import io.medseg.model.Normalization;
import io.medseg.model.UNetSpec;
import io.medseg.onnx.proto.ModelProto;
import io.medseg.onnx.proto.OperatorSetIdProto;
import io.medseg.onnx.proto.StringStringEntryProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * Writes a trained U-Net as an ONNX model: the inference network with batch norm folded into the convolutions,
 * input {@code image} {@code [N, H, W, C]} float32 (normalised) to output {@code probabilities} {@code [N, H, W, K]}
 * (softmax over the classes), the batch dimension free; the same names and layout as the SavedModel's serving
 * signature. The file is ONNX IR version {@value #IR_VERSION}, default domain opset {@value #OPSET}, weights stored
 * inside it; its metadata properties say how to prepare an input ({@link #META_NORMALIZATION},
 * {@link #META_INPUT_FIT}) and what the classes are ({@link #META_CLASS_NAMES}), so a user of any ONNX runtime can
 * run it without this library.
 *
 * <pre>{@code
 * try (SegmentationModel model = Backends.load("tensorflow").load(modelDir)) {
 *     OnnxExport.write(model, OnnxExport.metadata(modelDir), modelDir.resolve(OnnxExport.FILE_NAME));
 * }
 * }</pre>
 *
 * <p>The protobuf is written from the ONNX specification through our own {@code onnx.proto} (ONNX's message names
 * and field numbers), compiled at build time: no ONNX tooling is needed to export.
 */
public final class OnnxExport {
    /** The file name of the ONNX model in a model folder or package. */
    public static final String FILE_NAME = "model.onnx";
    public static final long IR_VERSION = 8;
    public static final long OPSET = 17;
    /** {@code medseg-onnx}: marks a file written by this export. */
    public static final String META_FORMAT = "medseg.format";
    public static final String FORMAT = "medseg-onnx";
    public static final String META_FORMAT_VERSION = "medseg.format_version";
    public static final int FORMAT_VERSION = 1;
    /** The model's {@link UNetSpec} as JSON, as {@code model.json} has it. */
    public static final String META_SPEC = "medseg.spec";
    public static final String META_MODEL_NAME = "model_name";
    /** The input's name ({@code image}), layout ({@code NHWC}) and shape ({@code N,H,W,C}). */
    public static final String META_INPUT = "input";
    public static final String META_INPUT_LAYOUT = "input_layout";
    public static final String META_INPUT_SHAPE = "input_shape";
    public static final String META_OUTPUT = "output";
    public static final String META_OUTPUT_LAYOUT = "output_layout";
    public static final String META_OUTPUT_SHAPE = "output_shape";
    /** The per-image intensity normalisation as JSON ({@code {"type":"percentile","low":1.0,"high":99.0}}). */
    public static final String META_NORMALIZATION = "normalization";
    /** The same in words, for a reader without this library's documentation. */
    public static final String META_NORMALIZATION_FORMULA = "normalization_formula";
    /** How an image of another size is fitted to the input ({@code exact} or {@code centre_crop}). */
    public static final String META_INPUT_FIT = "input_fit";
    public static final String META_INPUT_FIT_FORMULA = "input_fit_formula";
    /** The class names as a JSON array, index = class = channel of the output. */
    public static final String META_CLASS_NAMES = "class_names";
    /** The pixel spacing the model was trained at, as JSON, when the package records it. */
    public static final String META_PIXEL_SPACING = "expected_pixel_spacing_mm";
    public static final String META_RUN_ID = "run_id";

    private OnnxExport() {
    }

    /** What the export writes beside the network: the model's name and class names, and anything else to record. */
    public record Metadata(String modelName, List<String> classNames, Map<String, String> extra) {
        public Metadata {
            Objects.requireNonNull(modelName, "modelName");
            classNames = List.copyOf(classNames);
            extra = Map.copyOf(extra);
        }

        /** A model called {@code name} with classes {@code class_0 ... class_K-1}. */
        public static Metadata of(String name, int numClasses) {
            List<String> names = new ArrayList<>();
            for (int c = 0; c < numClasses; c++) {
                names.add("class_" + c);
            }
            return new Metadata(name, names, Map.of());
        }
    }

    /**
     * The metadata a model folder or package describes in its {@code model.json}: the package's {@code name},
     * {@code class_names}, {@code run_id} and {@code input.expected_pixel_spacing_mm} where present; otherwise the
     * folder's name and {@code class_0 ...}.
     *
     * @throws DataFormatException naming {@code model.json} when it is missing or not a model description
     */
    public static Metadata metadata(Path modelDir) throws IOException {
        Path file = modelDir.resolve("model.json");
        if (!Files.isRegularFile(file)) {
            throw new DataFormatException(file, "missing: not a model folder");
        }
        JsonNode json = Json.read(file, JsonNode.class);
        JsonNode spec = json.path("spec");
        int classes = spec.path("numClasses").asInt(0);
        if (classes < 1) {
            throw new DataFormatException(file, "has no spec with numClasses");
        }
        Path name = modelDir.toAbsolutePath().normalize().getFileName();
        Metadata m = Metadata.of(json.path("name").asString(name == null ? "model" : name.toString()), classes);
        List<String> classNames = m.classNames();
        if (json.path("class_names").isArray() && json.path("class_names").size() == classes) {
            List<String> names = new ArrayList<>();
            json.path("class_names").forEach(n -> names.add(n.asString()));
            classNames = names;
        }
        Map<String, String> extra = new LinkedHashMap<>();
        if (json.path("run_id").isString()) {
            extra.put(META_RUN_ID, json.path("run_id").asString());
        }
        JsonNode spacing = json.path("input").path("expected_pixel_spacing_mm");
        if (spacing.isObject()) {
            extra.put(META_PIXEL_SPACING, Json.writeCompact(spacing));
        }
        return new Metadata(m.modelName(), classNames, extra);
    }

    /**
     * Writes {@code model}'s inference network to {@code file} (atomically: a failed write leaves what was there).
     *
     * @throws UnsupportedOperationException if the model's backend cannot give its inference weights
     */
    public static void write(SegmentationModel model, Metadata metadata, Path file) throws IOException {
        byte[] bytes = toBytes(model.spec(), model.inferenceWeights(), metadata);
        try {
            AtomicFile.write(file, out -> out.write(bytes));
        } catch (IOException e) {
            throw WriteFailures.naming(file, e);
        }
    }

    /**
     * Loads the model in {@code modelDir} with {@code backend} (one that gives inference weights: TensorFlow) and
     * writes {@code modelDir/model.onnx}, with the metadata its {@code model.json} gives ({@link #metadata}).
     *
     * @return the file written
     */
    public static Path intoModelFolder(Backend backend, Path modelDir) throws IOException {
        Metadata metadata = metadata(modelDir);
        Path file = modelDir.resolve(FILE_NAME);
        try (SegmentationModel model = backend.load(modelDir)) {
            write(model, metadata, file);
        }
        return file;
    }

    /**
     * The ONNX model of a network of {@code spec} with these folded weights (as
     * {@link SegmentationModel#inferenceWeights()} names them).
     *
     * @throws IllegalArgumentException when a weight is missing, of the wrong length or not used by the network
     */
    public static byte[] toBytes(UNetSpec spec, ModelState weights, Metadata metadata) {
        Objects.requireNonNull(spec, "spec");
        if (metadata.classNames().size() != spec.numClasses()) {
            throw new IllegalArgumentException("metadata names " + metadata.classNames().size() + " classes, the "
                    + "spec has " + spec.numClasses());
        }
        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("medseg")
                .setProducerVersion(BuildInfo.version())
                .setDomain("io.medseg")
                .setModelVersion(1)
                .setDocString("U-Net segmentation: " + UNetOnnxGraph.INPUT + " [N,H,W,C] float32, normalised as "
                        + "the '" + META_NORMALIZATION + "' property says, to " + UNetOnnxGraph.OUTPUT
                        + " [N,H,W,K], a softmax over the classes named in '" + META_CLASS_NAMES + "'.")
                .setGraph(UNetOnnxGraph.build(spec, weights, metadata.modelName()));
        properties(spec, metadata).forEach((k, v) -> model.addMetadataProps(
                StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return model.build().toByteArray();
    }

    static Map<String, String> properties(UNetSpec spec, Metadata metadata) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(META_FORMAT, FORMAT);
        p.put(META_FORMAT_VERSION, Integer.toString(FORMAT_VERSION));
        p.put(META_SPEC, Json.writeCompact(spec));
        p.put(META_MODEL_NAME, metadata.modelName());
        p.put(META_INPUT, UNetOnnxGraph.INPUT);
        p.put(META_INPUT_LAYOUT, "NHWC");
        p.put(META_INPUT_SHAPE, UNetOnnxGraph.BATCH + "," + spec.inputHeight() + "," + spec.inputWidth() + ","
                + spec.inputChannels());
        p.put(META_OUTPUT, UNetOnnxGraph.OUTPUT);
        p.put(META_OUTPUT_LAYOUT, "NHWC");
        p.put(META_OUTPUT_SHAPE, UNetOnnxGraph.BATCH + "," + spec.inputHeight() + "," + spec.inputWidth() + ","
                + spec.numClasses());
        p.put(META_NORMALIZATION, Json.writeCompact(spec.normalization()));
        p.put(META_NORMALIZATION_FORMULA, formula(spec.normalization()));
        p.put(META_INPUT_FIT, spec.inputFit().name().toLowerCase(Locale.ROOT));
        p.put(META_INPUT_FIT_FORMULA, formula(spec.inputFit(), spec));
        p.put(META_CLASS_NAMES, Json.writeCompact(metadata.classNames()));
        metadata.extra().forEach(p::putIfAbsent);
        return p;
    }

    private static String formula(Normalization n) {
        if (n instanceof Normalization.Percentile pc) {
            return "per image, over all its pixels: lo = percentile " + plain(pc.low()) + ", hi = percentile "
                    + plain(pc.high()) + " (linear interpolation between closest ranks, numpy's default), "
                    + "x = clip((x - lo) / (hi - lo), 0, 1); x = 0 everywhere when hi - lo <= 1e-12";
        }
        if (n instanceof Normalization.ZScore) {
            return "per image, over all its pixels: x = (x - mean) / std (population standard deviation); x = 0 "
                    + "everywhere when std <= 1e-12";
        }
        return "none: the pixels go in as they are";
    }

    private static String formula(InputFit fit, UNetSpec spec) {
        return switch (fit) {
            case EXACT -> "the image must be " + spec.inputHeight() + "x" + spec.inputWidth() + " pixels";
            case CENTRE_CROP -> "before normalising: crop the centre " + spec.inputHeight() + "x" + spec.inputWidth()
                    + " (first row (height - " + spec.inputHeight() + ") // 2, first column (width - "
                    + spec.inputWidth() + ") // 2), padding with the image minimum where the image is smaller; "
                    + "place the prediction back at the same position, background outside it";
        };
    }

    private static String plain(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}

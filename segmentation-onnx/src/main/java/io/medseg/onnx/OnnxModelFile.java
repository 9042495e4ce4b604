package io.medseg.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import io.medseg.data.DataFormatException;
import io.medseg.io.Json;
import io.medseg.io.TextFields;
import io.medseg.model.UNetSpec;
import io.medseg.onnx.proto.ModelProto;
import io.medseg.onnx.proto.StringStringEntryProto;
import io.medseg.onnx.proto.TensorShapeProto;
import io.medseg.onnx.proto.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code model.onnx} written by {@link OnnxExport}, read and checked before ONNX Runtime sees it: a parsable ONNX
 * model, marked as ours, with a spec in its metadata and the input and output the spec says. The bytes checked are
 * the bytes handed to the runtime.
 */
final class OnnxModelFile {
    private final Path file;
    private final byte[] bytes;
    private final UNetSpec spec;
    private final Map<String, String> properties;

    private OnnxModelFile(Path file, byte[] bytes, UNetSpec spec, Map<String, String> properties) {
        this.file = file;
        this.bytes = bytes;
        this.spec = spec;
        this.properties = properties;
    }

    /** The model file of a model folder ({@code DIR/model.onnx}), or {@code path} itself when it is a file. */
    static Path locate(Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            return path;
        }
        if (!Files.isDirectory(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such model directory or ONNX file");
        }
        Path file = path.resolve(OnnxExport.FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new DataFormatException(file, "missing: the model has no ONNX export (write one with segment "
                    + "export --onnx, or OnnxExport.intoModelFolder)");
        }
        return file;
    }

    static OnnxModelFile read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new DataFormatException(file, "not an ONNX model (" + bytes.length + " bytes that do not parse as "
                    + "an ONNX ModelProto: " + e.getMessage() + "; truncated or damaged?)", e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new DataFormatException(file, "not an ONNX model (no graph; truncated or damaged?)");
        }
        Map<String, String> props = new LinkedHashMap<>();
        for (StringStringEntryProto p : model.getMetadataPropsList()) {
            props.put(p.getKey(), p.getValue());
        }
        String format = props.get(OnnxExport.META_FORMAT);
        if (!OnnxExport.FORMAT.equals(format)) {
            throw new DataFormatException(file, "an ONNX model without the " + OnnxExport.META_FORMAT + " = "
                    + OnnxExport.FORMAT + " property: this backend runs models exported by medseg (segment export "
                    + "--onnx), whose metadata gives the spec and the normalisation");
        }
        String version = props.getOrDefault(OnnxExport.META_FORMAT_VERSION, "");
        if (!version.matches("[1-9][0-9]{0,8}") || Integer.parseInt(version) > OnnxExport.FORMAT_VERSION) {
            throw new DataFormatException(file, "unsupported " + OnnxExport.META_FORMAT_VERSION + " "
                    + TextFields.excerpt(version) + ": this library reads version " + OnnxExport.FORMAT_VERSION
                    + " (a newer release wrote it?)");
        }
        UNetSpec spec;
        try {
            spec = Json.parse(props.getOrDefault(OnnxExport.META_SPEC, ""), UNetSpec.class);
        } catch (RuntimeException e) {
            throw new DataFormatException(file, "the " + OnnxExport.META_SPEC + " property is not a valid spec: "
                    + e.getMessage(), e);
        }
        checkTensor(file, model.getGraph().getInputList(), "input", UNetOnnxGraph.INPUT, spec.inputHeight(),
                spec.inputWidth(), spec.inputChannels());
        checkTensor(file, model.getGraph().getOutputList(), "output", UNetOnnxGraph.OUTPUT, spec.inputHeight(),
                spec.inputWidth(), spec.numClasses());
        return new OnnxModelFile(file, bytes, spec, Collections.unmodifiableMap(props));
    }

    private static void checkTensor(Path file, List<ValueInfoProto> values, String kind, String name, long h, long w,
            long c) throws DataFormatException {
        if (values.size() != 1 || !values.get(0).getName().equals(name)) {
            throw new DataFormatException(file, "the graph's " + kind + "s are "
                    + values.stream().map(ValueInfoProto::getName).toList() + ", expected [" + name + "]");
        }
        List<TensorShapeProto.Dimension> dims = values.get(0).getType().getTensorType().getShape().getDimList();
        long[] expected = {-1, h, w, c};
        boolean ok = dims.size() == 4;
        for (int i = 1; ok && i < 4; i++) {
            ok = !dims.get(i).hasDimValue() || dims.get(i).getDimValue() == expected[i];
        }
        if (!ok) {
            throw new DataFormatException(file, "the graph's " + kind + " " + name + " is not [N," + h + "," + w
                    + "," + c + "] as the spec in its metadata says");
        }
    }

    Path file() {
        return file;
    }

    byte[] bytes() {
        return bytes;
    }

    UNetSpec spec() {
        return spec;
    }

    /** The model's metadata properties, in file order. */
    Map<String, String> properties() {
        return properties;
    }
}

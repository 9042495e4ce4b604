package io.medseg.onnx;

import com.google.protobuf.ByteString;
import io.medseg.backend.ModelState;
import io.medseg.model.UNetSpec;
import io.medseg.model.Upsampling;
import io.medseg.onnx.proto.AttributeProto;
import io.medseg.onnx.proto.GraphProto;
import io.medseg.onnx.proto.NodeProto;
import io.medseg.onnx.proto.TensorProto;
import io.medseg.onnx.proto.TensorShapeProto;
import io.medseg.onnx.proto.TypeProto;
import io.medseg.onnx.proto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The ONNX graph of a U-Net's inference network, from its spec and its folded weights
 * ({@link io.medseg.backend.SegmentationModel#inferenceWeights()}). The topology is the one every backend builds from
 * a {@link UNetSpec}: per level two convolutions (kernel {@code k}, stride 1, zero padding {@code k / 2} on each side,
 * which is TensorFlow's {@code SAME} for an odd kernel), a 2x2 max pool, the bottleneck, then per level a 2x2
 * stride-2 transpose convolution, the skip connection concatenated in front of it, and two convolutions; a 1x1 head
 * and a softmax over the classes.
 *
 * <p>ONNX convolutions work on NCHW tensors while the model's interface is NHWC (that of the SavedModel's serving
 * signature), so the graph transposes once on the way in and once before the softmax, and the kernels are stored in
 * ONNX's {@code [out, in, kh, kw]} order ({@code [in, out, kh, kw]} for the transpose convolutions).
 */
final class UNetOnnxGraph {
    static final String INPUT = "image";
    static final String OUTPUT = "probabilities";
    /** The symbolic batch dimension of the input and the output. */
    static final String BATCH = "N";

    private final UNetSpec spec;
    private final ModelState weights;
    private final Set<String> used = new HashSet<>();
    private final GraphProto.Builder graph = GraphProto.newBuilder();

    private UNetOnnxGraph(UNetSpec spec, ModelState weights) {
        this.spec = spec;
        this.weights = weights;
    }

    /**
     * The graph; every weight of {@code weights} must be used, with the length the spec gives it.
     *
     * @throws IllegalArgumentException naming a weight that is missing, of the wrong length, or left over
     */
    static GraphProto build(UNetSpec spec, ModelState weights, String name) {
        if (spec.upsampling() != Upsampling.TRANSPOSE_CONV) {
            throw new IllegalArgumentException("ONNX export supports transpose-convolution upsampling only, not "
                    + spec.upsampling());
        }
        UNetOnnxGraph g = new UNetOnnxGraph(spec, weights);
        g.graph.setName(name);
        g.network();
        List<String> unused = new ArrayList<>();
        for (String w : weights.names()) {
            if (!g.used.contains(w)) {
                unused.add(w);
            }
        }
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException("weights not used by the network of this spec: " + unused);
        }
        return g.graph.build();
    }

    private void network() {
        graph.addInput(tensorInfo(INPUT, spec.inputHeight(), spec.inputWidth(), spec.inputChannels()));
        graph.addOutput(tensorInfo(OUTPUT, spec.inputHeight(), spec.inputWidth(), spec.numClasses()));
        String x = node("Transpose", "input/to_nchw", List.of(INPUT), List.of(ints("perm", 0, 3, 1, 2)));
        int channels = spec.inputChannels();
        List<String> skips = new ArrayList<>();
        for (int level = 0; level < spec.depth(); level++) {
            String block = "enc" + (level + 1);
            int f = spec.baseFilters() << level;
            x = convBlock(block, x, channels, f);
            skips.add(x);
            channels = f;
            x = node("MaxPool", block + "/pool", List.of(x),
                    List.of(ints("kernel_shape", 2, 2), ints("strides", 2, 2)));
        }
        int bottom = spec.baseFilters() << spec.depth();
        x = convBlock("bottleneck", x, channels, bottom);
        channels = bottom;
        for (int level = spec.depth() - 1; level >= 0; level--) {
            String block = "dec" + (level + 1);
            int f = spec.baseFilters() << level;
            x = transposeConv(block + "/upconv", x, channels, f);
            x = node("Concat", block + "/concat", List.of(skips.get(level), x), List.of(integer("axis", 1)));
            x = convBlock(block, x, 2 * f, f);
            channels = f;
        }
        x = conv("head", x, channels, spec.numClasses(), 1, false);
        x = node("Transpose", "head/to_nhwc", List.of(x), List.of(ints("perm", 0, 2, 3, 1)));
        graph.addNode(NodeProto.newBuilder().setName("softmax").setOpType("Softmax").addInput(x).addOutput(OUTPUT)
                .addAttribute(integer("axis", -1)));
    }

    private String convBlock(String block, String x, int in, int out) {
        String y = conv(block + "/conv1", x, in, out, spec.kernelSize(), true);
        return conv(block + "/conv2", y, out, out, spec.kernelSize(), true);
    }

    /** A convolution with bias and, unless it is the head, the spec's activation. */
    private String conv(String layer, String x, int in, int out, int k, boolean activation) {
        float[] hwio = weight(layer, "weights", (long) k * k * in * out);
        float[] oihw = new float[hwio.length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int y = 0; y < k; y++) {
                    for (int xx = 0; xx < k; xx++) {
                        oihw[((o * in + i) * k + y) * k + xx] = hwio[((y * k + xx) * in + i) * out + o];
                    }
                }
            }
        }
        String w = initializer(layer, "weights", oihw, out, in, k, k);
        String b = initializer(layer, "bias", weight(layer, "bias", out), out);
        int pad = k / 2;
        String y = node("Conv", layer, List.of(x, w, b), List.of(ints("kernel_shape", k, k),
                ints("strides", 1, 1), ints("pads", pad, pad, pad, pad), ints("dilations", 1, 1)));
        if (!activation) {
            return y;
        }
        return switch (spec.activation()) {
            case RELU -> node("Relu", layer + "/relu", List.of(y), List.of());
            case LEAKY_RELU -> node("LeakyRelu", layer + "/leaky_relu", List.of(y), List.of(real("alpha", 0.01f)));
            case ELU -> node("Elu", layer + "/elu", List.of(y), List.of(real("alpha", 1f)));
        };
    }

    /** A 2x2, stride-2 transpose convolution from {@code in} to {@code out} channels, with bias. */
    private String transposeConv(String layer, String x, int in, int out) {
        float[] src = weight(layer, "weights", 4L * in * out);
        float[] dst = new float[src.length];
        // [kh, kw, out, in] to ONNX ConvTranspose's [in, out, kh, kw]
        for (int c = 0; c < in; c++) {
            for (int o = 0; o < out; o++) {
                for (int y = 0; y < 2; y++) {
                    for (int xx = 0; xx < 2; xx++) {
                        dst[((c * out + o) * 2 + y) * 2 + xx] = src[((y * 2 + xx) * out + o) * in + c];
                    }
                }
            }
        }
        String w = initializer(layer, "weights", dst, in, out, 2, 2);
        String b = initializer(layer, "bias", weight(layer, "bias", out), out);
        return node("ConvTranspose", layer, List.of(x, w, b), List.of(ints("kernel_shape", 2, 2),
                ints("strides", 2, 2), ints("pads", 0, 0, 0, 0)));
    }

    private float[] weight(String layer, String kind, long expected) {
        String name = "unet/" + layer + "/" + kind;
        float[] v;
        try {
            v = weights.get(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the weights lack " + name + ", which the spec's network needs", e);
        }
        if (v.length != expected) {
            throw new IllegalArgumentException("weight " + name + " has " + v.length + " values, the spec needs "
                    + expected);
        }
        used.add(name);
        return v;
    }

    private String initializer(String layer, String kind, float[] values, long... dims) {
        String name = "unet/" + layer + "/" + kind;
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(raw.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    /** Adds a node named {@code name} whose one output is also called {@code name}; returns that output. */
    private String node(String op, String name, List<String> inputs, List<AttributeProto> attributes) {
        graph.addNode(NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(inputs).addOutput(name)
                .addAllAttribute(attributes));
        return name;
    }

    private static ValueInfoProto tensorInfo(String name, long h, long w, long c) {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(h))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(w))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(c)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    private static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value)
                .build();
    }

    private static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value)
                .build();
    }
}

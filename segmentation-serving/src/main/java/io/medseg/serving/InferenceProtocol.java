package io.medseg.serving;

import io.javalin.http.Context;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import io.medseg.io.TextFields;
import io.medseg.model.InputFit;
import io.medseg.model.UNetSpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Open Inference Protocol's REST API (KServe "V2"): server and model metadata, model readiness and
 * inference with JSON tensors. One input, {@code image}: raw pixel values, {@code [N, H, W, C]} (or
 * {@code [N, H, W]} for one channel), FP32, normalised and fitted by the server as in training. Two outputs:
 * {@code probabilities} FP32 {@code [N, H, W, classes]} and {@code mask} UINT8 {@code [N, H, W]}, post-processed.
 * Errors are {@code {"error": "<message>"}} with a 4xx status (503 while no model is loaded).
 */
final class InferenceProtocol {
    static final String INPUT = "image";
    static final String PROBABILITIES = "probabilities";
    static final String MASK = "mask";
    /** The most values one input may have. */
    private static final long MAX_VALUES = Integer.MAX_VALUE / 2;
    private static final Set<String> NUMERIC = Set.of("FP32", "FP64", "FP16", "INT8", "INT16", "INT32", "INT64",
            "UINT8", "UINT16", "UINT32", "UINT64");

    private final ModelServer server;
    private final HttpApi http;

    InferenceProtocol(ModelServer server, HttpApi http) {
        this.server = server;
        this.http = http;
    }

    void serverMetadata(Context ctx) {
        ObjectNode n = HttpApi.JSON.createObjectNode();
        n.put("name", "medseg");
        String version = InferenceProtocol.class.getPackage().getImplementationVersion();
        n.put("version", version != null ? version : "development");
        n.putArray("extensions");
        HttpApi.json(ctx, 200, n.toString().getBytes(StandardCharsets.UTF_8));
    }

    void modelMetadata(Context ctx) {
        ServedModel model = leaseFor(ctx);
        try {
            UNetSpec spec = model.spec();
            boolean anySize = spec.inputFit() != InputFit.EXACT;
            long h = anySize ? -1 : spec.inputHeight();
            long w = anySize ? -1 : spec.inputWidth();
            ObjectNode n = HttpApi.JSON.createObjectNode();
            n.put("name", model.name());
            n.putArray("versions").add(Integer.toString(model.version()));
            n.put("platform", "medseg_" + model.backendName());
            tensor(n.putArray("inputs"), INPUT, "FP32", -1, h, w, spec.inputChannels());
            ArrayNode outputs = n.putArray("outputs");
            tensor(outputs, PROBABILITIES, "FP32", -1, h, w, spec.numClasses());
            tensor(outputs, MASK, "UINT8", -1, h, w);
            HttpApi.json(ctx, 200, n.toString().getBytes(StandardCharsets.UTF_8));
        } finally {
            model.release();
        }
    }

    void modelReady(Context ctx) {
        checkName(ctx);
        Optional<ServedModel> leased = server.lease();
        if (leased.isEmpty()) {
            ctx.status(400);
            return;
        }
        ServedModel model = leased.get();
        try {
            String version = ctx.pathParamMap().get("version");
            ctx.status(version == null || version.equals(Integer.toString(model.version())) ? 200 : 400);
        } finally {
            model.release();
        }
    }

    void infer(Context ctx) {
        if (ctx.header("Inference-Header-Content-Length") != null) {
            throw HttpProblem.badRequest("the binary tensor data extension is not supported: send the tensors as "
                    + "JSON");
        }
        String type = HttpApi.mediaType(ctx);
        if (!type.isEmpty() && !type.equals("application/json")) {
            throw new HttpProblem(415, "inference requests are JSON (Content-Type application/json), not '"
                    + type + "'");
        }
        byte[] body = http.body(ctx);
        HttpApi.noteInput(ctx, body);
        JsonNode request;
        try {
            request = HttpApi.JSON.readTree(body);
        } catch (JacksonException e) {
            throw HttpProblem.badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (request == null || !request.isObject()) {
            throw HttpProblem.badRequest("the inference request must be a JSON object with \"inputs\"");
        }
        ServedModel model = leaseFor(ctx);
        try {
            HttpApi.noteModel(ctx, model);
            List<Image> images = images(request);
            Set<String> wanted = wantedOutputs(request);
            List<CompletableFuture<ServedModel.Output>> futures = new ArrayList<>(images.size());
            for (Image image : images) {
                futures.add(SegmentEndpoint.queue(model, image));
            }
            List<ServedModel.Output> outputs = new ArrayList<>(images.size());
            for (CompletableFuture<ServedModel.Output> f : futures) {
                outputs.add(SegmentEndpoint.await(model, f, http.requestTimeoutMillis()));
            }
            server.drift().filter(d -> d.version() == model.version()).ifPresent(d -> {
                for (int i = 0; i < images.size(); i++) {
                    Image image = images.get(i);
                    if (image.spacing().isPresent()) { // drift compares spacings too: only frames that give one
                        d.offer(image, model.mask(outputs.get(i), image.height(), image.width()), model.queued(),
                                model.maxBatch());
                    }
                }
            });
            HttpApi.json(ctx, 200, response(request, model, images, outputs, wanted));
        } finally {
            model.release();
        }
    }

    private ServedModel leaseFor(Context ctx) {
        checkName(ctx);
        ServedModel model = server.lease().orElseThrow(
                () -> new HttpProblem(503, "model '" + server.config().model() + "' is not loaded yet"));
        String version = ctx.pathParamMap().get("version");
        if (version != null && !version.equals(Integer.toString(model.version()))) {
            int served = model.version();
            model.release();
            throw new HttpProblem(404, "version '" + version + "' of model '" + model.name()
                    + "' is not loaded: this server serves version " + served);
        }
        return model;
    }

    private void checkName(Context ctx) {
        String name = ctx.pathParam("name");
        if (!name.equals(server.config().model())) {
            throw new HttpProblem(404, "model '" + name + "' is not served here: this server serves '"
                    + server.config().model() + "'");
        }
    }

    private static void tensor(ArrayNode list, String name, String datatype, long... shape) {
        ObjectNode t = list.addObject();
        t.put("name", name);
        t.put("datatype", datatype);
        ArrayNode s = t.putArray("shape");
        for (long d : shape) {
            s.add(d);
        }
    }

    /** The images of the request's one input, checked against the protocol (the model checks their size later). */
    private static List<Image> images(JsonNode request) {
        JsonNode inputs = request.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
            throw HttpProblem.badRequest("\"inputs\" must be a non-empty array of tensors");
        }
        if (inputs.size() != 1) {
            throw HttpProblem.badRequest("the model takes one input, '" + INPUT + "', but the request has "
                    + inputs.size());
        }
        JsonNode in = inputs.get(0);
        String name = text(in, "name");
        if (!INPUT.equals(name)) {
            throw HttpProblem.badRequest("unexpected input " + TextFields.excerpt(name) + ": the model's input is '"
                    + INPUT + "'");
        }
        String datatype = text(in, "datatype");
        if (!NUMERIC.contains(datatype)) {
            throw HttpProblem.badRequest("input '" + INPUT + "' has datatype " + TextFields.excerpt(datatype)
                    + "; it takes FP32 (or another numeric type, converted)");
        }
        JsonNode shapeNode = in.get("shape");
        if (shapeNode == null || !shapeNode.isArray() || (shapeNode.size() != 3 && shapeNode.size() != 4)) {
            throw HttpProblem.badRequest("input '" + INPUT + "' needs \"shape\" [N, H, W, C] or [N, H, W]");
        }
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 1 || d.asLong() > 1 << 16) {
                throw HttpProblem.badRequest("input '" + INPUT + "' shape " + TextFields.excerpt(shapeNode.toString())
                        + ": every dimension must be a whole number from 1 to 65536");
            }
            shape[i] = d.asLong();
            count *= shape[i]; // at most MAX_VALUES * 65536 here: no overflow
            if (count > MAX_VALUES) {
                throw HttpProblem.badRequest("input '" + INPUT + "' shape " + shapeNode + " is too large: more "
                        + "than " + MAX_VALUES + " values");
            }
        }
        int n = (int) shape[0];
        int h = (int) shape[1];
        int w = (int) shape[2];
        int c = shape.length == 4 ? (int) shape[3] : 1;
        JsonNode data = in.get("data");
        if (data == null || !data.isArray()) {
            throw HttpProblem.badRequest("input '" + INPUT + "' needs \"data\": its values in row-major order, flat "
                    + "or nested");
        }
        // counted first, so that the array is only made for values that are there, not for what the shape claims
        long given = countValues(data, 0);
        if (given != count) {
            throw HttpProblem.badRequest("input '" + INPUT + "' has " + given + " values but its shape "
                    + shapeNode + " needs " + count);
        }
        float[] values = new float[(int) count];
        flatten(data, values, new int[] {0});
        PixelSpacing spacing = spacing(in.get("parameters"));
        List<Image> images = new ArrayList<>(n);
        int per = h * w * c;
        for (int i = 0; i < n; i++) {
            float[] px = new float[per];
            System.arraycopy(values, i * per, px, 0, per);
            images.add(Image.wrap(h, w, c, px, spacing));
        }
        return images;
    }

    /** The number of values in {@code node}, nested arrays included, from index {@code from}; all numbers. */
    private static long countValues(JsonNode node, long from) {
        long count = from;
        for (JsonNode v : node) {
            if (v.isArray()) {
                count = countValues(v, count);
            } else if (v.isNumber()) {
                count++;
            } else {
                throw HttpProblem.badRequest("input '" + INPUT + "' value " + count + " is not a number: "
                        + TextFields.excerpt(v.toString()));
            }
        }
        return count;
    }

    /** Copies the values of {@code node} (all numbers, as many as {@code into} holds) into {@code into}. */
    private static void flatten(JsonNode node, float[] into, int[] filled) {
        for (JsonNode v : node) {
            if (v.isArray()) {
                flatten(v, into, filled);
            } else {
                // doubleValue, not floatValue: the latter throws for a number beyond the float range
                double d;
                try {
                    d = v.doubleValue();
                } catch (JacksonException e) {
                    d = Double.NaN; // beyond even the double range
                }
                float f = (float) d;
                if (!Float.isFinite(f)) {
                    throw HttpProblem.badRequest("input '" + INPUT + "' value " + filled[0] + " is not finite as "
                            + "a 32-bit float: " + TextFields.excerpt(v.toString()));
                }
                into[filled[0]++] = f;
            }
        }
    }

    /** The optional {@code pixel_spacing} parameter: [row mm, column mm]. */
    private static PixelSpacing spacing(JsonNode parameters) {
        if (parameters == null || parameters.isNull()) {
            return null;
        }
        JsonNode s = parameters.get("pixel_spacing");
        if (s == null || s.isNull()) {
            return null;
        }
        if (!s.isArray() || s.size() != 2 || !s.get(0).isNumber() || !s.get(1).isNumber()) {
            throw HttpProblem.badRequest("parameter pixel_spacing must be [row mm, column mm]");
        }
        try {
            return new PixelSpacing(s.get(0).doubleValue(), s.get(1).doubleValue());
        } catch (IllegalArgumentException e) {
            throw HttpProblem.badRequest("parameter pixel_spacing: " + e.getMessage());
        }
    }

    private static Set<String> wantedOutputs(JsonNode request) {
        JsonNode outputs = request.get("outputs");
        Set<String> wanted = new LinkedHashSet<>();
        if (outputs == null || outputs.isNull()) {
            wanted.add(PROBABILITIES);
            wanted.add(MASK);
            return wanted;
        }
        if (!outputs.isArray()) {
            throw HttpProblem.badRequest("\"outputs\" must be an array of {\"name\": ...}");
        }
        for (JsonNode o : outputs) {
            String name = text(o, "name");
            if (!PROBABILITIES.equals(name) && !MASK.equals(name)) {
                throw HttpProblem.badRequest("unknown output " + TextFields.excerpt(name)
                        + ": the model's outputs are '" + PROBABILITIES + "' and '" + MASK + "'");
            }
            wanted.add(name);
        }
        return wanted;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || !v.isString()) {
            throw HttpProblem.badRequest("tensor needs a string \"" + field + "\"");
        }
        return v.asString();
    }

    private static byte[] response(JsonNode request, ServedModel model, List<Image> images,
            List<ServedModel.Output> outputs, Set<String> wanted) {
        int n = images.size();
        int h = images.get(0).height();
        int w = images.get(0).width();
        int k = model.spec().numClasses();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        try (JsonGenerator g = HttpApi.JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringProperty("model_name", model.name());
            g.writeStringProperty("model_version", Integer.toString(model.version()));
            JsonNode id = request.get("id");
            if (id != null && id.isString()) {
                g.writeStringProperty("id", id.asString());
            }
            g.writeName("outputs");
            g.writeStartArray();
            for (String out : wanted) {
                g.writeStartObject();
                g.writeStringProperty("name", out);
                boolean probs = out.equals(PROBABILITIES);
                g.writeStringProperty("datatype", probs ? "FP32" : "UINT8");
                g.writeName("shape");
                g.writeStartArray();
                g.writeNumber(n);
                g.writeNumber(h);
                g.writeNumber(w);
                if (probs) {
                    g.writeNumber(k);
                }
                g.writeEndArray();
                g.writeName("data");
                g.writeStartArray();
                for (int i = 0; i < n; i++) {
                    if (probs) {
                        for (float p : model.probabilities(outputs.get(i), h, w)) {
                            g.writeNumber(p);
                        }
                    } else {
                        Mask m = model.mask(outputs.get(i), h, w);
                        for (byte b : m.toArray()) {
                            g.writeNumber(b);
                        }
                    }
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return bytes.toByteArray();
    }
}

package io.medseg.serving;

import io.javalin.http.Context;
import io.medseg.data.DataFormatException;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import io.medseg.data.ReadLimits;
import io.medseg.data.dicom.DicomImage;
import io.medseg.data.dicom.DicomReader;
import io.medseg.metrics.Contours;
import io.medseg.mlops.drift.DriftReport;
import io.medseg.mlops.drift.FeatureDrift;
import io.medseg.viz.MaskPng;
import io.medseg.viz.Overlays;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1/segment}: one DICOM frame in the body, its segmentation out, as JSON or, for
 * {@code Accept: image/png}, as the mask PNG. And {@code GET /v1/drift}, the live drift verdicts.
 */
final class SegmentEndpoint {
    private static final List<String> DICOM_TYPES = List.of("application/dicom", "application/octet-stream");

    private final ModelServer server;
    private final HttpApi http;
    private final ReadLimits limits = ReadLimits.defaults();

    SegmentEndpoint(ModelServer server, HttpApi http) {
        this.server = server;
        this.http = http;
    }

    void handle(Context ctx) {
        long start = System.nanoTime();
        String type = HttpApi.mediaType(ctx);
        if (!DICOM_TYPES.contains(type)) {
            throw new HttpProblem(415, "POST /v1/segment takes a DICOM file as the body with Content-Type "
                    + "application/dicom (or application/octet-stream), not " + (type.isEmpty() ? "no content type"
                            : "'" + type + "'"));
        }
        String maskEncoding = Optional.ofNullable(ctx.queryParam("mask")).orElse("png").toLowerCase(Locale.ROOT);
        if (!List.of("png", "rle", "none").contains(maskEncoding)) {
            throw HttpProblem.badRequest("mask must be png, rle or none, not '" + maskEncoding + "'");
        }
        boolean withImage = "png".equalsIgnoreCase(ctx.queryParam("image"));
        boolean pngAnswer = wantsPng(ctx.header("Accept"));
        byte[] body = http.body(ctx);
        HttpApi.noteInput(ctx, body);
        if (body.length == 0) {
            throw HttpProblem.badRequest("the request body is empty: send one DICOM file");
        }
        Image image;
        try {
            DicomImage dicom = DicomReader.read(body, "request body", limits);
            image = dicom.toImage();
        } catch (DataFormatException e) {
            throw HttpProblem.badRequest(e.getMessage());
        }
        ServedModel model = server.lease().orElseThrow(
                () -> new HttpProblem(503, "no model is loaded yet; GET " + HttpApi.READY + " says when"));
        try {
            HttpApi.noteModel(ctx, model);
            Mask mask = segment(model, image, http.requestTimeoutMillis());
            server.drift().filter(d -> d.version() == model.version()).ifPresent(d -> d.offer(image, mask, model.queued(), model.maxBatch()));
            if (pngAnswer) {
                ctx.header("X-Model-Name", model.name());
                ctx.header("X-Model-Manifest-Sha256", model.manifestSha256());
                ctx.header("X-Precision", model.precision().label());
                ctx.status(200);
                ctx.contentType("image/png");
                ctx.result(MaskPng.encode(mask));
                return;
            }
            HttpApi.json(ctx, 200, answer(ctx, model, image, mask, maskEncoding, withImage, start));
        } finally {
            model.release();
        }
    }

    /**
     * The mask of {@code image} from {@code model}: fitted, queued for the next batch, post-processed.
     *
     * @throws HttpProblem 400 for an image the model cannot take, 503 when the queue is full or the network does
     *     not answer within {@code timeoutMillis}
     */
    static Mask segment(ServedModel model, Image image, long timeoutMillis) {
        ServedModel.Output out = await(model, queue(model, image), timeoutMillis);
        return model.mask(out, image.height(), image.width());
    }

    /** Checks and queues one image. */
    static CompletableFuture<ServedModel.Output> queue(ServedModel model, Image image) {
        model.refusal(image.height(), image.width(), image.channels()).ifPresent(r -> {
            throw HttpProblem.badRequest(r);
        });
        float[] input;
        try {
            input = model.input(image);
        } catch (IllegalArgumentException e) {
            throw HttpProblem.badRequest("image " + image.shapeString() + " cannot go to model " + model.name()
                    + " v" + model.version() + ": " + e.getMessage());
        }
        try {
            return model.submit(input);
        } catch (ServedModel.QueueFullException e) {
            throw new HttpProblem(503, e.getMessage());
        }
    }

    /** The network output of a queued image, or 503 when it takes longer than {@code timeoutMillis}. */
    static ServedModel.Output await(ServedModel model, CompletableFuture<ServedModel.Output> f, long timeoutMillis) {
        try {
            return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new HttpProblem(503, "the network did not answer within " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpProblem(503, "interrupted while waiting for the network (the server is stopping)");
        } catch (ExecutionException e) {
            throw new IllegalStateException("model " + model.name() + " v" + model.version() + " failed on a batch",
                    e.getCause());
        }
    }

    private static boolean wantsPng(String accept) {
        if (accept == null) {
            return false;
        }
        String a = accept.toLowerCase(Locale.ROOT);
        return a.contains("image/png") && !a.contains("application/json");
    }

    private static byte[] answer(Context ctx, ServedModel model, Image image, Mask mask, String maskEncoding,
            boolean withImage, long start) {
        ObjectNode n = HttpApi.JSON.createObjectNode();
        n.put("request_id", HttpApi.requestId(ctx));
        ObjectNode m = n.putObject("model");
        m.put("name", model.name());
        m.put("version", model.version());
        m.put("manifest_sha256", model.manifestSha256());
        m.put("precision", model.precision().label());
        m.put("backend", model.backendName());
        ObjectNode img = n.putObject("image");
        img.put("height", image.height());
        img.put("width", image.width());
        Optional<PixelSpacing> spacing = image.spacing();
        if (spacing.isPresent()) {
            ArrayNode s = img.putArray("pixel_spacing_mm");
            s.add(spacing.get().rowMm());
            s.add(spacing.get().colMm());
        } else {
            img.putNull("pixel_spacing_mm");
        }
        long foreground = (long) mask.height() * mask.width() - mask.count(0);
        n.put("lv_area_pixels", foreground);
        if (spacing.isPresent()) {
            n.put("lv_area_mm2", foreground * spacing.get().pixelAreaMm2());
        } else {
            n.putNull("lv_area_mm2");
        }
        ArrayNode contours = n.putArray("contours");
        for (int k = 1; k <= mask.maxLabel(); k++) {
            for (List<Contours.Point> polygon : Contours.marchingSquares(mask, k)) {
                ObjectNode c = contours.addObject();
                c.put("class", k);
                ArrayNode px = c.putArray("pixels");
                ArrayNode mm = spacing.isPresent() ? c.putArray("mm") : null;
                for (Contours.Point p : polygon) {
                    ArrayNode xy = px.addArray();
                    xy.add(p.x());
                    xy.add(p.y());
                    if (mm != null) {
                        ArrayNode xyMm = mm.addArray();
                        xyMm.add(p.x() * spacing.get().colMm());
                        xyMm.add(p.y() * spacing.get().rowMm());
                    }
                }
                if (mm == null) {
                    c.putNull("mm");
                }
            }
        }
        ObjectNode maskNode = n.putObject("mask");
        maskNode.put("encoding", maskEncoding);
        maskNode.put("height", mask.height());
        maskNode.put("width", mask.width());
        switch (maskEncoding) {
            case "png" -> maskNode.put("data", Base64.getEncoder().encodeToString(MaskPng.encode(mask)));
            case "rle" -> runLengths(mask, maskNode);
            default -> { }
        }
        if (withImage) {
            n.put("image_png", Base64.getEncoder().encodeToString(Overlays.greyPng(image)));
        }
        n.put("time_ms", Math.round(((System.nanoTime() - start) / 1e6) * 1000) / 1000.0);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Row-major runs: {@code values[i]} repeated {@code lengths[i]} times, in order, fill the mask. */
    private static void runLengths(Mask mask, ObjectNode node) {
        node.put("order", "row-major");
        ArrayNode values = node.putArray("values");
        ArrayNode lengths = node.putArray("lengths");
        byte[] labels = mask.toArray();
        int i = 0;
        while (i < labels.length) {
            int j = i + 1;
            while (j < labels.length && labels[j] == labels[i]) {
                j++;
            }
            values.add(labels[i]);
            lengths.add(j - i);
            i = j;
        }
    }

    void drift(Context ctx) {
        ServedModel model = server.lease().orElseThrow(
                () -> new HttpProblem(503, "no model is loaded yet; GET " + HttpApi.READY + " says when"));
        try {
            HttpApi.noteModel(ctx, model);
            LiveDrift drift = server.drift().filter(d -> d.version() == model.version()).orElseThrow(
                    () -> new HttpProblem(404, "model " + model.name() + " v" + model.version()
                            + " has no reference data profile in its package, so live drift is off"));
            Optional<DriftReport> report = drift.check();
            ObjectNode n = HttpApi.JSON.createObjectNode();
            n.put("model", model.name());
            n.put("version", model.version());
            ObjectNode w = n.putObject("window");
            w.put("capacity", drift.window().capacity());
            w.put("images", drift.window().size());
            w.put("seen", drift.window().seen());
            n.put("verdict", report.map(r -> r.verdict().word()).orElse("unknown"));
            ArrayNode drifted = n.putArray("drifted_features");
            ArrayNode features = n.putArray("features");
            if (report.isPresent()) {
                report.get().driftedFeatures().forEach(drifted::add);
                for (FeatureDrift f : report.get().features()) {
                    ObjectNode fn = features.addObject();
                    fn.put("name", f.name());
                    fn.put("verdict", f.verdict().word());
                    fn.put("weak", f.weak());
                    fn.put("explanation", f.explanation());
                }
                n.set("report", HttpApi.JSON.readTree(report.get().toJson()));
            } else {
                n.putNull("report");
            }
            HttpApi.json(ctx, 200, n.toString().getBytes(StandardCharsets.UTF_8));
        } finally {
            model.release();
        }
    }
}

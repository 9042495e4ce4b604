package io.medseg.data.tfrecord;

import com.google.protobuf.ByteString;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.data.tfrecord.proto.Example;
import io.medseg.data.tfrecord.proto.Features;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The cardiac MRI lab's TFRecord layout.
 *
 * <table>
 *   <caption>features</caption>
 *   <tr><th>key</th><th>kind</th><th>holds</th></tr>
 *   <tr><td>{@code height}, {@code width}, {@code depth}</td><td>int64</td><td>the image size; depth = channels</td></tr>
 *   <tr><td>{@code name}</td><td>bytes (optional)</td><td>the sample id, e.g. {@code SCD0000101/48}</td></tr>
 *   <tr><td>{@code image_raw} (older files: {@code img_raw})</td><td>bytes</td>
 *       <td>{@code height*width*depth} int64 little-endian pixels, row-major, channel-last</td></tr>
 *   <tr><td>{@code label_raw}</td><td>bytes</td><td>{@code height*width} uint8 labels (1 = left ventricle)</td></tr>
 * </table>
 *
 * <p>Pixels are read as the int64 values as they are. The lab divides them by 1024 at training time; we do not,
 * because the training pipeline normalises every image on its own anyway. On write, float pixels are rounded to
 * int64: Sunnybrook pixels (DICOM values after rescale) are integers, so a write/read round trip is exact for them;
 * fractional pixels lose their fraction.
 *
 * <p>The sample id is {@code name} when present, else the fallback id; the patient id is the part of the name
 * before the first {@code '/'}, else {@code "unknown"}. The sample id is written as {@code name}, so ids and
 * patients survive a round trip.
 */
public final class LabSchema implements ExampleSchema {
    public static final String HEIGHT = "height";
    public static final String WIDTH = "width";
    public static final String DEPTH = "depth";
    public static final String NAME = "name";
    public static final String IMAGE = "image_raw";
    public static final String IMAGE_LEGACY = "img_raw";
    public static final String LABEL = "label_raw";

    private final int numClasses;

    private LabSchema(int numClasses) {
        this.numClasses = numClasses;
    }

    /** Accepts labels 0..127 (what a {@link Mask} can hold). */
    public static LabSchema create() {
        return new LabSchema(0);
    }

    /** Rejects any label outside {@code 0..numClasses-1}. */
    public static LabSchema withClasses(int numClasses) {
        if (numClasses < 2 || numClasses > 128) {
            throw new IllegalArgumentException("number of classes must be in 2..128: " + numClasses);
        }
        return new LabSchema(numClasses);
    }

    @Override
    public Sample decode(Example ex, String fallbackId) throws ExampleFormatException {
        int height = ExampleFeatures.dimension(ex, HEIGHT);
        int width = ExampleFeatures.dimension(ex, WIDTH);
        int depth = ExampleFeatures.dimension(ex, DEPTH);
        String imageKey = ExampleFeatures.map(ex).containsKey(IMAGE) || !ExampleFeatures.map(ex).containsKey(IMAGE_LEGACY)
                ? IMAGE : IMAGE_LEGACY;
        ByteString raw = ExampleFeatures.bytes(ex, imageKey);
        long pixels = (long) height * width * depth;
        if (raw.size() != pixels * Long.BYTES) {
            throw new ExampleFormatException("feature '" + imageKey + "' must hold " + height + "*" + width + "*" + depth
                    + " = " + pixels + " int64 pixels (" + pixels * Long.BYTES + " bytes), got " + raw.size()
                    + " bytes" + (raw.size() % Long.BYTES == 0 ? " (" + raw.size() / Long.BYTES + " pixels)" : ""));
        }
        LongBuffer longs = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        float[] data = new float[(int) pixels];
        for (int i = 0; i < data.length; i++) {
            data[i] = longs.get(i);
        }
        ByteString labelRaw = ExampleFeatures.bytes(ex, LABEL);
        long labels = (long) height * width;
        if (labelRaw.size() != labels) {
            throw new ExampleFormatException("feature '" + LABEL + "' must hold " + height + "*" + width + " = " + labels
                    + " uint8 labels, got " + labelRaw.size() + " bytes");
        }
        byte[] lab = labelRaw.toByteArray();
        checkLabels(lab, width, numClasses, LABEL);
        String id = fallbackId;
        if (ExampleFeatures.map(ex).containsKey(NAME)) {
            id = ExampleFeatures.bytes(ex, NAME).toStringUtf8();
        }
        return new Sample(id, ExampleFeatures.patientOf(id), Image.wrap(height, width, depth, data, null),
                Mask.wrap(height, width, lab));
    }

    @Override
    public Example encode(Sample s) {
        Image img = s.image();
        ByteBuffer buf = ByteBuffer.allocate(img.size() * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        float[] px = img.toArray();
        for (float p : px) {
            buf.putLong(Math.round((double) p));
        }
        buf.flip();
        return Example.newBuilder().setFeatures(Features.newBuilder()
                .putFeature(HEIGHT, ExampleFeatures.int64Feature(img.height()))
                .putFeature(WIDTH, ExampleFeatures.int64Feature(img.width()))
                .putFeature(DEPTH, ExampleFeatures.int64Feature(img.channels()))
                .putFeature(NAME, ExampleFeatures.bytesFeature(ByteString.copyFrom(s.id(), StandardCharsets.UTF_8)))
                .putFeature(IMAGE, ExampleFeatures.bytesFeature(ByteString.copyFrom(buf)))
                .putFeature(LABEL, ExampleFeatures.bytesFeature(ByteString.copyFrom(s.mask().toArray())))
                .build()).build();
    }

    /** Labels are unsigned bytes; they must fit a {@link Mask} (0..127) and, if given, the class count. */
    static void checkLabels(byte[] labels, int width, int numClasses, String key) throws ExampleFormatException {
        int limit = numClasses > 0 ? numClasses : 128;
        for (int i = 0; i < labels.length; i++) {
            int v = labels[i] & 0xff;
            if (v >= limit) {
                throw new ExampleFormatException("feature '" + key + "' has label " + v + " at (y=" + i / width + ", x="
                        + i % width + "); expected 0.." + (limit - 1)
                        + (numClasses > 0 ? " for " + numClasses + " classes" : ""));
            }
        }
    }


    @Override
    public String toString() {
        return "LabSchema[" + (numClasses > 0 ? numClasses + " classes" : "labels 0..127") + "]";
    }
}

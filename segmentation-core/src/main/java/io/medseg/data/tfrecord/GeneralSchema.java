package io.medseg.data.tfrecord;

import com.google.protobuf.ByteString;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.ReadLimits;
import io.medseg.data.Sample;
import io.medseg.data.tfrecord.proto.Example;
import io.medseg.viz.PngDecoder;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A read-only schema for other TFRecord segmentation sets: which keys hold the image, the labels, the size and the
 * id, and how the image and label bytes are stored.
 *
 * <pre>{@code
 * ExampleSchema s = GeneralSchema.builder()
 *         .imageKey("image/encoded").imageType(GeneralSchema.ImageType.PNG)
 *         .labelKey("mask/encoded").labelType(GeneralSchema.LabelType.PNG)
 *         .sizeFromImage().numClasses(4).build();
 * }</pre>
 *
 * <p>Raw types are little-endian, row-major, channel-last; the channel count is {@code bytes / (height * width *
 * bytes per value)}. PNGs must be 8- or 16-bit grayscale. {@link #encode} is not supported.
 */
public final class GeneralSchema implements ExampleSchema {
    /** How image pixels are stored. */
    public enum ImageType {
        FLOAT32(4), INT64(8), UINT8(1), UINT16(2), PNG(0);

        private final int bytes;

        ImageType(int bytes) {
            this.bytes = bytes;
        }
    }

    /** How labels are stored. */
    public enum LabelType {
        UINT8, INT64, PNG
    }

    private final String imageKey;
    private final String labelKey;
    private final ImageType imageType;
    private final LabelType labelType;
    private final String heightKey;
    private final String widthKey;
    private final int fixedHeight;
    private final int fixedWidth;
    private final String idKey;
    private final int numClasses;

    private GeneralSchema(Builder b) {
        imageKey = b.imageKey;
        labelKey = b.labelKey;
        imageType = b.imageType;
        labelType = b.labelType;
        heightKey = b.heightKey;
        widthKey = b.widthKey;
        fixedHeight = b.fixedHeight;
        fixedWidth = b.fixedWidth;
        idKey = b.idKey;
        numClasses = b.numClasses;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Sample decode(Example ex, String fallbackId) throws ExampleFormatException {
        int height;
        int width;
        if (heightKey != null) {
            height = ExampleFeatures.dimension(ex, heightKey);
            width = ExampleFeatures.dimension(ex, widthKey);
        } else {
            height = fixedHeight;
            width = fixedWidth;
        }
        Image image = decodeImage(ExampleFeatures.bytes(ex, imageKey), height, width);
        if (height <= 0) {
            height = image.height();
            width = image.width();
        }
        byte[] labels = decodeLabels(ExampleFeatures.bytes(ex, labelKey), height, width);
        LabSchema.checkLabels(labels, width, numClasses, labelKey);
        String id = fallbackId;
        if (idKey != null && ExampleFeatures.map(ex).containsKey(idKey)) {
            id = ExampleFeatures.bytes(ex, idKey).toStringUtf8();
        }
        return new Sample(id, ExampleFeatures.patientOf(id), image, Mask.wrap(height, width, labels));
    }

    /** Not supported: this schema only reads. */
    @Override
    public Example encode(Sample s) {
        throw new UnsupportedOperationException("GeneralSchema only decodes; write with LabSchema");
    }

    private Image decodeImage(ByteString raw, int height, int width) throws ExampleFormatException {
        if (imageType == ImageType.PNG) {
            Raster r = png(raw, imageKey, height, width);
            float[] px = new float[r.getHeight() * r.getWidth()];
            r.getSamples(0, 0, r.getWidth(), r.getHeight(), 0, px);
            return Image.wrap(r.getHeight(), r.getWidth(), 1, px, null);
        }
        long perChannel = (long) height * width * imageType.bytes;
        if (raw.size() == 0 || raw.size() % perChannel != 0) {
            throw new ExampleFormatException("feature '" + imageKey + "' must hold " + height + "*" + width
                    + "*channels " + imageType + " values (a multiple of " + perChannel + " bytes), got "
                    + raw.size() + " bytes");
        }
        int channels = (int) (raw.size() / perChannel);
        ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] px = new float[height * width * channels];
        for (int i = 0; i < px.length; i++) {
            px[i] = switch (imageType) {
                case FLOAT32 -> b.getFloat();
                case INT64 -> b.getLong();
                case UINT8 -> b.get() & 0xff;
                case UINT16 -> b.getShort() & 0xffff;
                case PNG -> throw new AssertionError();
            };
        }
        return Image.wrap(height, width, channels, px, null);
    }

    private byte[] decodeLabels(ByteString raw, int height, int width) throws ExampleFormatException {
        int n = height * width;
        byte[] out = new byte[n];
        switch (labelType) {
            case UINT8 -> {
                if (raw.size() != n) {
                    throw new ExampleFormatException("feature '" + labelKey + "' must hold " + height + "*" + width
                            + " = " + n + " uint8 labels, got " + raw.size() + " bytes");
                }
                raw.copyTo(out, 0);
            }
            case INT64 -> {
                if (raw.size() != (long) n * 8) {
                    throw new ExampleFormatException("feature '" + labelKey + "' must hold " + height + "*" + width
                            + " = " + n + " int64 labels (" + (long) n * 8 + " bytes), got " + raw.size() + " bytes");
                }
                ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    out[i] = checkedLabel(b.getLong(), i, width);
                }
            }
            case PNG -> {
                Raster r = png(raw, labelKey, height, width);
                int[] v = r.getSamples(0, 0, width, height, 0, (int[]) null);
                for (int i = 0; i < n; i++) {
                    out[i] = checkedLabel(v[i], i, width);
                }
            }
            default -> throw new AssertionError(labelType);
        }
        return out;
    }

    private byte checkedLabel(long v, int i, int width) throws ExampleFormatException {
        int limit = numClasses > 0 ? numClasses : 128;
        if (v < 0 || v >= limit) {
            throw new ExampleFormatException("feature '" + labelKey + "' has label " + v + " at (y=" + i / width
                    + ", x=" + i % width + "); expected 0.." + (limit - 1));
        }
        return (byte) v;
    }

    private static Raster png(ByteString raw, String key, int height, int width) throws ExampleFormatException {
        BufferedImage img = PngDecoder.decode(raw.toByteArray(), ReadLimits.defaults(),
                (message, cause) -> new ExampleFormatException("feature '" + key + "': " + message, cause));
        Raster r = img.getRaster();
        int bits = r.getSampleModel().getSampleSize(0);
        if (r.getNumBands() != 1 || (bits != 8 && bits != 16)) {
            throw new ExampleFormatException("feature '" + key + "' must be an 8- or 16-bit grayscale png, got "
                    + r.getNumBands() + " band(s) of " + bits + " bits");
        }
        if (height > 0 && (r.getHeight() != height || r.getWidth() != width)) {
            throw new ExampleFormatException("feature '" + key + "' is a " + r.getHeight() + "x" + r.getWidth()
                    + " png; expected " + height + "x" + width);
        }
        return r;
    }

    @Override
    public String toString() {
        return "GeneralSchema[image=" + imageKey + " " + imageType + ", label=" + labelKey + " " + labelType + "]";
    }

    /** Defaults: keys {@code image}, {@code label}, {@code height}, {@code width}; UINT8 image and labels. */
    public static final class Builder {
        private String imageKey = "image";
        private String labelKey = "label";
        private ImageType imageType = ImageType.UINT8;
        private LabelType labelType = LabelType.UINT8;
        private String heightKey = "height";
        private String widthKey = "width";
        private int fixedHeight;
        private int fixedWidth;
        private boolean fixedSize;
        private String idKey;
        private int numClasses;

        private Builder() {
        }

        public Builder imageKey(String key) {
            this.imageKey = key;
            return this;
        }

        public Builder labelKey(String key) {
            this.labelKey = key;
            return this;
        }

        public Builder imageType(ImageType type) {
            this.imageType = type;
            return this;
        }

        public Builder labelType(LabelType type) {
            this.labelType = type;
            return this;
        }

        /** Height and width read from these int64 features. */
        public Builder sizeKeys(String heightKey, String widthKey) {
            this.heightKey = heightKey;
            this.widthKey = widthKey;
            this.fixedSize = false;
            return this;
        }

        /** Every example has this size; no size features are read. */
        public Builder fixedSize(int height, int width) {
            this.fixedHeight = height;
            this.fixedWidth = width;
            this.heightKey = null;
            this.widthKey = null;
            this.fixedSize = true;
            return this;
        }

        /** The size is the PNG image's own (image type PNG only). */
        public Builder sizeFromImage() {
            this.heightKey = null;
            this.widthKey = null;
            this.fixedHeight = 0;
            this.fixedWidth = 0;
            this.fixedSize = false;
            return this;
        }

        /** Optional bytes feature holding the sample id ({@code patient/frame}); default none. */
        public Builder idKey(String key) {
            this.idKey = key;
            return this;
        }

        /** Rejects labels outside {@code 0..numClasses-1}; default 0 = any label a mask holds (0..127). */
        public Builder numClasses(int n) {
            this.numClasses = n;
            return this;
        }

        /** Validates everything at once. */
        public GeneralSchema build() {
            List<String> problems = new ArrayList<>();
            if (imageKey == null || imageKey.isBlank()) {
                problems.add("image key must not be blank: " + imageKey);
            }
            if (labelKey == null || labelKey.isBlank()) {
                problems.add("label key must not be blank: " + labelKey);
            }
            if (Objects.equals(imageKey, labelKey)) {
                problems.add("image and label keys must differ: " + imageKey);
            }
            if (imageType == null) {
                problems.add("image type must be set");
            }
            if (labelType == null) {
                problems.add("label type must be set");
            }
            if (fixedSize && (fixedHeight <= 0 || fixedWidth <= 0)) {
                problems.add("fixed size must be positive: " + fixedHeight + "x" + fixedWidth);
            }
            boolean fromImage = !fixedSize && heightKey == null;
            if (!fixedSize && !fromImage && (widthKey == null || heightKey.isBlank() || widthKey.isBlank())) {
                problems.add("size keys must not be blank: " + heightKey + ", " + widthKey);
            }
            if (fromImage && imageType != ImageType.PNG) {
                problems.add("size from image needs image type PNG, got " + imageType);
            }
            if (numClasses != 0 && (numClasses < 2 || numClasses > 128)) {
                problems.add("number of classes must be in 2..128: " + numClasses);
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid GeneralSchema: " + String.join("; ", problems));
            }
            return new GeneralSchema(this);
        }
    }
}

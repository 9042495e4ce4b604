package io.medseg.data;

import java.util.Arrays;

/** The on-disk dataset formats that {@link DataSources} can detect and load. */
public enum DataFormat {
    /** The Sunnybrook Cardiac Data layout: {@code link.csv}, {@code dicoms/}, {@code contourfiles/}. */
    SUNNYBROOK("sunnybrook"),
    /** TFRecord files of {@code tf.train.Example} records, plain or gzip-compressed, or a folder of them. */
    TFRECORD("tfrecord"),
    /** PNG images with same-named PNG masks ({@link io.medseg.data.folder.ImageMaskFolder}). */
    IMAGE_MASK_FOLDER("folder");

    private final String id;

    DataFormat(String id) {
        this.id = id;
    }

    /** The short name users type and records hold: {@code sunnybrook}, {@code tfrecord}, {@code folder}. */
    public String id() {
        return id;
    }

    /**
     * The format whose {@link #id()} is {@code text}, ignoring case and surrounding space.
     *
     * @throws IllegalArgumentException naming the choices when there is none
     */
    public static DataFormat parse(String text) {
        for (DataFormat f : values()) {
            if (f.id.equalsIgnoreCase(text.strip())) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format '" + text + "' (one of "
                + String.join(", ", Arrays.stream(values()).map(DataFormat::id).toList()) + ")");
    }
}

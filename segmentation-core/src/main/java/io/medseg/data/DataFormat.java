package io.medseg.data;

/** The on-disk dataset formats that {@link DataSources} can detect and load. */
public enum DataFormat {
    /** The Sunnybrook Cardiac Data layout: {@code link.csv}, {@code dicoms/}, {@code contourfiles/}. */
    SUNNYBROOK,
    /** TFRecord files of {@code tf.train.Example} records, plain or gzip-compressed, or a folder of them. */
    TFRECORD,
    /** PNG images with same-named PNG masks ({@link io.medseg.data.folder.ImageMaskFolder}). */
    IMAGE_MASK_FOLDER
}

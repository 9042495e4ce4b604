/**
 * Segmentation and evaluation on Apache Spark. {@link io.medseg.spark.SparkSegmentation} segments a DataFrame of
 * DICOM files ({@code binaryFile} rows or paths) into rows with the mask, LV area, spacing, the model that made it and
 * an error column; {@link io.medseg.spark.SegmentationTransformer} is the same as a Spark ML transformer;
 * {@link io.medseg.spark.SparkEvaluation} adds the per-image metrics and gathers the report {@code segment evaluate}
 * prints. {@link io.medseg.spark.ModelCache} loads each model once per executor JVM and counts the loads.
 */
package io.medseg.spark;

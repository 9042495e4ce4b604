package io.medseg.spark;

import io.medseg.inference.TestTimeAugmentation;
import io.medseg.postprocess.PostProcessing;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

/**
 * Segments a DataFrame of DICOM files on Spark: the plain Java entry point ({@link SegmentationTransformer} is the
 * Spark ML face of it). The input has a column of DICOM bytes ({@code content}, as {@code spark.read()
 * .format("binaryFile")} gives) or only of paths ({@code path}, read through Hadoop's file systems); the output has
 * every input column plus:
 *
 * <ul>
 *   <li>{@code mask_png} (binary): the mask as a PNG, class indices as grey levels, at the frame's own size;</li>
 *   <li>{@code height}, {@code width} (int), {@code lv_area_pixels} (long), {@code lv_area_mm2} (double; null
 *       without a pixel spacing), {@code pixel_spacing_mm} (array of row, column spacing; null without);</li>
 *   <li>{@code model_name}, {@code model_version} (the registry version, when the package is a registry's copy),
 *       {@code manifest_sha256}: which package made the row;</li>
 *   <li>{@code error}: null, or the one-line reason the row has no mask (a truncated, compressed or non-DICOM
 *       {@code .dcm}), naming the file.</li>
 * </ul>
 *
 * <p>Rows that are neither named nor shaped like DICOM (a README beside the scans) are left out and counted
 * ({@link Result#skipped}). With {@link Options#strict} a bad DICOM fails the job instead, naming the file. The model
 * is loaded once per executor JVM ({@link ModelCache}); rows are segmented in batches of {@link Options#batchSize}
 * within a partition. With {@link Options#expertMaskColumn} each row also gets the evaluation columns of
 * {@link SparkEvaluation}.
 */
public final class SparkSegmentation {
    public static final String MASK_PNG = "mask_png";
    public static final String HEIGHT = "height";
    public static final String WIDTH = "width";
    public static final String LV_AREA_PIXELS = "lv_area_pixels";
    public static final String LV_AREA_MM2 = "lv_area_mm2";
    public static final String PIXEL_SPACING = "pixel_spacing_mm";
    public static final String MODEL_NAME = "model_name";
    public static final String MODEL_VERSION = "model_version";
    public static final String MANIFEST_SHA256 = "manifest_sha256";
    public static final String ERROR = "error";

    private SparkSegmentation() {
    }

    /**
     * What to run and how. {@code packagePath}: a package every executor can read (local path,
     * {@code sparkfiles:NAME}, or a Hadoop URI, see {@link ModelCache}).
     */
    public record Options(String packagePath, String contentColumn, String pathColumn, String backend,
            PostProcessing postProcessing, TestTimeAugmentation tta, int batchSize, boolean strict,
            String expertMaskColumn, String idColumn, String patientColumn) implements Serializable {
        private static final long serialVersionUID = 1L;

        public Options {
            Objects.requireNonNull(packagePath, "packagePath");
            Objects.requireNonNull(pathColumn, "pathColumn");
            Objects.requireNonNull(postProcessing, "postProcessing");
            Objects.requireNonNull(tta, "tta");
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1: " + batchSize);
            }
        }

        /**
         * The defaults for {@code packagePath}: columns {@code content} and {@code path}, the highest-ranked backend,
         * no post-processing, no test-time augmentation, batches of 8, bad rows as errors, no evaluation.
         */
        public static Options of(String packagePath) {
            return new Options(packagePath, "content", "path", null, PostProcessing.none(), TestTimeAugmentation.NONE,
                    8, false, null, "id", "patient");
        }

        public Options withInference(PostProcessing post, TestTimeAugmentation augmentation) {
            return new Options(packagePath, contentColumn, pathColumn, backend, post, augmentation, batchSize, strict,
                    expertMaskColumn, idColumn, patientColumn);
        }

        public Options withBatchSize(int size) {
            return new Options(packagePath, contentColumn, pathColumn, backend, postProcessing, tta, size, strict,
                    expertMaskColumn, idColumn, patientColumn);
        }

        /** Fail the job at the first bad DICOM, naming the file, instead of writing an error row. */
        public Options withStrict(boolean fail) {
            return new Options(packagePath, contentColumn, pathColumn, backend, postProcessing, tta, batchSize, fail,
                    expertMaskColumn, idColumn, patientColumn);
        }

        /** The backend by name ({@code tensorflow}, {@code onnx}); null for the highest-ranked on the classpath. */
        public Options withBackend(String name) {
            return new Options(packagePath, contentColumn, pathColumn, name, postProcessing, tta, batchSize, strict,
                    expertMaskColumn, idColumn, patientColumn);
        }

        /** Read each file from {@code pathColumn} rather than from a column of bytes. */
        public Options withoutContentColumn() {
            return new Options(packagePath, null, pathColumn, backend, postProcessing, tta, batchSize, strict,
                    expertMaskColumn, idColumn, patientColumn);
        }

        /**
         * Also score each row against its expert mask in {@code column} (binary: the frame's class indices, one byte
         * per pixel, row-major), with ids and patients from {@code idCol} and {@code patientCol}.
         */
        public Options withEvaluation(String column, String idCol, String patientCol) {
            return new Options(packagePath, contentColumn, pathColumn, backend, postProcessing, tta, batchSize, strict,
                    column, idCol, patientCol);
        }
    }

    /** The segmented rows, and the accumulator counting the rows left out as not DICOM (final once an action ran). */
    public record Result(Dataset<Row> rows, LongAccumulator skipped) {
    }

    /** Segments {@code input} as {@code options} say; lazily, as Spark does: nothing runs until an action. */
    public static Result segment(Dataset<Row> input, Options options) {
        StructType in = input.schema();
        require(in, options.pathColumn());
        if (options.contentColumn() != null) {
            require(in, options.contentColumn());
        }
        if (options.expertMaskColumn() != null) {
            require(in, options.expertMaskColumn());
            require(in, options.idColumn());
            require(in, options.patientColumn());
        }
        StructType out = outputSchema(in, options.expertMaskColumn() != null);
        LongAccumulator skipped = input.sparkSession().sparkContext().longAccumulator("medseg: rows not DICOM");
        PartitionSegmenter fn = new PartitionSegmenter(options, in, skipped);
        Dataset<Row> rows = input.mapPartitions((MapPartitionsFunction<Row, Row>) fn::apply, Encoders.row(out));
        return new Result(rows, skipped);
    }

    private static void require(StructType schema, String column) {
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException("the input has no column '" + column + "' (it has "
                    + Arrays.toString(schema.fieldNames()) + ")");
        }
    }

    /** The input's columns, then the segmentation's, then (with {@code evaluation}) {@link SparkEvaluation}'s. */
    public static StructType outputSchema(StructType input, boolean evaluation) {
        List<StructField> fields = new ArrayList<>(Arrays.asList(input.fields()));
        fields.add(DataTypes.createStructField(MASK_PNG, DataTypes.BinaryType, true));
        fields.add(DataTypes.createStructField(HEIGHT, DataTypes.IntegerType, true));
        fields.add(DataTypes.createStructField(WIDTH, DataTypes.IntegerType, true));
        fields.add(DataTypes.createStructField(LV_AREA_PIXELS, DataTypes.LongType, true));
        fields.add(DataTypes.createStructField(LV_AREA_MM2, DataTypes.DoubleType, true));
        fields.add(DataTypes.createStructField(PIXEL_SPACING, DataTypes.createArrayType(DataTypes.DoubleType, false),
                true));
        fields.add(DataTypes.createStructField(MODEL_NAME, DataTypes.StringType, true));
        fields.add(DataTypes.createStructField(MODEL_VERSION, DataTypes.StringType, true));
        fields.add(DataTypes.createStructField(MANIFEST_SHA256, DataTypes.StringType, true));
        fields.add(DataTypes.createStructField(ERROR, DataTypes.StringType, true));
        if (evaluation) {
            fields.addAll(SparkEvaluation.fields());
        }
        return DataTypes.createStructType(fields);
    }
}

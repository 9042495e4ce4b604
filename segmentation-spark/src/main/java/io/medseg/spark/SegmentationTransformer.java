package io.medseg.spark;

import io.medseg.inference.TestTimeAugmentation;
import io.medseg.postprocess.PostProcessing;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML {@link Transformer} that segments a DataFrame of DICOM files: {@link SparkSegmentation} with its options
 * as ML params, so it fits in a {@code Pipeline}.
 *
 * <pre>{@code
 * Dataset<Row> files = spark.read().format("binaryFile").option("recursiveFileLookup", "true").load("scans/");
 * Dataset<Row> masks = new SegmentationTransformer().setPackagePath("packages/lv").transform(files);
 * }</pre>
 */
public final class SegmentationTransformer extends Transformer {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> packagePath;
    private final Param<String> contentCol;
    private final Param<String> pathCol;
    private final Param<String> backend;
    private final Param<String> postProcess;
    private final IntParam batchSize;
    private final BooleanParam strict;

    public SegmentationTransformer() {
        this(Identifiable$.MODULE$.randomUID("medsegSegmentation"));
    }

    public SegmentationTransformer(String uid) {
        this.uid = uid;
        packagePath = new Param<>(this, "packagePath", "the model package every executor can read (local path, "
                + "sparkfiles:NAME or a Hadoop URI)");
        contentCol = new Param<>(this, "contentCol", "the column of DICOM bytes; empty to read each file from pathCol");
        pathCol = new Param<>(this, "pathCol", "the column of file paths");
        backend = new Param<>(this, "backend", "the backend (tensorflow, onnx); empty for the highest-ranked");
        postProcess = new Param<>(this, "postProcess", "mask clean-up: none, or lcc (largest component, holes filled)");
        batchSize = new IntParam(this, "batchSize", "frames per network call within a partition");
        strict = new BooleanParam(this, "strict", "fail the job at the first bad DICOM instead of an error row");
        setDefault(contentCol, "content");
        setDefault(pathCol, "path");
        setDefault(backend, "");
        setDefault(postProcess, "none");
        setDefault(batchSize, 8);
        setDefault(strict, false);
    }

    // Spark ML finds a stage's params through public methods that return them

    public Param<String> packagePath() {
        return packagePath;
    }

    public Param<String> contentCol() {
        return contentCol;
    }

    public Param<String> pathCol() {
        return pathCol;
    }

    public Param<String> backend() {
        return backend;
    }

    public Param<String> postProcess() {
        return postProcess;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public BooleanParam strict() {
        return strict;
    }

    public SegmentationTransformer setPackagePath(String value) {
        set(packagePath, value);
        return this;
    }

    public SegmentationTransformer setContentCol(String value) {
        set(contentCol, value);
        return this;
    }

    public SegmentationTransformer setPathCol(String value) {
        set(pathCol, value);
        return this;
    }

    public SegmentationTransformer setBackend(String value) {
        set(backend, value);
        return this;
    }

    public SegmentationTransformer setPostProcess(String value) {
        set(postProcess, value);
        return this;
    }

    public SegmentationTransformer setBatchSize(int value) {
        set(batchSize, value);
        return this;
    }

    public SegmentationTransformer setStrict(boolean value) {
        set(strict, value);
        return this;
    }

    /** The options these params give. */
    public SparkSegmentation.Options options() {
        if (!isDefined(packagePath)) {
            throw new IllegalArgumentException("packagePath is not set: setPackagePath(PKG)");
        }
        PostProcessing post = switch ($(postProcess)) {
            case "none" -> PostProcessing.none();
            case "lcc" -> PostProcessing.largestComponentAndFillHoles();
            default -> throw new IllegalArgumentException("postProcess must be none or lcc: '" + $(postProcess) + "'");
        };
        SparkSegmentation.Options o = SparkSegmentation.Options.of($(packagePath)).withInference(post,
                TestTimeAugmentation.NONE).withBatchSize((Integer) $(batchSize)).withStrict((Boolean) $(strict))
                .withBackend($(backend).isEmpty() ? null : $(backend));
        o = new SparkSegmentation.Options(o.packagePath(), $(contentCol).isEmpty() ? null : $(contentCol), $(pathCol),
                o.backend(), o.postProcessing(), o.tta(), o.batchSize(), o.strict(), null, "id", "patient");
        return o;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        return SparkSegmentation.segment(dataset.toDF(), options()).rows();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return SparkSegmentation.outputSchema(schema, false);
    }

    @Override
    public SegmentationTransformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    @Override
    public String uid() {
        return uid;
    }
}

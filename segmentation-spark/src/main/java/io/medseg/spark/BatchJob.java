package io.medseg.spark;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.medseg.data.DataFormatException;
import io.medseg.inference.TestTimeAugmentation;
import io.medseg.io.AtomicFile;
import io.medseg.io.Json;
import io.medseg.mlops.EvaluationReport;
import io.medseg.postprocess.PostProcessing;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * A batch segmentation job: the files of a folder or glob, read with Spark's {@code binaryFile} source (recognised by
 * content), segmented ({@link SparkSegmentation}), written as Parquet under {@code OUT/predictions.parquet} (one row
 * per file, with the source path, without the file bytes), with {@code OUT/summary.json} beside it. What
 * {@code segment batch} runs, and the main class of the module's job jar for {@code spark-submit}:
 *
 * <pre>
 * spark-submit --class io.medseg.spark.BatchJob segmentation-spark-VERSION-job.jar PKG INPUT OUT [--strict]
 *     [--backend NAME] [--post-process none|lcc] [--batch N]
 * </pre>
 *
 * <p>{@code OUT} is a local folder for the summary; the Parquet goes there too unless {@code OUT} is a Hadoop URI.
 */
public final class BatchJob {
    private BatchJob() {
    }

    /** What one run did, as {@code summary.json} records it. */
    public record Summary(String model, String input, String master, int partitions, long rows, long segmented,
            long errors, @JsonProperty("skipped_not_dicom") long skippedNotDicom, double seconds,
            @JsonProperty("images_per_second") double imagesPerSecond,
            @JsonProperty("model_loads_per_jvm") Map<String, Integer> modelLoadsPerJvm,
            @JsonProperty("first_errors") List<Map<String, String>> firstErrors) {
    }

    /**
     * Runs the job on {@code spark}, writing under {@code out}; {@code out/predictions.parquet} must not exist.
     *
     * @param input a folder (read at any depth) or a glob, local or a Hadoop URI
     */
    public static Summary run(SparkSession spark, SparkSegmentation.Options options, String input, String out)
            throws IOException {
        boolean glob = input.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
        Dataset<Row> files = spark.read().format("binaryFile").option("recursiveFileLookup", Boolean.toString(!glob))
                .load(input);
        int partitions = files.rdd().getNumPartitions();
        SparkSegmentation.Result result = SparkSegmentation.segment(files, options);
        spark.sparkContext().setJobDescription("medseg batch: segmenting " + input + " (" + partitions
                + " partitions) with " + options.packagePath());
        String parquet = out + "/predictions.parquet";
        long start = System.nanoTime();
        try {
            Dataset<Row> rows = options.contentColumn() == null ? result.rows()
                    : result.rows().drop(options.contentColumn());
            rows.write().mode(SaveMode.ErrorIfExists).parquet(parquet);
        } catch (Exception e) {
            // strict mode: the task's own error, naming the file, rather than Spark's page of job failure
            for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
                if (c instanceof DataFormatException bad) {
                    throw bad;
                }
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            // Spark's job failures are checked exceptions that its Scala API does not declare
            throw new IllegalStateException(e.getMessage(), e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        spark.sparkContext().setJobDescription("medseg batch: summary of " + parquet);
        Dataset<Row> written = spark.read().parquet(parquet);
        long rows = written.count();
        Dataset<Row> failed = written.filter(SparkSegmentation.ERROR + " is not null");
        long errors = failed.count();
        List<Map<String, String>> firstErrors = new ArrayList<>();
        for (Row r : failed.select("path", SparkSegmentation.ERROR).orderBy("path").limit(20).collectAsList()) {
            firstErrors.add(Map.of("path", r.getString(0), "error", r.getString(1)));
        }
        spark.sparkContext().setJobDescription("medseg batch: model loads per executor JVM");
        Map<String, Integer> loads = loadsPerJvm(spark, partitions);
        Summary s = new Summary(options.packagePath(), input, spark.sparkContext().master(), partitions, rows,
                rows - errors, errors, result.skipped().value(), seconds, seconds > 0 ? (rows - errors) / seconds : 0,
                loads, firstErrors);
        if (!out.contains("://")) {
            Path dir = Path.of(out);
            Files.createDirectories(dir);
            AtomicFile.writeString(dir.resolve("summary.json"), Json.write(s) + "\n");
        }
        return s;
    }

    /**
     * Evaluation at scale of a Sunnybrook-layout folder: its labelled frames segmented and scored on the executors,
     * the per-image rows written to {@code out/per-image.parquet} (without the file bytes and expert masks), and the
     * report, the one {@code segment evaluate --json} prints, returned and written to {@code out/evaluation.json}.
     */
    public static EvaluationReport evaluate(SparkSession spark, SparkSegmentation.Options options, Path labelled,
            String out, int partitions) throws IOException {
        Dataset<Row> rows = SparkEvaluation.sunnybrookRows(spark, labelled, partitions);
        spark.sparkContext().setJobDescription("medseg batch: evaluating on " + labelled + " (" + partitions
                + " partitions)");
        Dataset<Row> evaluated = SparkSegmentation.segment(rows,
                options.withEvaluation("expert_mask", "id", "patient")).rows().cache();
        try {
            evaluated.drop("content", "expert_mask").write().mode(SaveMode.ErrorIfExists)
                    .parquet(out + "/per-image.parquet");
            EvaluationReport report = SparkEvaluation.report(evaluated, "id", "patient", "index");
            if (!out.contains("://")) {
                AtomicFile.writeString(Path.of(out).resolve("evaluation.json"), report.toJson() + "\n");
            }
            return report;
        } finally {
            evaluated.unpersist();
        }
    }

    /**
     * How many models each JVM that runs tasks has loaded ({@link ModelCache#loads()}), from one small task per
     * partition; the executors that segmented are those the scheduler gives these tasks to.
     */
    public static Map<String, Integer> loadsPerJvm(SparkSession spark, int partitions) {
        int n = Math.max(partitions, 1);
        List<String> reports = spark.range(0, n, 1, n).toDF().mapPartitions(
                (MapPartitionsFunction<Row, String>) (Iterator<Row> it) -> List.of(InetAddress.getLocalHost()
                        .getHostName() + "/" + ManagementFactory.getRuntimeMXBean().getName() + "="
                        + ModelCache.loads()).iterator(), Encoders.STRING()).distinct().collectAsList();
        Map<String, Integer> out = new TreeMap<>();
        for (String r : reports) {
            int eq = r.lastIndexOf('=');
            out.put(r.substring(0, eq), Integer.parseInt(r.substring(eq + 1)));
        }
        return out;
    }

    /** {@code spark-submit} entry: {@code PKG INPUT OUT [--strict] [--backend NAME] [--post-process M] [--batch N]}. */
    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: BatchJob PKG INPUT OUT [--strict] [--backend NAME] [--post-process none|lcc] "
                    + "[--batch N]");
            System.exit(2);
        }
        SparkSegmentation.Options options = SparkSegmentation.Options.of(args[0]).withInference(
                PostProcessing.largestComponentAndFillHoles(), TestTimeAugmentation.NONE);
        for (int i = 3; i < args.length; i++) {
            switch (args[i]) {
                case "--strict" -> options = options.withStrict(true);
                case "--backend" -> options = options.withBackend(value(args, ++i));
                case "--batch" -> options = options.withBatchSize(Integer.parseInt(value(args, ++i)));
                case "--post-process" -> options = options.withInference(switch (value(args, ++i)) {
                    case "none" -> PostProcessing.none();
                    case "lcc" -> PostProcessing.largestComponentAndFillHoles();
                    default -> throw new IllegalArgumentException("--post-process must be none or lcc");
                }, TestTimeAugmentation.NONE);
                default -> throw new IllegalArgumentException("unknown option: " + args[i]);
            }
        }
        SparkSession spark = SparkSession.builder().appName("medseg batch").getOrCreate();
        try {
            Summary s = run(spark, options, args[1], args[2]);
            System.out.println(Json.writeCompact(s));
        } finally {
            spark.stop();
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }
}

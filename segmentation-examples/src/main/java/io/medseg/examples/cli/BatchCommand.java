package io.medseg.examples.cli;

import io.medseg.examples.CardiacRecipe;
import io.medseg.mlops.EvaluationReport;
import io.medseg.recipe.Recipe;
import io.medseg.spark.BatchJob;
import io.medseg.spark.SparkSegmentation;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code segment batch}: segmentation of a folder or glob of DICOM files on Spark (a local one by default), written
 * as Parquet, one row per file, plus a summary. Files are recognised by content; what is not DICOM is skipped and
 * counted.
 */
@Command(name = "batch", mixinStandardHelpOptions = true, versionProvider = SegmentCommand.Version.class,
        description = {"Segment many DICOM files on Apache Spark: one Parquet row per file (mask PNG, LV area in mm2, "
                + "pixel spacing, model name, version and MANIFEST hash, error) and a summary.",
                "  segment batch --model PKG --input DIR_OR_GLOB --out DIR [--master local[*]] [--strict]",
                "  segment batch --model PKG --labelled SUNNYBROOK_DIR --out DIR   (evaluation at scale)",
                "Writes DIR/predictions.parquet and DIR/summary.json. A bad DICOM gets its reason in the error "
                        + "column (with --strict it fails the job, naming the file); files that are neither named "
                        + "nor shaped like DICOM are skipped and counted."})
public final class BatchCommand implements Callable<Integer> {
    @ParentCommand
    SegmentCommand root;

    @Option(names = "--model", required = true, paramLabel = "PKG",
            description = "A model package every executor can read: a local folder, or a Hadoop URI (hdfs://...).")
    String model;

    @Option(names = "--input", paramLabel = "DIR_OR_GLOB",
            description = "A folder (searched at any depth) or a glob of files, local or on a Hadoop file system.")
    String input;

    @Option(names = "--labelled", paramLabel = "DIR",
            description = {"Instead of --input: evaluate on a Sunnybrook-layout folder's labelled frames, on the "
                    + "executors, and print what segment evaluate --json reports. Writes into --out:",
                    "  per-image.parquet  the metrics as columns", "  evaluation.json    the report"})
    Path labelled;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "8",
            description = "Partitions of the --labelled frames (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the Parquet and summary go.")
    Path out;

    @Option(names = "--master", paramLabel = "URL", defaultValue = "local[*]",
            description = "The Spark master (default: ${DEFAULT-VALUE}).")
    String master;

    @Option(names = "--strict", description = "Fail the job at the first bad DICOM, naming it.")
    boolean strict;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "8",
            description = "Frames per network call within a partition (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--partition-mb", paramLabel = "MB", defaultValue = "16",
            description = "Input bytes per Spark partition (default: ${DEFAULT-VALUE}): more, smaller partitions "
                    + "spread a folder of small files over the executors' cores.")
    int partitionMb;

    @Mixin
    BackendOption backendOption;

    @Mixin
    InferenceOptions inference = new InferenceOptions();

    @Override
    public Integer call() throws Exception {
        Inputs.positive(batch, "--batch");
        Inputs.positive(partitionMb, "--partition-mb");
        Inputs.positive(partitions, "--partitions");
        if ((input == null) == (labelled == null)) {
            throw new UsageException("give one of --input DIR_OR_GLOB (segment files) or --labelled DIR (evaluate)");
        }
        if (labelled != null) {
            Inputs.existing(labelled);
        }
        Inputs.outputDirectory(out);
        if (!model.contains("://")) {
            Inputs.modelDirectory(Path.of(model));
        }
        Recipe recipe = inference.apply(CardiacRecipe.defaults());
        SparkSegmentation.Options options = SparkSegmentation.Options.of(model)
                .withInference(recipe.postProcessing(), recipe.testTimeAugmentation()).withBatchSize(batch)
                .withStrict(strict).withBackend(backendOption.name == null ? null : backendOption.name.strip());
        SparkSession.Builder builder = SparkSession.builder().master(master).appName("medseg segment batch");
        if (master.startsWith("local-cluster")) {
            // Spark's test cluster: executors are JVMs of their own, started on this classpath with these options
            builder.config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                    .config("spark.executor.extraJavaOptions", String.join(" ",
                            ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                                    .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect")
                                            || a.startsWith("-Dio.netty")).toList()));
        }
        SparkSession spark = builder
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.files.maxPartitionBytes", partitionMb + "m")
                .config("spark.sql.files.openCostInBytes", "0")
                .getOrCreate();
        try {
            if (labelled != null) {
                Files.createDirectories(out);
                EvaluationReport report = BatchJob.evaluate(spark, options, labelled, out.toString(), partitions);
                root.err().println("evaluated " + report.imageCount() + " frames on " + master + " in " + partitions
                        + " partitions; model loads per JVM: " + BatchJob.loadsPerJvm(spark, partitions));
                root.out().println(report.toJson());
                return 0;
            }
            BatchJob.Summary s = BatchJob.run(spark, options, input, out.toString());
            root.err().printf(Locale.ROOT, "segmented %d files in %.1f s (%.1f images/s) on %s, %d partitions; %d "
                    + "errors, %d skipped (not DICOM); model loads per JVM: %s%n", s.segmented(), s.seconds(),
                    s.imagesPerSecond(), master, s.partitions(), s.errors(), s.skippedNotDicom(),
                    s.modelLoadsPerJvm());
            root.out().println("wrote " + s.rows() + " rows to " + out.resolve("predictions.parquet") + " and "
                    + out.resolve("summary.json"));
            return 0;
        } finally {
            spark.stop();
        }
    }
}

package io.medseg.benchmarks;

import io.medseg.io.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Turns a JMH JSON result ({@code -rf json -rff benchmarks/target/results.json}) into the Markdown table of
 * {@code docs/performance.md}: one row per benchmark and parameter set with images per second, the ratio to raw
 * TensorFlow ({@link RawTensorFlowBenchmark} at fp32, same network and batch), GFLOP per second and the fraction of
 * the single-convolution figure ({@link ConvRooflineBenchmark} at the same precision). A ratio or fraction whose
 * reference is not in the file is left as "-".
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.medseg.benchmarks.ResultsTable
 * benchmarks/target/results.json}.
 */
public final class ResultsTable {
    private static final String PACKAGE = "io.medseg.benchmarks.";
    static final String HEADER = "| path | network | batch | precision | images/s | ratio to raw TF fp32 | GFLOP/s "
            + "| fraction of the single-conv figure |";

    private ResultsTable() {
    }

    /** One measured benchmark and parameter set; {@code gflopPerSecond} is NaN where no FLOPs are counted. */
    record Row(String path, int rank, String network, int batch, String precision, double imagesPerSecond,
            double imagesError, double gflopPerSecond) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ResultsTable RESULTS.json   (a JMH result written with -rf json)");
            System.exit(2);
        }
        print(rows(Json.read(Path.of(args[0]), JsonNode.class)), System.out);
    }

    /**
     * The rows of a JMH JSON result (an array of benchmark results), sorted by network, batch, precision and path,
     * the single convolution last.
     */
    static List<Row> rows(JsonNode results) {
        if (!results.isArray()) {
            throw new IllegalArgumentException("not a JMH JSON result: expected an array of benchmark results");
        }
        List<Row> rows = new ArrayList<>();
        for (JsonNode r : results) {
            String benchmark = r.path("benchmark").asString("");
            String name = benchmark.startsWith(PACKAGE) ? benchmark.substring(PACKAGE.length()) : benchmark;
            JsonNode params = r.path("params");
            double primary = number(r.path("primaryMetric").path("score"));
            double primaryError = number(r.path("primaryMetric").path("scoreError"));
            JsonNode images = r.path("secondaryMetrics").path("images");
            JsonNode gflop = r.path("secondaryMetrics").path("gflop");
            double ips = images.isMissingNode() ? primary : number(images.path("score"));
            double err = images.isMissingNode() ? primaryError : number(images.path("scoreError"));
            double gps = gflop.isMissingNode() ? Double.NaN : number(gflop.path("score"));
            String precision = params.path("precision").asString("fp32");
            String network = params.path("network").asString(Networks.CARDIAC);
            int batch = Integer.parseInt(params.path("batch").asString("1"));
            Row row = switch (name) {
                case "RawTensorFlowBenchmark.predict" ->
                        new Row("raw TensorFlow", 0, network, batch, precision, ips, err, gps);
                case "SegmenterThroughputBenchmark.forward" ->
                        new Row("model.forward", 1, network, batch, precision, ips, err, gps);
                case "OnnxRuntimeBenchmark.forward" -> new Row("ONNX Runtime model.forward, optimisation "
                        + params.path("optimization").asString("?"), 1, network, batch, precision, ips, err, gps);
                case "SegmenterThroughputBenchmark.predictBatch" -> new Row("Segmenter, post="
                        + params.path("post").asString("?"), 2, network, batch, precision, ips, err, gps);
                case "EndToEndBenchmark.dicomToPng" ->
                        new Row("DICOM to mask PNG", 3, Networks.CARDIAC, batch, precision, ips, err, gps);
                case "ConvRooflineBenchmark.conv" -> new Row("single conv 3x3 64->64", 4, "256x256",
                        ConvRooflineBenchmark.BATCH, precision, ips, err, gps);
                case "TrainingStepBenchmark.step" -> new Row("training step (samples/s)", 5, Networks.CARDIAC,
                        TrainingStepBenchmark.BATCH, precision, ips, err, Double.NaN);
                default -> new Row(name, 6, params.path("network").asString("-"), batch, precision, ips, err,
                        gps);
            };
            rows.add(row);
        }
        // the single convolution last, as the reference it is
        rows.sort(Comparator.comparing((Row r) -> r.rank() == 4).thenComparing(Row::network)
                .thenComparingInt(Row::batch).thenComparing(Row::precision).thenComparingInt(Row::rank)
                .thenComparing(Row::path));
        return rows;
    }

    /** Prints the table: the header, then one line per row. */
    static void print(List<Row> rows, PrintStream out) {
        Map<String, Double> raw = new HashMap<>();
        Map<String, Double> conv = new HashMap<>();
        for (Row r : rows) {
            if (r.rank() == 0 && r.precision().equals("fp32")) {
                raw.put(r.network() + "/" + r.batch(), r.imagesPerSecond());
            } else if (r.rank() == 4) {
                conv.put(r.precision(), r.gflopPerSecond());
            }
        }
        out.println(HEADER);
        out.println("|---|---|---|---|---|---|---|---|");
        for (Row r : rows) {
            Double base = r.rank() <= 3 ? raw.get(r.network() + "/" + r.batch()) : null;
            Double roof = conv.get(r.precision());
            out.printf(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s |%n", r.path(), r.network(), r.batch(),
                    r.precision(), withError(r.imagesPerSecond(), r.imagesError()),
                    base == null ? "-" : fixed(r.imagesPerSecond() / base, 2), fixed(r.gflopPerSecond(), 1),
                    roof == null || Double.isNaN(r.gflopPerSecond()) ? "-" : fixed(r.gflopPerSecond() / roof, 2));
        }
    }

    private static String withError(double value, double error) {
        return Double.isFinite(error) ? fixed(value, 2) + " ± " + fixed(error, 2) : fixed(value, 2);
    }

    private static String fixed(double value, int decimals) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** A JMH number, which may be written as a string ({@code "NaN"}); NaN when absent. */
    private static double number(JsonNode n) {
        if (n.isNumber()) {
            return n.asDouble();
        }
        if (n.isString()) {
            try {
                return Double.parseDouble(n.asString());
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }
}

package io.medseg.spark;

import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import io.medseg.data.Sample;
import io.medseg.data.SegmentationDataset;
import io.medseg.data.sunnybrook.SunnybrookDataset;
import io.medseg.metrics.Dice;
import io.medseg.metrics.ImageMetrics;
import io.medseg.metrics.SegmentationMetrics;
import io.medseg.mlops.EvaluationReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Evaluation at scale: with {@link SparkSegmentation.Options#withEvaluation} every segmented row also gets its
 * metrics against the expert mask, as columns (computed on the executors, image by image, by the same functions as
 * {@code segment evaluate}); {@link #report} gathers those small per-image figures on the driver into the
 * {@link EvaluationReport} that {@code segment evaluate --json} prints, the same to every digit, and
 * {@link #summary} turns it into a small DataFrame. {@link #sunnybrookRows} reads a Sunnybrook-layout folder into
 * rows with the expert masks.
 *
 * <p>Columns: {@code dice} (mean foreground Dice over classes 1..K-1, the per-image figure of the report),
 * {@code dice_lv}, {@code iou}, {@code precision}, {@code recall}, {@code specificity}, {@code area_reference_mm2},
 * {@code area_predicted_mm2}, {@code area_diff_mm2}, {@code area_diff_pct}, {@code hausdorff_mm}, {@code hd95_mm},
 * {@code assd_mm}, {@code apd_mm} (class 1, the LV), {@code good_contour}, and {@code overlap_counts} (per foreground
 * class: intersection, reference and predicted pixels, for the pooled Dice).
 */
public final class SparkEvaluation {
    static final String DICE = "dice";
    static final String OVERLAP = "overlap_counts";
    private static final String[] METRICS = {"dice_lv", "iou", "precision", "recall", "specificity",
        "area_reference_mm2", "area_predicted_mm2", "area_diff_mm2", "area_diff_pct", "hausdorff_mm", "hd95_mm",
        "assd_mm", "apd_mm"};
    private static final String GOOD = "good_contour";

    private SparkEvaluation() {
    }

    static List<StructField> fields() {
        List<StructField> f = new ArrayList<>();
        f.add(DataTypes.createStructField(DICE, DataTypes.DoubleType, true));
        for (String m : METRICS) {
            f.add(DataTypes.createStructField(m, DataTypes.DoubleType, true));
        }
        f.add(DataTypes.createStructField(GOOD, DataTypes.BooleanType, true));
        f.add(DataTypes.createStructField(OVERLAP, DataTypes.createArrayType(DataTypes.LongType, false), true));
        return f;
    }

    /**
     * Scores {@code predicted} against the expert mask bytes; appends the evaluation columns' values to
     * {@code out} and returns null, or returns why it could not (and appends nulls).
     */
    static String score(String id, String patient, byte[] expert, Mask predicted, PixelSpacing spacing,
            int numClasses, List<Object> out) {
        int pixels = predicted.height() * predicted.width();
        if (expert == null || expert.length != pixels) {
            for (int i = 0; i < fields().size(); i++) {
                out.add(null);
            }
            return id + ": the expert mask has " + (expert == null ? "no" : Integer.toString(expert.length))
                    + " bytes, the frame " + pixels + " pixels (" + predicted.height() + "x" + predicted.width() + ")";
        }
        Mask reference = Mask.wrap(predicted.height(), predicted.width(), expert.clone());
        out.add(Dice.foreground(reference, predicted, numClasses));
        ImageMetrics m = SegmentationMetrics.compute(id, patient, reference, predicted, 1, spacing);
        out.add(m.dice());
        out.add(m.iou());
        out.add(m.precision());
        out.add(m.recall());
        out.add(m.specificity());
        out.add(m.areaReferenceMm2());
        out.add(m.areaPredictedMm2());
        out.add(m.areaDiffMm2());
        out.add(m.areaDiffPct());
        out.add(m.hausdorffMm());
        out.add(m.hd95Mm());
        out.add(m.assdMm());
        out.add(m.apdMm());
        out.add(m.goodContour());
        Long[] counts = new Long[3 * (numClasses - 1)];
        for (int c = 1; c < numClasses; c++) {
            long[] o = Dice.overlap(reference, predicted, c);
            for (int j = 0; j < 3; j++) {
                counts[3 * (c - 1) + j] = o[j];
            }
        }
        out.add(counts);
        return null;
    }

    /**
     * The report of evaluated rows, images in the order of {@code orderColumn} (the order {@code segment evaluate}
     * reads them in gives its digits: the mean is summed in that order).
     *
     * @throws IllegalArgumentException when a row has an error instead of metrics (named)
     */
    public static EvaluationReport report(Dataset<Row> evaluated, String idColumn, String patientColumn,
            String orderColumn) {
        List<Row> rows = evaluated.select(orderColumn, idColumn, patientColumn, SparkSegmentation.ERROR, DICE,
                METRICS[0], METRICS[1], METRICS[2], METRICS[3], METRICS[4], METRICS[5], METRICS[6], METRICS[7],
                METRICS[8], METRICS[9], METRICS[10], METRICS[11], METRICS[12], GOOD, OVERLAP)
                .orderBy(orderColumn).collectAsList();
        List<EvaluationReport.ImageResult> images = new ArrayList<>();
        List<ImageMetrics> metrics = new ArrayList<>();
        long[] pooled = null;
        for (Row r : rows) {
            String id = r.getString(1);
            String patient = r.getString(2);
            if (!r.isNullAt(3)) {
                throw new IllegalArgumentException("row " + id + " has no metrics: " + r.getString(3));
            }
            images.add(new EvaluationReport.ImageResult(id, patient, r.getDouble(4)));
            double[] v = new double[METRICS.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.getDouble(5 + i);
            }
            metrics.add(new ImageMetrics(id, patient, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9],
                    v[10], v[11], v[12], r.getBoolean(5 + METRICS.length)));
            List<Long> counts = r.getList(6 + METRICS.length);
            if (pooled == null) {
                pooled = new long[counts.size()];
            }
            for (int i = 0; i < counts.size(); i++) {
                pooled[i] += counts.get(i);
            }
        }
        double global = 0;
        int classes = pooled == null ? 0 : pooled.length / 3;
        for (int c = 0; c < classes; c++) {
            global += Dice.ratio(pooled[3 * c], pooled[3 * c + 1], pooled[3 * c + 2]);
        }
        return new EvaluationReport(images, classes == 0 ? 1.0 : global / classes, metrics);
    }

    /** The report as a small DataFrame: one row per patient and one {@code all} row, with images and mean Dice. */
    public static Dataset<Row> summary(SparkSession spark, EvaluationReport report) {
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("scope", DataTypes.StringType, false),
                DataTypes.createStructField("images", DataTypes.IntegerType, false),
                DataTypes.createStructField("dice_mean", DataTypes.DoubleType, false),
                DataTypes.createStructField("dice_global", DataTypes.DoubleType, true),
                DataTypes.createStructField("hd95_mm_mean", DataTypes.DoubleType, true),
                DataTypes.createStructField("good_contours_pct", DataTypes.DoubleType, true)));
        List<Row> rows = new ArrayList<>();
        EvaluationReport.Document d = report.document();
        rows.add(RowFactory.create("all", d.images(), d.diceMean(), d.diceGlobal(),
                d.hd95MmMean().isPresent() ? d.hd95MmMean().getAsDouble() : null,
                d.goodContoursPct().isPresent() ? d.goodContoursPct().getAsDouble() : null));
        for (Map.Entry<String, EvaluationReport.PatientResult> e : report.perPatient().entrySet()) {
            rows.add(RowFactory.create(e.getKey(), e.getValue().images(), e.getValue().diceMean(), null, null, null));
        }
        return spark.createDataFrame(rows, schema);
    }

    /**
     * The labelled frames of a Sunnybrook-layout folder as rows: {@code index} (the order {@code segment evaluate}
     * uses), {@code id}, {@code patient}, {@code path}, {@code content} (the DICOM bytes) and {@code expert_mask}
     * (class indices, one byte per pixel).
     */
    public static Dataset<Row> sunnybrookRows(SparkSession spark, Path root, int partitions) throws IOException {
        SegmentationDataset data = SunnybrookDataset.load(root);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            Sample s = data.get(i);
            Path dicom = SunnybrookDataset.dicomFile(root, s.id());
            rows.add(RowFactory.create(i, s.id(), s.patientId(), dicom.toString(), Files.readAllBytes(dicom),
                    s.mask().toArray()));
        }
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("index", DataTypes.IntegerType, false),
                DataTypes.createStructField("id", DataTypes.StringType, false),
                DataTypes.createStructField("patient", DataTypes.StringType, false),
                DataTypes.createStructField("path", DataTypes.StringType, false),
                DataTypes.createStructField("content", DataTypes.BinaryType, false),
                DataTypes.createStructField("expert_mask", DataTypes.BinaryType, false)));
        return spark.createDataFrame(rows, schema).repartition(partitions);
    }
}

package io.medseg.spark;

import io.medseg.data.DataFormatException;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import io.medseg.data.ReadLimits;
import io.medseg.data.dicom.DicomFiles;
import io.medseg.data.dicom.DicomReader;
import io.medseg.inference.Prediction;
import io.medseg.viz.MaskPng;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

/**
 * One partition's work: rows in, segmented rows out, lazily and a batch at a time, so a partition of any size holds
 * one batch of decoded frames at once. Serialised with the task; the model it uses comes from {@link ModelCache}.
 */
final class PartitionSegmenter implements Serializable {
    private static final long serialVersionUID = 1L;

    private final SparkSegmentation.Options options;
    private final int pathIndex;
    private final int contentIndex;
    private final int maskIndex;
    private final int idIndex;
    private final int patientIndex;
    private final LongAccumulator skipped;

    PartitionSegmenter(SparkSegmentation.Options options, StructType schema, LongAccumulator skipped) {
        this.options = options;
        this.pathIndex = schema.fieldIndex(options.pathColumn());
        this.contentIndex = options.contentColumn() == null ? -1 : schema.fieldIndex(options.contentColumn());
        boolean eval = options.expertMaskColumn() != null;
        this.maskIndex = eval ? schema.fieldIndex(options.expertMaskColumn()) : -1;
        this.idIndex = eval ? schema.fieldIndex(options.idColumn()) : -1;
        this.patientIndex = eval ? schema.fieldIndex(options.patientColumn()) : -1;
        this.skipped = skipped;
    }

    Iterator<Row> apply(Iterator<Row> rows) throws IOException {
        ModelCache.Loaded model = ModelCache.get(options.packagePath(), options.backend(), options.postProcessing(),
                options.tta());
        return new Iterator<>() {
            private final ArrayDeque<Row> ready = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                while (ready.isEmpty() && rows.hasNext()) {
                    try {
                        fill(rows, model, ready);
                    } catch (IOException e) {
                        throw new IllegalStateException(e.getMessage(), e);
                    }
                }
                return !ready.isEmpty();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.poll();
            }
        };
    }

    /** Decodes up to a batch of rows, segments the good ones in one call, and queues every result in input order. */
    private void fill(Iterator<Row> rows, ModelCache.Loaded model, ArrayDeque<Row> out) throws IOException {
        List<Row> batchRows = new ArrayList<>();
        List<Object> decoded = new ArrayList<>();   // an Image, or the error String
        List<Image> images = new ArrayList<>();
        while (rows.hasNext() && images.size() < options.batchSize()) {
            Row row = rows.next();
            String path = row.getString(pathIndex);
            byte[] bytes = contentIndex >= 0 ? (byte[]) row.get(contentIndex) : read(path);
            if (!DicomFiles.hasDicomName(path) && !DicomFiles.looksLikeDicom(bytes)) {
                skipped.add(1);
                continue;
            }
            Object d;
            try {
                Image image = DicomReader.read(bytes, path, ReadLimits.defaults()).toImage();
                d = image;
                images.add(image);
            } catch (DataFormatException e) {
                if (options.strict()) {
                    throw e;
                }
                d = oneLine(e.getMessage());
            }
            batchRows.add(row);
            decoded.add(d);
        }
        List<Prediction> predictions = images.isEmpty() ? List.of() : model.segmenter().predictBatch(images);
        int next = 0;
        for (int i = 0; i < batchRows.size(); i++) {
            Row row = batchRows.get(i);
            if (decoded.get(i) instanceof Image image) {
                out.add(segmented(row, image, predictions.get(next++).mask(), model));
            } else {
                out.add(failed(row, (String) decoded.get(i), model));
            }
        }
    }

    private Row segmented(Row row, Image image, Mask mask, ModelCache.Loaded model) {
        long lv = (long) mask.height() * mask.width() - mask.count(0);
        PixelSpacing spacing = image.spacing().orElse(null);
        List<Object> values = inputValues(row);
        values.add(MaskPng.encode(mask));
        values.add(mask.height());
        values.add(mask.width());
        values.add(lv);
        values.add(spacing == null ? null : lv * spacing.pixelAreaMm2());
        values.add(spacing == null ? null : new Double[] {spacing.rowMm(), spacing.colMm()});
        values.add(model.name());
        values.add(model.version());
        values.add(model.manifestSha256());
        String error = null;
        if (maskIndex >= 0) {
            List<Object> metrics = new ArrayList<>();
            error = SparkEvaluation.score(row.getString(idIndex), row.getString(patientIndex),
                    (byte[]) row.get(maskIndex), mask, spacing, model.model().spec().numClasses(), metrics);
            values.add(error);
            values.addAll(metrics);
        } else {
            values.add(null);
        }
        return RowFactory.create(values.toArray());
    }

    private Row failed(Row row, String error, ModelCache.Loaded model) {
        List<Object> values = inputValues(row);
        values.addAll(Arrays.asList(null, null, null, null, null, null));
        values.add(model.name());
        values.add(model.version());
        values.add(model.manifestSha256());
        values.add(error);
        if (maskIndex >= 0) {
            for (int i = 0; i < SparkEvaluation.fields().size(); i++) {
                values.add(null);
            }
        }
        return RowFactory.create(values.toArray());
    }

    private static List<Object> inputValues(Row row) {
        List<Object> values = new ArrayList<>(row.size() + 24);
        for (int i = 0; i < row.size(); i++) {
            values.add(row.get(i));
        }
        return values;
    }

    private static byte[] read(String path) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        FileSystem fs = p.getFileSystem(new Configuration());
        try (InputStream in = fs.open(p)) {
            return in.readAllBytes();
        }
    }

    private static String oneLine(String message) {
        return message == null ? "unreadable" : message.lines().findFirst().orElse(message);
    }
}

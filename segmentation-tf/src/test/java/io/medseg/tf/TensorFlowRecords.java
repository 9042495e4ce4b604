package io.medseg.tf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.EagerSession;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.data.AnonymousIterator;
import org.tensorflow.op.data.IteratorGetNext;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * TensorFlow's own TFRecord reader and writer (the C++ {@code TFRecordDataset} and {@code DatasetToTFRecord}
 * kernels), used as an independent peer to check our pure-Java codec against.
 *
 * <p>Reading builds the V1 op {@code TFRecordDataset} (filenames, compression, buffer size) by name. Neither the
 * framework's {@code TFRecordDataset} class nor the generated {@code tf.data.tfRecordDataset} (op
 * {@code TFRecordDatasetV2}, four inputs) work against the 2.18 runtime: making an iterator serialises the dataset,
 * and the 2.18 kernel writes a V2 node with only three inputs, which fails with "3 inputs specified of 4 inputs".
 * The V1 op serialises consistently.
 *
 * <p>Runs eagerly: each op executes as it is built, so the iterator is advanced simply by building
 * {@code IteratorGetNext} again until the kernel signals the end with {@link TFOutOfRangeException}.
 */
final class TensorFlowRecords {
    private static final List<Class<? extends TType>> STRING = List.of(TString.class);
    private static final List<Shape> SCALAR = List.of(Shape.scalar());

    private TensorFlowRecords() {
    }

    /**
     * Every record of {@code file}, in order, as TensorFlow reads it.
     *
     * @param compression "" (none), "GZIP" or "ZLIB", as TensorFlow spells it
     */
    static List<byte[]> readAll(Path file, String compression) {
        List<byte[]> out = new ArrayList<>();
        try (EagerSession session = EagerSession.create()) {
            Ops tf = Ops.create(session);
            Output<TType> dataset;
            try (TString filenames = TString.vectorOf(file.toString())) {
                dataset = session.opBuilder("TFRecordDataset", "records", tf.scope())
                        .addInput(tf.constantOf(filenames).asOutput())
                        .addInput(tf.constant(compression).asOutput())
                        .addInput(tf.constant(256L * 1024).asOutput())
                        .build().output(0);
            }
            AnonymousIterator iterator = tf.data.anonymousIterator(STRING, SCALAR);
            tf.data.makeIterator(dataset, iterator);
            while (true) {
                IteratorGetNext next;
                try {
                    next = tf.data.iteratorGetNext(iterator, STRING, SCALAR);
                } catch (TFOutOfRangeException end) {
                    break;
                }
                try (TString record = (TString) next.components().get(0).asTensor()) {
                    out.add(record.asBytes().getObject());
                }
            }
        }
        return out;
    }

    /**
     * Writes {@code records} to {@code file} with TensorFlow's writer (empty list writes an empty file).
     *
     * @param compression "" (none), "GZIP" or "ZLIB"
     */
    static void writeAll(Path file, List<byte[]> records, String compression) {
        try (EagerSession session = EagerSession.create()) {
            Ops tf = Ops.create(session);
            NdArray<byte[]> array = NdArrays.ofObjects(byte[].class, Shape.of(records.size()));
            for (int i = 0; i < records.size(); i++) {
                array.setObject(records.get(i), i);
            }
            try (TString values = TString.tensorOfBytes(array)) {
                Operand<TString> constant = tf.constantOf(values);
                List<Operand<?>> components = List.of(constant);
                Operand<? extends TType> dataset = tf.data.tensorSliceDataset(components, SCALAR);
                tf.data.datasetToTfRecord(dataset, tf.constant(file.toString()), tf.constant(compression));
            }
        }
    }
}

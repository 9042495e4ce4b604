/**
 * TensorFlow's TFRecord files of {@code tf.train.Example}s, read and written without TensorFlow.
 *
 * <ul>
 *   <li>{@link io.medseg.data.tfrecord.TFRecordReader} / {@link io.medseg.data.tfrecord.TFRecordWriter}: the
 *       record framing (length, masked CRC32C checksums, optional gzip), streamed one record at a time, written
 *       atomically;</li>
 *   <li>{@link io.medseg.data.tfrecord.ExampleSchema}: how an {@code Example} maps to a
 *       {@link io.medseg.data.Sample}, with {@link io.medseg.data.tfrecord.LabSchema} (the cardiac MRI lab's
 *       layout) and {@link io.medseg.data.tfrecord.GeneralSchema} (configurable keys and pixel types);</li>
 *   <li>{@link io.medseg.data.tfrecord.TFRecordDataset}: files or folders to datasets and back;</li>
 *   <li>{@link io.medseg.data.tfrecord.ExampleFormatException}: an example that does not fit its schema;</li>
 *   <li>{@code io.medseg.data.tfrecord.proto}: the {@code Example} messages, generated at build time from our
 *       own {@code example.proto} (TensorFlow's field numbers).</li>
 * </ul>
 */
package io.medseg.data.tfrecord;

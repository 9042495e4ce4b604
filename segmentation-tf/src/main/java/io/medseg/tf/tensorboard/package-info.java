/**
 * TensorBoard logs of training runs, built on TensorFlow Java's own {@code org.tensorflow.proto} messages
 * ({@code Event}, {@code Summary}, {@code HistogramProto}, {@code SessionLog}), so the bytes are exactly what
 * TensorBoard reads; the native runtime is not needed to write them.
 *
 * <ul>
 *   <li>{@link io.medseg.tf.tensorboard.EventFileWriter}: one {@code events.out.tfevents.*} file of scalars, PNG
 *       images, histograms and session starts, TFRecord-framed, appended live so TensorBoard can follow a run;</li>
 *   <li>{@link io.medseg.tf.tensorboard.TensorBoardListener}: a {@link io.medseg.train.TrainingListener} that logs
 *       losses, learning rates, validation Dice, pictures of chosen frames and, optionally, weight histograms.</li>
 * </ul>
 */
package io.medseg.tf.tensorboard;

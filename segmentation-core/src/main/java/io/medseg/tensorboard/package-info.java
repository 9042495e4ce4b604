/**
 * TensorBoard logs of training runs, written in pure Java (no TensorFlow).
 *
 * <ul>
 *   <li>{@link io.medseg.tensorboard.EventFileWriter}: one {@code events.out.tfevents.*} file of scalars, PNG
 *       images, histograms and session starts, TFRecord-framed, appended live so TensorBoard can follow a run;</li>
 *   <li>{@link io.medseg.tensorboard.TensorBoardListener}: a {@link io.medseg.train.TrainingListener} that logs
 *       losses, learning rates, validation Dice, pictures of chosen frames and, optionally, weight histograms;</li>
 *   <li>{@code io.medseg.tensorboard.proto}: the {@code Event}, {@code Summary}, {@code HistogramProto} and
 *       {@code SessionLog} messages, generated at build time from our own {@code tensorboard.proto}
 *       (TensorFlow's field numbers, only the fields written here).</li>
 * </ul>
 */
package io.medseg.tensorboard;

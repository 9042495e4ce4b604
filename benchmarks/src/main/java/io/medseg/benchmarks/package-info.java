/**
 * JMH benchmarks, packaged as {@code benchmarks/target/benchmarks.jar} by {@code mvn package} and never run by
 * {@code mvn test}.
 *
 * <ul>
 *   <li>{@link io.medseg.benchmarks.SegmenterThroughputBenchmark}: inference throughput of a 256x256 U-Net at batch
 *       sizes 1 and 8.</li>
 *   <li>{@link io.medseg.benchmarks.LoaderThroughputBenchmark}: samples per second of the
 *       {@link io.medseg.data.loader.BatchLoader} (cardiac augmentation and input fitting) with 1 and 2 workers.</li>
 *   <li>{@link io.medseg.benchmarks.TrainingStepBenchmark}: samples per second of one training step of the default
 *       cardiac recipe at batch 8, the rate the loader has to keep up with.</li>
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SegmenterThroughput} (add {@code -rf json} for a
 * machine-readable result).
 */
package io.medseg.benchmarks;

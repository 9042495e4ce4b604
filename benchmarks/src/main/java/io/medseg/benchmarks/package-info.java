/**
 * JMH benchmarks and a soak test, packaged as {@code benchmarks/target/benchmarks.jar} by {@code mvn package} and
 * never run by {@code mvn test}.
 *
 * <ul>
 *   <li>{@link io.medseg.benchmarks.SegmenterThroughputBenchmark}: inference throughput of a 256x256 U-Net at batch
 *       sizes 1 and 8.</li>
 *   <li>{@link io.medseg.benchmarks.LoaderThroughputBenchmark}: samples per second of the
 *       {@link io.medseg.data.loader.BatchLoader} (cardiac augmentation and input fitting) with 1 and 2 workers.</li>
 *   <li>{@link io.medseg.benchmarks.TrainingStepBenchmark}: samples per second of one training step of the default
 *       cardiac recipe at batch 8, the rate the loader has to keep up with.</li>
 *   <li>{@link io.medseg.benchmarks.SegmenterSoak}: not JMH but a main class, run by {@code scripts/soak}: 8 threads x
 *       10,000 predictions on one shared {@link io.medseg.inference.Segmenter}, every mask compared with the
 *       single-threaded one and resident memory held to 10 % above its level after warm-up.</li>
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SegmenterThroughput} (add {@code -rf json} for a
 * machine-readable result).
 */
package io.medseg.benchmarks;

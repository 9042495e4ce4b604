/**
 * JMH benchmarks, packaged as {@code benchmarks/target/benchmarks.jar} by {@code mvn package} and never run by
 * {@code mvn test}.
 *
 * <ul>
 *   <li>{@link io.medseg.benchmarks.SegmenterThroughputBenchmark}: inference throughput of a 256x256 U-Net at batch
 *       sizes 1 and 8.</li>
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SegmenterThroughput} (add {@code -rf json} for a
 * machine-readable result).
 */
package io.medseg.benchmarks;

/**
 * JMH benchmarks and a soak test, packaged as {@code benchmarks/target/benchmarks.jar} by {@code mvn package} and
 * never run by {@code mvn test}. {@code docs/performance.md} says how to run and read them.
 *
 * <ul>
 *   <li>{@link io.medseg.benchmarks.RawTensorFlowBenchmark}: the baseline, the same U-Net as a plain TensorFlow
 *       SavedModel ({@link io.medseg.benchmarks.RawTensorFlowUNet}) run through TensorFlow Java alone.</li>
 *   <li>{@link io.medseg.benchmarks.SegmenterThroughputBenchmark}: {@code Segmenter.predictBatch} and
 *       {@code forward} of a saved and loaded model on the real Sunnybrook frames.</li>
 *   <li>{@link io.medseg.benchmarks.EndToEndBenchmark}: DICOM in, mask PNG out, with the cardiac recipe.</li>
 *   <li>{@link io.medseg.benchmarks.ConvRooflineBenchmark}: one 3x3 convolution, the machine's ceiling in
 *       GFLOP/s.</li>
 *   <li>{@link io.medseg.benchmarks.LoaderThroughputBenchmark}: samples per second of the
 *       {@link io.medseg.data.loader.BatchLoader} (cardiac augmentation and input fitting) with 1 and 2 workers.</li>
 *   <li>{@link io.medseg.benchmarks.TrainingStepBenchmark}: samples per second of one training step of the default
 *       cardiac recipe at batch 8, fp32 and bf16, the rate the loader has to keep up with.</li>
 *   <li>{@link io.medseg.benchmarks.SegmenterSoak}: not JMH but a main class, run by {@code scripts/soak}: 8 threads x
 *       10,000 predictions on one shared {@link io.medseg.inference.Segmenter}, every mask compared with the
 *       single-threaded one and resident memory held to 10 % above its level after warm-up.</li>
 *   <li>{@link io.medseg.benchmarks.ServeLoad} and {@link io.medseg.benchmarks.ServeBaseline}: main classes, run by
 *       {@code scripts/serve-acceptance.sh}: a load generator for {@code segment serve} (concurrent clients, real
 *       frames, 1 % bad requests, latency, throughput, versions, server RSS, and a cross-check of the access log)
 *       and the offline {@code Segmenter.predictAll} throughput it is compared with.</li>
 *   <li>{@link io.medseg.benchmarks.ResultsTable} and {@link io.medseg.benchmarks.FlopsReport}: main classes that
 *       turn a JMH JSON result into the table of ratios and print the networks' GFLOP per image.</li>
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SegmenterThroughput} (add {@code -rf json} for a
 * machine-readable result).
 */
package io.medseg.benchmarks;

package io.medseg.mlops;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.medseg.data.Image;
import io.medseg.inference.Segmenter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Per-image inference latency as a distribution: every call of {@link Segmenter#predictBatch} on {@code batch}
 * images is timed after untimed warm-up calls, and its wall time divided by the batch size is one sample.
 * Percentiles use the nearest-rank rule (p95 of 40 samples is the 38th smallest).
 *
 * @param batch images per call
 * @param warmup untimed calls before measuring
 * @param samplesMs one per timed call, in call order
 */
@SuppressWarnings("ArrayRecordComponent") // the samples are copied in and compared by no one
public record Latency(int batch, int warmup, double[] samplesMs) {
    public Latency {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1: " + batch);
        }
        if (samplesMs.length == 0) {
            throw new IllegalArgumentException("no latency samples");
        }
        samplesMs = samplesMs.clone();
    }

    /**
     * Times inference on {@code images} in batches of {@code batch}, cycling through them until at least
     * {@code minSamples} calls were timed (each image at least once).
     */
    public static Latency measure(Segmenter segmenter, List<Image> images, int batch, int warmup, int minSamples) {
        Objects.requireNonNull(segmenter, "segmenter");
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to time");
        }
        if (warmup < 0 || minSamples < 1) {
            throw new IllegalArgumentException("warm-up must be >= 0 and samples >= 1: " + warmup + ", " + minSamples);
        }
        List<List<Image>> calls = new ArrayList<>();
        for (int i = 0; i < images.size(); i += batch) {
            List<Image> b = new ArrayList<>(images.subList(i, Math.min(images.size(), i + batch)));
            for (int j = 0; b.size() < batch; j++) { // the last call is filled up to a full batch
                b.add(images.get(j % images.size()));
            }
            calls.add(b);
        }
        for (int i = 0; i < warmup; i++) {
            segmenter.predictBatch(calls.get(i % calls.size()));
        }
        int n = Math.max(minSamples, calls.size());
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            List<Image> call = calls.get(i % calls.size());
            long t0 = System.nanoTime();
            segmenter.predictBatch(call);
            ms[i] = (System.nanoTime() - t0) / 1e6 / call.size();
        }
        return new Latency(batch, warmup, ms);
    }

    /** The nearest-rank percentile, {@code p} in (0, 100]. */
    public double percentile(double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
        }
        double[] sorted = samplesMs.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    public double meanMs() {
        return Arrays.stream(samplesMs).average().orElseThrow();
    }

    /** The distribution's summary, as validation records hold it. */
    public Summary summary() {
        return new Summary(batch, warmup, samplesMs.length, percentile(50), percentile(95), percentile(99), meanMs(),
                percentile(100), 1000.0 / meanMs());
    }

    /** Percentiles and mean of the per-image latency, in milliseconds, and the throughput they imply. */
    public record Summary(int batch, @JsonProperty("warmup_calls") int warmupCalls, int samples,
            @JsonProperty("p50_ms") double p50Ms, @JsonProperty("p95_ms") double p95Ms,
            @JsonProperty("p99_ms") double p99Ms, @JsonProperty("mean_ms") double meanMs,
            @JsonProperty("max_ms") double maxMs, @JsonProperty("images_per_second") double imagesPerSecond) {
    }
}

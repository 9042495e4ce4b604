package io.medseg.serving;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.mlops.drift.DataProfile;
import io.medseg.mlops.drift.DriftDetector;
import io.medseg.mlops.drift.DriftReport;
import io.medseg.mlops.drift.DriftWindow;
import io.medseg.mlops.drift.FeatureDrift;
import io.medseg.mlops.drift.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live drift for one served version: the drift features of the last images served, compared with the package's
 * reference profile every tenth of a window and on request. Each feature's verdict is the gauge
 * {@code medseg_drift_verdict{feature}} (0 stable, 1 moderate, 2 drifted, -1 not yet known); a feature that
 * becomes drifted logs one warning naming it, and one line when it no longer is. Thread-safe: comparisons are made
 * and published one at a time, so the gauges and the log follow the window in order.
 */
final class LiveDrift {
    private static final Logger LOG = LoggerFactory.getLogger(LiveDrift.class);
    /** Gauge value before a first comparison. */
    static final int UNKNOWN = -1;
    /** Under full load, one frame in this many is profiled. */
    static final int BUSY_SAMPLE = 8;

    private final String model;
    private final int version;
    private final DriftWindow window;
    private final int every;
    private final int minImages;
    private final Map<String, AtomicInteger> gauges;
    private final MeterRegistry registry;
    private volatile DriftReport last;
    private long sinceCheck;
    private final AtomicLong offered = new AtomicLong();
    private final Counter profiled;
    private final Counter skipped;


    /**
     * A live check of {@code model} version {@code version} against {@code reference} over the last
     * {@code capacity} images; gauges go to {@code registry} and are shared by every version served in turn.
     */
    LiveDrift(String model, int version, DataProfile reference, int capacity, MeterRegistry registry,
            Map<String, AtomicInteger> gauges) {
        this.model = model;
        this.version = version;
        DriftDetector detector = DriftDetector.defaults();
        this.window = new DriftWindow(reference, capacity, detector);
        this.every = Math.max(1, capacity / 10);
        this.minImages = Math.min(capacity, detector.minSamples());
        this.registry = Objects.requireNonNull(registry, "registry");
        this.gauges = gauges;
        for (AtomicInteger g : gauges.values()) {
            g.set(UNKNOWN);
        }
        this.profiled = frames(registry, "profiled");
        this.skipped = frames(registry, "skipped");
    }

    private static Counter frames(MeterRegistry registry, String outcome) {
        return Counter.builder("medseg.drift.frames").tag("outcome", outcome)
                .description("served frames profiled into the live drift window, or skipped under full load")
                .register(registry);
    }

    /**
     * Profiles a served frame and its mask into the window, on the caller's thread, when the network's queue is
     * shorter than {@code busyQueue}; when it is not (the server is saturated) only every
     * {@value #BUSY_SAMPLE}th frame is, so under full load the window samples the traffic instead of slowing it.
     * {@code medseg_drift_frames_total{outcome}} counts both.
     */
    void offer(Image image, Mask mask, int queued, int busyQueue) {
        long n = offered.incrementAndGet();
        if (queued >= busyQueue && n % BUSY_SAMPLE != 0) {
            skipped.increment();
            return;
        }
        try {
            add(observe(image, mask));
            profiled.increment();
        } catch (IllegalArgumentException e) {
            // a frame without signal (one value throughout) has no relative features: served, not profiled
            LOG.debug("frame not added to the drift window: {}", e.getMessage());
        }
    }

    /** The drift features of one served image and its mask; computed on the caller's thread. */
    DriftWindow.Observation observe(Image image, Mask mask) {
        return window.observe(image, mask);
    }

    /** Adds an observation, comparing the window with the reference when a tenth of a window has arrived. */
    void add(DriftWindow.Observation observation) {
        window.add(observation);
        boolean check;
        synchronized (this) {
            sinceCheck++;
            check = sinceCheck >= every && window.size() >= minImages;
            if (check) {
                sinceCheck = 0;
            }
        }
        if (check) {
            check();
        }
    }

    /** Compares the window with the reference now and updates the gauges; empty while the window is empty. */
    synchronized Optional<DriftReport> check() {
        Optional<DriftReport> report = window.report();
        report.ifPresent(this::publish);
        return report;
    }

    /** The last comparison made, if any. */
    Optional<DriftReport> last() {
        return Optional.ofNullable(last);
    }

    DriftWindow window() {
        return window;
    }

    int version() {
        return version;
    }

    private synchronized void publish(DriftReport report) {
        DriftReport before = last;
        last = report;
        for (FeatureDrift f : report.features()) {
            AtomicInteger g = gauges.computeIfAbsent(f.name(), n -> {
                AtomicInteger value = new AtomicInteger(UNKNOWN);
                Gauge.builder("medseg.drift.verdict", value, AtomicInteger::get)
                        .description("live drift verdict per feature over the recent window: 0 stable, "
                                + "1 moderate, 2 drifted, -1 not yet compared")
                        .tag("feature", n)
                        .register(registry);
                return value;
            });
            g.set(gaugeValue(f.verdict()));
            Verdict was = before == null ? Verdict.STABLE
                    : before.feature(f.name()).map(FeatureDrift::verdict).orElse(Verdict.STABLE);
            if (f.drifted() && was != Verdict.DRIFTED) {
                LOG.warn("drift: model {} v{}: {} drifted over the last {} images: {}", model, version, f.name(),
                        window.size(), f.explanation());
            } else if (!f.drifted() && was == Verdict.DRIFTED) {
                LOG.info("drift: model {} v{}: {} no longer drifted over the last {} images: {}", model, version,
                        f.name(), window.size(), f.verdict().word());
            }
        }
    }

    /** The gauge's number for a verdict: 0 stable, 1 moderate, 2 drifted. */
    static int gaugeValue(Verdict verdict) {
        return switch (verdict) {
            case STABLE -> 0;
            case MODERATE -> 1;
            case DRIFTED -> 2;
        };
    }

    /** A fresh map for the gauges shared by the versions served in turn. */
    static Map<String, AtomicInteger> gaugeMap() {
        return new ConcurrentHashMap<>();
    }
}

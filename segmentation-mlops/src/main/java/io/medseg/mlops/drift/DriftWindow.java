package io.medseg.mlops.drift;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.PixelSpacing;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The drift features of the last {@code capacity} images seen, for comparing live traffic with a reference
 * profile as it arrives. Each image is reduced to an {@link Observation} once, on the caller's thread
 * ({@link #observe}); the window keeps only those, so a report costs the comparison alone, not a pass over
 * pixels. The profile of a full window equals {@link DataProfile#against} on the same images. Thread-safe.
 */
public final class DriftWindow {
    private final DataProfile reference;
    private final double[] edges;
    private final int capacity;
    private final DriftDetector detector;
    private final ArrayDeque<Observation> window;
    private long seen;

    /**
     * A window of the last {@code capacity} images compared with {@code reference} by {@code detector}.
     *
     * @throws IllegalArgumentException if {@code capacity} is under 2
     */
    public DriftWindow(DataProfile reference, int capacity, DriftDetector detector) {
        this.reference = Objects.requireNonNull(reference, "reference");
        this.detector = Objects.requireNonNull(detector, "detector");
        if (capacity < 2) {
            throw new IllegalArgumentException("a drift window needs at least 2 images, got " + capacity);
        }
        this.capacity = capacity;
        this.edges = reference.histogram().edges();
        this.window = new ArrayDeque<>(capacity);
    }

    /** The reference profile. */
    public DataProfile reference() {
        return reference;
    }

    /** The most images the window holds. */
    public int capacity() {
        return capacity;
    }

    /**
     * The drift features of one image and its predicted mask ({@code null}: none; the lv area is then left out),
     * computed against this window's reference histogram bins. Call it on any thread, then {@link #add} it.
     *
     * @throws IllegalArgumentException if the image is not a single-channel image of at least 3x3 with finite
     *     pixels and some signal, or the mask does not match it
     */
    public Observation observe(Image image, Mask mask) {
        Objects.requireNonNull(image, "image");
        ImageStatistics.Values v = ImageStatistics.of(image, "the image");
        if (mask != null && (mask.height() != image.height() || mask.width() != image.width())) {
            throw new IllegalArgumentException("mask is " + mask.height() + "x" + mask.width() + " but its image is "
                    + image.height() + "x" + image.width());
        }
        long[] counts = new long[edges.length + 1];
        double threshold = ImageStatistics.SIGNAL_FRACTION * v.scale();
        for (float p : image.toArray()) {
            if (p > threshold) {
                counts[IntensityHistogram.bin(edges, p / v.scale())]++;
            }
        }
        Optional<PixelSpacing> spacing = image.spacing();
        long foreground = mask == null ? -1 : (long) mask.height() * mask.width() - mask.count(0);
        return new Observation(edges, v, image.height(), image.width(), spacing.orElse(null), foreground, counts);
    }

    /**
     * Adds an observation made by {@link #observe}, dropping the oldest one when the window is full.
     *
     * @throws IllegalArgumentException if the observation was made by a window whose reference has other
     *     histogram bins
     */
    public synchronized void add(Observation observation) {
        Objects.requireNonNull(observation, "observation");
        if (observation.edges != edges && !Arrays.equals(observation.edges, edges)) {
            throw new IllegalArgumentException("observation was counted in other histogram bins "
                    + Arrays.toString(observation.edges) + " than this window's reference "
                    + Arrays.toString(edges) + "; observe it with this window");
        }
        if (window.size() == capacity) {
            window.removeFirst();
        }
        window.addLast(observation);
        seen++;
    }

    /** Images in the window now. */
    public synchronized int size() {
        return window.size();
    }

    /** Images added since the window was made. */
    public synchronized long seen() {
        return seen;
    }

    /** The profile of the images in the window, counted in the reference's bins; empty while it holds none. */
    public Optional<DataProfile> profile() {
        List<Observation> now;
        synchronized (this) {
            now = List.copyOf(window);
        }
        if (now.isEmpty()) {
            return Optional.empty();
        }
        int n = now.size();
        boolean masks = true;
        boolean allSpaced = true;
        for (Observation o : now) {
            masks &= o.foreground >= 0;
            allSpaced &= o.spacing != null;
        }
        EnumMap<DriftFeature, double[]> values = new EnumMap<>(DriftFeature.class);
        for (DriftFeature f : DriftFeature.values()) {
            if (f != DriftFeature.LV_AREA || masks) {
                values.put(f, new double[n]);
            }
        }
        long[] counts = new long[edges.length + 1];
        for (int i = 0; i < n; i++) {
            Observation o = now.get(i);
            values.get(DriftFeature.INTENSITY_SCALE)[i] = o.values.scale();
            values.get(DriftFeature.RELATIVE_MEAN)[i] = o.values.relativeMean();
            values.get(DriftFeature.RELATIVE_SPREAD)[i] = o.values.relativeSpread();
            values.get(DriftFeature.NOISE_LEVEL)[i] = o.values.noiseLevel();
            values.get(DriftFeature.HEIGHT)[i] = o.height;
            values.get(DriftFeature.WIDTH)[i] = o.width;
            values.get(DriftFeature.SPACING_ROW)[i] = o.spacing == null ? Double.NaN : o.spacing.rowMm();
            values.get(DriftFeature.SPACING_COL)[i] = o.spacing == null ? Double.NaN : o.spacing.colMm();
            if (masks) {
                values.get(DriftFeature.LV_AREA)[i] = allSpaced ? o.foreground * o.spacing.pixelAreaMm2()
                        : o.foreground;
            }
            for (int b = 0; b < counts.length; b++) {
                counts[b] += o.counts[b];
            }
        }
        String unit = masks ? (allSpaced ? DataProfile.UNIT_MM2 : DataProfile.UNIT_PIXELS) : null;
        return Optional.of(DataProfile.ofParts(n, values, unit, new IntensityHistogram(edges, counts)));
    }

    /** The window compared with the reference; empty while the window holds no image. */
    public Optional<DriftReport> report() {
        return profile().map(p -> detector.compare(reference, p));
    }

    /** The drift features of one image, as {@link #observe} computed them. */
    public static final class Observation {
        /** The bins the counts are in: the observing window's reference edges (shared, never modified). */
        private final double[] edges;
        private final ImageStatistics.Values values;
        private final int height;
        private final int width;
        private final PixelSpacing spacing;
        private final long foreground;
        private final long[] counts;

        Observation(double[] edges, ImageStatistics.Values values, int height, int width, PixelSpacing spacing,
                long foreground, long[] counts) {
            this.edges = edges;
            this.values = values;
            this.height = height;
            this.width = width;
            this.spacing = spacing;
            this.foreground = foreground;
            this.counts = counts;
        }
    }
}

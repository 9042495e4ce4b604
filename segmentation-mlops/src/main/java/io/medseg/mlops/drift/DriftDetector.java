package io.medseg.mlops.drift;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Compares incoming data with a reference {@link DataProfile}, feature by feature.
 *
 * <h2>Statistics and thresholds (defaults)</h2>
 *
 * <ul>
 *   <li><b>Intensity histogram</b>: population stability index over the reference's quantile bins, empty bins
 *       counted as {@code 1e-4}; PSI below 0.1 stable, 0.1 to 0.25 moderate, above 0.25 drifted (the customary
 *       PSI reading).</li>
 *   <li><b>Per-image scalar features</b> whose reference values vary: the two-sample Kolmogorov–Smirnov distance
 *       and its asymptotic p-value ({@link KolmogorovSmirnov}), and where the incoming median lies relative to the
 *       reference range {@code [min, max]}. Drifted when the test is significant (p &lt; 0.01) <em>and</em> the
 *       incoming median lies beyond the range by more than the feature's tolerance; moderate when only one of the
 *       two holds (or the median is beyond the range but within tolerance); stable otherwise.</li>
 *   <li><b>Per-image features that are constant in the reference</b> (one image size, one spacing): a range check.
 *       Drifted when any incoming value differs from the reference value by more than the tolerance, moderate when
 *       one differs within it.</li>
 *   <li><b>Pixel spacing presence</b>: moderate when a different share of incoming images has a spacing.</li>
 * </ul>
 *
 * <p>Tolerances are relative and symmetric on a log scale: a value {@code v} is within tolerance {@code t} of the
 * range {@code [lo, hi]} when {@code lo / (1 + t) <= v <= hi * (1 + t)} (all features are non-negative). The
 * defaults are 10%, and 25% for {@link DriftFeature#INTENSITY_SCALE}.
 *
 * <h2>Why a significant KS test alone is not drift</h2>
 *
 * The KS p-value treats every image as an independent draw. Images of one patient are not: they share anatomy,
 * body size, coil loading, receiver gain and field of view. A reference of a few patients therefore differs
 * "significantly" from any new patient on almost every feature, because the effective sample size is the number of
 * patients, not of images. The range condition asks the question that matters for the model: is the typical
 * incoming image outside what the reference (the training data) covers? The same rule, with the same tolerance,
 * judges features that are constant in the reference, so both kinds of feature read alike.
 *
 * <p>Each test is marked weak when either sample has fewer than 5 values; it is still computed. Features are
 * judged one by one at the stated level, without a correction for testing several.
 *
 * <pre>{@code
 * DriftReport report = DriftDetector.defaults().compare(reference, images, predictedMasks);
 * if (report.drifted()) {
 *     log.warn("{}", report.summary());   // an SLF4J logger; report.toJson() for machines
 * }
 * }</pre>
 */
public final class DriftDetector {
    /** Name of the histogram result. */
    public static final String HISTOGRAM = "intensity_histogram";
    /** Name of the spacing-presence result. */
    public static final String SPACING_PRESENCE = "spacing_presence";

    private final double ksAlpha;
    private final double psiModerate;
    private final double psiDrifted;
    private final double psiEpsilon;
    private final int minSamples;
    private final EnumMap<DriftFeature, Double> tolerances;

    private DriftDetector(Builder b) {
        this.ksAlpha = b.ksAlpha;
        this.psiModerate = b.psiModerate;
        this.psiDrifted = b.psiDrifted;
        this.psiEpsilon = b.psiEpsilon;
        this.minSamples = b.minSamples;
        this.tolerances = new EnumMap<>(b.tolerances);
    }

    /** A detector with the default thresholds. */
    public static DriftDetector defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public double ksAlpha() {
        return ksAlpha;
    }

    public double psiModerate() {
        return psiModerate;
    }

    public double psiDrifted() {
        return psiDrifted;
    }

    public double psiEpsilon() {
        return psiEpsilon;
    }

    public int minSamples() {
        return minSamples;
    }

    /** The relative tolerance applied to {@code feature}. */
    public double tolerance(DriftFeature feature) {
        return tolerances.get(feature);
    }

    /** Profiles {@code images} and {@code masks} (null: none) against {@code reference} and compares them. */
    public DriftReport compare(DataProfile reference, List<Image> images, List<Mask> masks) {
        return compare(reference, DataProfile.against(reference, images, masks));
    }

    /**
     * Compares an incoming profile with the reference; the incoming histogram must have been counted in the
     * reference's bins ({@link DataProfile#against}).
     */
    public DriftReport compare(DataProfile reference, DataProfile incoming) {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(incoming, "incoming");
        if (!reference.histogram().sameEdges(incoming.histogram())) {
            throw new IllegalArgumentException("incoming histogram edges " + Arrays.toString(
                    incoming.histogram().edges()) + " differ from the reference's "
                    + Arrays.toString(reference.histogram().edges())
                    + "; profile incoming data with DataProfile.against(reference, ...)");
        }
        List<FeatureDrift> results = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (DriftFeature f : DriftFeature.values()) {
            if (f == DriftFeature.LV_AREA) {
                compareArea(reference, incoming, results, notes);
            } else {
                double[] ref = present(reference.values(f));
                double[] inc = present(incoming.values(f));
                if (ref.length > 0 && inc.length > 0) {
                    results.add(compareScalar(f, ref, inc, f.unitSuffix()));
                }
                if (f == DriftFeature.SPACING_COL) {
                    compareSpacingPresence(reference, incoming, results, notes);
                }
            }
        }
        results.add(compareHistogram(reference.histogram(), incoming.histogram(), incoming.imageCount()));
        return new DriftReport(reference.imageCount(), incoming.imageCount(), results, notes, thresholds());
    }

    private Map<String, Object> thresholds() {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("ks_alpha", ksAlpha);
        t.put("psi_moderate", psiModerate);
        t.put("psi_drifted", psiDrifted);
        t.put("psi_epsilon", psiEpsilon);
        t.put("min_samples", minSamples);
        Map<String, Object> tol = new LinkedHashMap<>();
        for (Map.Entry<DriftFeature, Double> e : tolerances.entrySet()) {
            tol.put(e.getKey().key(), e.getValue());
        }
        t.put("tolerances", tol);
        return t;
    }

    private void compareArea(DataProfile reference, DataProfile incoming, List<FeatureDrift> results,
            List<String> notes) {
        if (!reference.hasMasks() && !incoming.hasMasks()) {
            notes.add("lv area not compared: neither profile has masks");
        } else if (!reference.hasMasks()) {
            notes.add("lv area not compared: the reference profile has no masks");
        } else if (!incoming.hasMasks()) {
            notes.add("lv area not compared: the incoming profile has no masks");
        } else if (!reference.areaUnit().equals(incoming.areaUnit())) {
            notes.add("lv area not compared: reference areas in " + reference.areaUnit().orElseThrow()
                    + ", incoming in " + incoming.areaUnit().orElseThrow()
                    + " (areas are in mm2 only when every image has a pixel spacing)");
        } else {
            String unit = DataProfile.UNIT_MM2.equals(reference.areaUnit().orElseThrow()) ? " mm²" : " px";
            results.add(compareScalar(DriftFeature.LV_AREA, reference.values(DriftFeature.LV_AREA),
                    incoming.values(DriftFeature.LV_AREA), unit));
        }
    }

    private void compareSpacingPresence(DataProfile reference, DataProfile incoming, List<FeatureDrift> results,
            List<String> notes) {
        int refWith = reference.imageCount() - missing(reference.values(DriftFeature.SPACING_ROW));
        int incWith = incoming.imageCount() - missing(incoming.values(DriftFeature.SPACING_ROW));
        int refN = reference.imageCount();
        int incN = incoming.imageCount();
        if (refWith == refN && incWith == incN) {
            return;
        }
        if (refWith == 0 && incWith == 0) {
            notes.add("pixel spacing not compared: no image on either side has one");
            return;
        }
        if (refWith == 0 || incWith == 0) {
            notes.add("pixel spacing values not compared: no " + (refWith == 0 ? "reference" : "incoming")
                    + " image has one");
        }
        double refShare = (double) refWith / refN;
        double incShare = (double) incWith / incN;
        Verdict v = refShare == incShare ? Verdict.STABLE : Verdict.MODERATE;
        String text = "pixel spacing presence: " + incWith + " of " + incN + " incoming images have a spacing vs "
                + refWith + " of " + refN + " reference images: " + v.word();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("incoming_with_spacing", incWith);
        d.put("reference_with_spacing", refWith);
        results.add(new FeatureDrift(SPACING_PRESENCE, FeatureDrift.PRESENCE, incShare, refShare, Double.NaN, v,
                incN < minSamples || refN < minSamples, text, d));
    }

    private FeatureDrift compareScalar(DriftFeature f, double[] ref, double[] inc, String unit) {
        double tol = tolerances.get(f);
        double[] sortedRef = ref.clone();
        Arrays.sort(sortedRef);
        double[] sortedInc = inc.clone();
        Arrays.sort(sortedInc);
        double lo = sortedRef[0];
        double hi = sortedRef[sortedRef.length - 1];
        double incMedian = median(sortedInc);
        double refMedian = median(sortedRef);
        boolean weak = inc.length < minSamples || ref.length < minSamples;
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("reference_n", ref.length);
        d.put("incoming_n", inc.length);
        d.put("reference_median", refMedian);
        d.put("reference_min", lo);
        d.put("reference_max", hi);
        d.put("incoming_median", incMedian);
        d.put("incoming_min", sortedInc[0]);
        d.put("incoming_max", sortedInc[sortedInc.length - 1]);
        d.put("tolerance", tol);
        String weakText = weak ? "; weak test: only " + Math.min(inc.length, ref.length) + " "
                + (inc.length <= ref.length ? "incoming" : "reference") + " images (fewer than " + minSamples + ")"
                : "";
        if (lo == hi) {
            int outside = 0;
            int beyond = 0;
            double maxExcess = 0;
            for (double v : inc) {
                double e = excess(v, lo, hi);
                maxExcess = Math.max(maxExcess, e);
                outside += e > 0 ? 1 : 0;
                beyond += e > tol ? 1 : 0;
            }
            Verdict verdict = beyond > 0 ? Verdict.DRIFTED : outside > 0 ? Verdict.MODERATE : Verdict.STABLE;
            d.put("incoming_outside", outside);
            d.put("incoming_beyond_tolerance", beyond);
            String text = f.label() + ": reference constant " + num(lo) + unit + "; "
                    + (outside == 0 ? "all " + inc.length + " incoming images equal it"
                            : outside + " of " + inc.length + " incoming images differ (" + num(sortedInc[0]) + ".."
                                    + num(sortedInc[sortedInc.length - 1]) + unit + "), by up to "
                                    + percent(maxExcess) + " vs tolerance " + percent(tol))
                    + ": " + verdict.word() + weakText;
            return new FeatureDrift(f.key(), FeatureDrift.RANGE, maxExcess, tol, Double.NaN, verdict, weak, text, d);
        }
        KolmogorovSmirnov.Result ks = KolmogorovSmirnov.test(ref, inc);
        double medianExcess = excess(incMedian, lo, hi);
        boolean significant = ks.pValue() < ksAlpha;
        Verdict verdict;
        String reason;
        if (significant && medianExcess > tol) {
            verdict = Verdict.DRIFTED;
            reason = "drifted";
        } else if (significant) {
            verdict = Verdict.MODERATE;
            reason = medianExcess > 0 ? "moderate (beyond the range, within tolerance)"
                    : "moderate (the images differ, but the typical one lies inside the reference range)";
        } else if (medianExcess > 0) {
            verdict = Verdict.MODERATE;
            reason = "moderate (beyond the range, but the test is not significant)";
        } else {
            verdict = Verdict.STABLE;
            reason = "stable";
        }
        d.put("median_excess", Double.isFinite(medianExcess) ? medianExcess : null);
        String where;
        if (medianExcess == 0) {
            where = "inside the reference range " + num(lo) + ".." + num(hi) + unit;
        } else {
            where = (Double.isInfinite(medianExcess) ? "at zero," : percent(medianExcess)) + " "
                    + (incMedian > hi ? "above" : "below") + " the reference range " + num(lo) + ".." + num(hi) + unit
                    + " (tolerance " + percent(tol) + ")";
        }
        String text = f.label() + ": KS " + String.format(Locale.ROOT, "%.2f", ks.distance()) + " (p "
                + pText(ks.pValue()) + ") vs threshold p<" + num(ksAlpha) + "; incoming median " + num(incMedian)
                + unit + " vs reference " + num(refMedian) + unit + ", " + where + ": " + reason + weakText;
        return new FeatureDrift(f.key(), FeatureDrift.KS, ks.distance(), ksAlpha, ks.pValue(), verdict, weak, text,
                d);
    }

    private FeatureDrift compareHistogram(IntensityHistogram ref, IntensityHistogram inc, int incomingImages) {
        double psi = PopulationStability.index(ref.counts(), inc.counts(), psiEpsilon);
        Verdict v = psi > psiDrifted ? Verdict.DRIFTED : psi >= psiModerate ? Verdict.MODERATE : Verdict.STABLE;
        boolean weak = incomingImages < minSamples;
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("bins", ref.bins());
        d.put("moderate_threshold", psiModerate);
        d.put("reference_proportions", Arrays.stream(ref.proportions()).boxed().toList());
        d.put("incoming_proportions", Arrays.stream(inc.proportions()).boxed().toList());
        String text = "intensity histogram (relative to the 99th percentile): PSI " + num(psi) + " over "
                + ref.bins() + " reference-quantile bins vs thresholds " + num(psiModerate) + " (moderate) / "
                + num(psiDrifted) + " (drifted): " + v.word()
                + (weak ? "; weak test: only " + incomingImages + " incoming images (fewer than " + minSamples + ")"
                        : "");
        return new FeatureDrift(HISTOGRAM, FeatureDrift.PSI, psi, psiDrifted, Double.NaN, v, weak, text, d);
    }

    /** How far {@code v} lies beyond {@code [lo, hi]}, relative and log-symmetric; 0 inside. */
    static double excess(double v, double lo, double hi) {
        if (v > hi) {
            return hi > 0 ? v / hi - 1 : Double.POSITIVE_INFINITY;
        }
        if (v < lo) {
            return v > 0 ? lo / v - 1 : Double.POSITIVE_INFINITY;
        }
        return 0;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double[] present(double[] values) {
        return Arrays.stream(values).filter(v -> !Double.isNaN(v)).toArray();
    }

    private static int missing(double[] values) {
        return (int) Arrays.stream(values).filter(Double::isNaN).count();
    }

    /** Four significant digits, without trailing zeros. */
    static String num(double v) {
        return significant(v, 4);
    }

    private static String significant(double v, int digits) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        if (v != 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e7)) {
            return String.format(Locale.ROOT, "%." + (digits - 1) + "e", v);
        }
        return new BigDecimal(v).round(new MathContext(digits)).stripTrailingZeros().toPlainString();
    }

    private static String pText(double p) {
        return p >= 0.001 || p == 0 ? significant(p, 2) : String.format(Locale.ROOT, "%.1e", p);
    }

    private static String percent(double fraction) {
        return Double.isInfinite(fraction) ? "an unbounded factor (from zero)" : significant(100 * fraction, 3) + "%";
    }

    /** Thresholds of a {@link DriftDetector}; {@link #build()} checks them. */
    public static final class Builder {
        private double ksAlpha = 0.01;
        private double psiModerate = 0.10;
        private double psiDrifted = 0.25;
        private double psiEpsilon = 1e-4;
        private int minSamples = 5;
        private final EnumMap<DriftFeature, Double> tolerances = new EnumMap<>(DriftFeature.class);

        private Builder() {
            for (DriftFeature f : DriftFeature.values()) {
                tolerances.put(f, f.defaultTolerance());
            }
        }

        /** KS significance level, in (0, 1) (default 0.01). */
        public Builder ksAlpha(double alpha) {
            this.ksAlpha = alpha;
            return this;
        }

        /** PSI at and above which the histogram is moderate (default 0.1). */
        public Builder psiModerate(double threshold) {
            this.psiModerate = threshold;
            return this;
        }

        /** PSI above which the histogram drifted (default 0.25). */
        public Builder psiDrifted(double threshold) {
            this.psiDrifted = threshold;
            return this;
        }

        /** Proportion standing in for an empty bin, in (0, 0.01] (default 1e-4). */
        public Builder psiEpsilon(double epsilon) {
            this.psiEpsilon = epsilon;
            return this;
        }

        /** Sample size below which a test is marked weak, at least 1 (default 5). */
        public Builder minSamples(int minSamples) {
            this.minSamples = minSamples;
            return this;
        }

        /** Relative tolerance of every feature, non-negative and finite (replaces the per-feature defaults). */
        public Builder tolerance(double tolerance) {
            checkTolerance(tolerance);
            for (DriftFeature f : DriftFeature.values()) {
                tolerances.put(f, tolerance);
            }
            return this;
        }

        /** Relative tolerance of one feature, non-negative and finite. */
        public Builder tolerance(DriftFeature feature, double tolerance) {
            Objects.requireNonNull(feature, "feature");
            checkTolerance(tolerance);
            tolerances.put(feature, tolerance);
            return this;
        }

        private static void checkTolerance(double tolerance) {
            if (!(tolerance >= 0) || !Double.isFinite(tolerance)) {
                throw new IllegalArgumentException("tolerance must be non-negative and finite: " + tolerance);
            }
        }

        public DriftDetector build() {
            List<String> p = new ArrayList<>();
            if (!(ksAlpha > 0 && ksAlpha < 1)) {
                p.add("ks alpha must be in (0, 1): " + ksAlpha);
            }
            if (!(psiModerate > 0) || !Double.isFinite(psiModerate)) {
                p.add("psi moderate threshold must be positive and finite: " + psiModerate);
            }
            if (!(psiDrifted >= psiModerate) || !Double.isFinite(psiDrifted)) {
                p.add("psi drifted threshold must be finite and at least the moderate one (" + psiModerate + "): "
                        + psiDrifted);
            }
            if (!(psiEpsilon > 0 && psiEpsilon <= 0.01)) {
                p.add("psi epsilon must be in (0, 0.01]: " + psiEpsilon);
            }
            if (minSamples < 1) {
                p.add("min samples must be at least 1: " + minSamples);
            }
            if (!p.isEmpty()) {
                throw new IllegalArgumentException("invalid drift detector: " + String.join("; ", p));
            }
            return new DriftDetector(this);
        }
    }
}

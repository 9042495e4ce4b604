package io.medseg.mlops.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything an evaluation report shows, independent of which metrics were computed: an ordered list of metric
 * columns, one row of values per image, case pictures, an optional training curve and free-text facts. Per-patient
 * and overall mean ± sd are derived from the rows, so they can never disagree with the per-image table.
 *
 * <p>Statistics skip values that are not finite (NaN for a metric that is undefined on an image, infinity for a
 * distance to an empty mask) and say how many values they used; the standard deviation is the sample one
 * (divisor n - 1), 0 for a single value, NaN for none.
 *
 * <p>Immutable; build with {@link #builder()}.
 */
public final class ReportData {

    /** A metric column: its name ("Dice"), unit ("mm", "" for none) and whether larger values are better. */
    public record Metric(String name, String unit, boolean higherIsBetter) {
        public Metric {
            Objects.requireNonNull(name, "name");
            unit = unit == null ? "" : unit;
        }

        /** The name with the unit in brackets when there is one: {@code "HD95 (mm)"}. */
        public String label() {
            return unit.isEmpty() ? name : name + " (" + unit + ")";
        }
    }

    /** The metric values of one image, in the order of {@link ReportData#metrics()}. */
    public record Row(String id, String patient, List<Double> values) {
        public Row {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(patient, "patient");
            values = List.copyOf(values);
        }

        public static Row of(String id, String patient, double... values) {
            return new Row(id, patient, Arrays.stream(values).boxed().toList());
        }

        public double value(int metricIndex) {
            return values.get(metricIndex);
        }
    }

    /** Statistics of one metric over a group of images; {@code n} counts the finite values used. */
    public record Stats(int n, double mean, double sd, double min, double max) {
        static Stats of(List<Double> values) {
            double[] v = values.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).toArray();
            if (v.length == 0) {
                return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            double sum = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (double x : v) {
                sum += x;
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            double mean = sum / v.length;
            double ss = 0;
            for (double x : v) {
                ss += (x - mean) * (x - mean);
            }
            double sd = v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0;
            return new Stats(v.length, mean, sd, min, max);
        }
    }

    /** Statistics of every metric over a group of images (one patient, or all). */
    public record GroupSummary(String label, int images, List<Stats> stats) {
        public GroupSummary {
            stats = List.copyOf(stats);
        }
    }

    /** One point of a training curve; {@code validationDice} is NaN when it was not measured at that epoch. */
    public record EpochPoint(int epoch, double loss, double validationDice) {
        public boolean hasValidationDice() {
            return !Double.isNaN(validationDice);
        }
    }

    private final String title;
    private final Map<String, String> facts;
    private final List<String> warnings;
    private final List<Metric> metrics;
    private final List<Row> rows;
    private final List<CaseImage> cases;
    private final List<EpochPoint> trainingCurve;

    private ReportData(Builder b) {
        this.title = b.title;
        this.facts = Collections.unmodifiableMap(new LinkedHashMap<>(b.facts));
        this.warnings = List.copyOf(b.warnings);
        this.metrics = List.copyOf(b.metrics);
        this.rows = List.copyOf(b.rows);
        this.cases = List.copyOf(b.cases);
        this.trainingCurve = List.copyOf(b.trainingCurve);
    }

    public static Builder builder() {
        return new Builder();
    }

    public String title() {
        return title;
    }

    /** Free-text facts (model, data, date, ...) in insertion order. */
    public Map<String, String> facts() {
        return facts;
    }

    /**
     * Warnings shown above everything else, in insertion order: what a reader must know before trusting the
     * figures (that they were measured on training data, for one).
     */
    public List<String> warnings() {
        return warnings;
    }

    public List<Metric> metrics() {
        return metrics;
    }

    public List<Row> rows() {
        return rows;
    }

    public List<CaseImage> cases() {
        return cases;
    }

    /** Epochs in the order given; empty when no training curve was supplied. */
    public List<EpochPoint> trainingCurve() {
        return trainingCurve;
    }

    /** Mean ± sd of every metric over all images. */
    public GroupSummary overall() {
        return summarise("all images", rows);
    }

    /** Mean ± sd of every metric per patient, patients in sorted order. */
    public List<GroupSummary> perPatient() {
        Map<String, List<Row>> grouped = new TreeMap<>();
        for (Row r : rows) {
            grouped.computeIfAbsent(r.patient(), k -> new ArrayList<>()).add(r);
        }
        List<GroupSummary> out = new ArrayList<>(grouped.size());
        grouped.forEach((p, rs) -> out.add(summarise(p, rs)));
        return out;
    }

    /** The {@code k} worst images by the first metric, worst first. */
    public List<Row> worst(int k) {
        List<Row> ranked = rankWorstFirst(rows, metrics.get(0), 0);
        return ranked.subList(0, Math.min(k, ranked.size()));
    }

    /** The {@code k} best images by the first metric, best first. */
    public List<Row> best(int k) {
        List<Row> ranked = new ArrayList<>(rankWorstFirst(rows, metrics.get(0), 0));
        Collections.reverse(ranked);
        return ranked.subList(0, Math.min(k, ranked.size()));
    }

    /**
     * {@code rows} ordered worst first by the metric at {@code metricIndex} (whose direction {@code metric} gives);
     * ties keep the given order, values that are not finite count as worst. Useful for choosing case images before
     * the report is built.
     */
    public static List<Row> rankWorstFirst(List<Row> rows, Metric metric, int metricIndex) {
        Comparator<Double> byValue = metric.higherIsBetter() ? Comparator.naturalOrder() : Comparator.reverseOrder();
        Comparator<Row> cmp = Comparator.comparing((Row r) -> Double.isFinite(r.value(metricIndex)) ? 1 : 0)
                .thenComparing(r -> Double.isFinite(r.value(metricIndex)) ? r.value(metricIndex) : 0.0, byValue);
        List<Row> out = new ArrayList<>(rows);
        out.sort(cmp);
        return List.copyOf(out);
    }

    private GroupSummary summarise(String label, List<Row> group) {
        List<Stats> stats = new ArrayList<>(metrics.size());
        for (int m = 0; m < metrics.size(); m++) {
            int mi = m;
            stats.add(Stats.of(group.stream().map(r -> r.value(mi)).toList()));
        }
        return new GroupSummary(label, group.size(), stats);
    }

    /** Collects the parts; {@link #build()} checks them all and names every problem in one message. */
    public static final class Builder {
        private String title = "Segmentation evaluation report";
        private final Map<String, String> facts = new LinkedHashMap<>();
        private final List<String> warnings = new ArrayList<>();
        private final List<Metric> metrics = new ArrayList<>();
        private final List<Row> rows = new ArrayList<>();
        private final List<CaseImage> cases = new ArrayList<>();
        private final List<EpochPoint> trainingCurve = new ArrayList<>();

        private Builder() {
        }

        public Builder title(String title) {
            this.title = Objects.requireNonNull(title, "title");
            return this;
        }

        public Builder fact(String key, String value) {
            facts.put(Objects.requireNonNull(key, "key"), String.valueOf(value));
            return this;
        }

        public Builder warning(String text) {
            warnings.add(Objects.requireNonNull(text, "text"));
            return this;
        }

        public Builder metric(String name, String unit, boolean higherIsBetter) {
            metrics.add(new Metric(name, unit, higherIsBetter));
            return this;
        }

        public Builder metric(Metric metric) {
            metrics.add(Objects.requireNonNull(metric, "metric"));
            return this;
        }

        public Builder row(String id, String patient, double... values) {
            rows.add(Row.of(id, patient, values));
            return this;
        }

        public Builder row(Row row) {
            rows.add(Objects.requireNonNull(row, "row"));
            return this;
        }

        public Builder caseImage(CaseImage image) {
            cases.add(Objects.requireNonNull(image, "image"));
            return this;
        }

        public Builder epoch(int epoch, double loss) {
            trainingCurve.add(new EpochPoint(epoch, loss, Double.NaN));
            return this;
        }

        public Builder epoch(int epoch, double loss, double validationDice) {
            trainingCurve.add(new EpochPoint(epoch, loss, validationDice));
            return this;
        }

        public ReportData build() {
            List<String> problems = new ArrayList<>();
            if (metrics.isEmpty()) {
                problems.add("at least one metric is required");
            }
            for (Row r : rows) {
                if (r.values().size() != metrics.size()) {
                    problems.add("row " + r.id() + " has " + r.values().size() + " values for " + metrics.size()
                            + " metrics");
                }
            }
            for (EpochPoint p : trainingCurve) {
                if (!Double.isFinite(p.loss())) {
                    problems.add("loss at epoch " + p.epoch() + " is not finite: " + p.loss());
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid report data: " + String.join("; ", problems));
            }
            return new ReportData(this);
        }
    }
}

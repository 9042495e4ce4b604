package io.medseg.mlops.report;

import io.medseg.mlops.report.ReportData.EpochPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * One SVG chart of the report as {@code report/plot.jte} draws it: every coordinate is computed and formatted here,
 * so the template only places the numbers in markup. Coordinates are printed with one decimal ({@link #num}); the
 * fixed margins are printed as the whole numbers they are.
 *
 * @param kind       the chart's CSS class after {@code plot}: {@code histogram} or {@code line}
 * @param title      the accessible name, the SVG's {@code <title>}
 * @param showsTitle whether the title is also drawn above the plot area
 * @param grid       horizontal grid lines with their y-axis labels, bottom up
 * @param bars       histogram bars, left to right; empty for a line chart
 * @param xTicks     x-axis ticks, left to right
 * @param series     the line of a line chart; empty for a histogram
 */
record Plot(String kind, String title, boolean showsTitle, String yLabel, String xLabel, List<GridLine> grid,
        List<Bar> bars, List<Tick> xTicks, Optional<Series> series) {

    private static final int PW = 640;
    private static final int PH = 300;
    private static final int ML = 64;
    private static final int MR = 20;
    private static final int MT = 30;
    private static final int MB = 52;
    private static final double PLOT_W = PW - ML - MR;
    private static final double PLOT_H = PH - MT - MB;
    private static final double AXIS_Y = PH - MB;
    /** Beyond this many points the markers would hide the line. */
    private static final int MAX_MARKERS = 60;

    /** A grid line at {@code y}, labelled at {@code labelY}. */
    record GridLine(String y, String labelY, String label) {
    }

    /** A histogram bar: {@code count} values in [{@code from}, {@code to}). */
    record Bar(int count, String x, String y, String width, String height, String from, String to) {
    }

    record Tick(String x, String label) {
    }

    /** A polyline through {@code points} ("x,y x,y ..."), with a marker at each of {@code markers}. */
    record Series(String colour, String points, List<Point> markers) {
    }

    record Point(String x, String y) {
    }

    Plot {
        grid = List.copyOf(grid);
        bars = List.copyOf(bars);
        xTicks = List.copyOf(xTicks);
    }

    int width() {
        return PW;
    }

    int height() {
        return PH;
    }

    int left() {
        return ML;
    }

    int right() {
        return PW - MR;
    }

    int top() {
        return MT;
    }

    int titleY() {
        return 18;
    }

    String gridRight() {
        return num(ML + PLOT_W);
    }

    int yTickLabelX() {
        return ML - 6;
    }

    int yLabelX() {
        return 16;
    }

    String yLabelY() {
        return num(MT + PLOT_H / 2);
    }

    String axisY() {
        return num(AXIS_Y);
    }

    String xTickEndY() {
        return num(AXIS_Y + 5);
    }

    String xTickLabelY() {
        return num(AXIS_Y + 18);
    }

    String xLabelX() {
        return num(ML + (PW - ML - MR) / 2.0);
    }

    int xLabelY() {
        return PH - 10;
    }

    /** Bars of {@code hist} over a count axis that starts at 0. */
    static Plot histogram(Histogram hist, String xLabel) {
        int[] counts = hist.counts();
        int maxCount = 0;
        for (int c : counts) {
            maxCount = Math.max(maxCount, c);
        }
        double[] yTicks = ticks(0, Math.max(1, maxCount), 6, true);
        double yMax = yTicks[yTicks.length - 1];
        double bw = PLOT_W / counts.length;
        List<Bar> bars = new ArrayList<>(counts.length);
        for (int i = 0; i < counts.length; i++) {
            double bh = counts[i] / yMax * PLOT_H;
            double x = ML + i * bw;
            double lo = hist.lo() + i * hist.binWidth();
            bars.add(new Bar(counts[i], num(x + 1), num(MT + PLOT_H - bh), num(bw - 2), num(bh),
                    tick(lo, hist.binWidth()), tick(lo + hist.binWidth(), hist.binWidth())));
        }
        double[] xTicks = ticks(hist.lo(), hist.hi(), 10, false);
        double step = xTicks.length > 1 ? xTicks[1] - xTicks[0] : 1;
        List<Tick> ticks = new ArrayList<>(xTicks.length);
        for (double t : xTicks) {
            ticks.add(new Tick(num(ML + (t - hist.lo()) / (hist.hi() - hist.lo()) * PLOT_W), tick(t, step)));
        }
        return new Plot("histogram", "Histogram of " + xLabel, false, "images", xLabel, grid(yTicks, 0, yMax),
                bars, ticks, Optional.empty());
    }

    /**
     * {@code value} of each point against its epoch; points whose value is not finite are left out, and the value
     * axis always includes 0.
     */
    static Plot line(String title, String yLabel, List<EpochPoint> points, ToDoubleFunction<EpochPoint> value,
            String colour) {
        double xMin = points.stream().mapToInt(EpochPoint::epoch).min().orElse(0);
        double xMax = points.stream().mapToInt(EpochPoint::epoch).max().orElse(1);
        if (xMax == xMin) {
            xMax = xMin + 1;
        }
        double yMinData = points.stream().mapToDouble(value).filter(Double::isFinite).min().orElse(0);
        double yMaxData = points.stream().mapToDouble(value).filter(Double::isFinite).max().orElse(1);
        double yLo = Math.min(0, yMinData);
        double yHi = yMaxData <= yLo ? yLo + 1 : yMaxData;
        double[] yTicks = ticks(yLo, yHi, 6, true);
        yLo = yTicks[0];
        yHi = yTicks[yTicks.length - 1];
        List<Tick> ticks = new ArrayList<>();
        for (double t : ticks(xMin, xMax, 10, true)) {
            if (t < xMin - 1e-9 || t > xMax + 1e-9) {
                continue;
            }
            ticks.add(new Tick(num(ML + (t - xMin) / (xMax - xMin) * PLOT_W), tick(t, 1)));
        }
        StringBuilder pts = new StringBuilder();
        List<Point> xy = new ArrayList<>();
        for (EpochPoint p : points) {
            double v = value.applyAsDouble(p);
            if (!Double.isFinite(v)) {
                continue;
            }
            Point at = new Point(num(ML + (p.epoch() - xMin) / (xMax - xMin) * PLOT_W),
                    num(MT + PLOT_H - (v - yLo) / (yHi - yLo) * PLOT_H));
            xy.add(at);
            pts.append(at.x()).append(',').append(at.y()).append(' ');
        }
        Series series = new Series(colour, pts.toString().trim(), xy.size() <= MAX_MARKERS ? xy : List.of());
        return new Plot("line", title, true, yLabel, "epoch", grid(yTicks, yLo, yHi), List.of(), ticks,
                Optional.of(series));
    }

    private static List<GridLine> grid(double[] yTicks, double yLo, double yHi) {
        double step = yTicks.length > 1 ? yTicks[1] - yTicks[0] : 1;
        List<GridLine> lines = new ArrayList<>(yTicks.length);
        for (double t : yTicks) {
            double y = MT + PLOT_H - (t - yLo) / (yHi - yLo) * PLOT_H;
            lines.add(new GridLine(num(y), num(y + 4), tick(t, step)));
        }
        return lines;
    }

    /**
     * Round tick values covering [lo, hi] with about {@code target} intervals; when {@code extend} the first and
     * last tick enclose the range, otherwise only ticks inside it are returned.
     */
    static double[] ticks(double lo, double hi, int target, boolean extend) {
        double step = niceStep((hi - lo) / target);
        double start = extend ? Math.floor(lo / step + 1e-9) * step : Math.ceil(lo / step - 1e-9) * step;
        double end = extend ? Math.ceil(hi / step - 1e-9) * step : Math.floor(hi / step + 1e-9) * step;
        int n = (int) Math.round((end - start) / step) + 1;
        double[] t = new double[Math.max(n, 1)];
        for (int i = 0; i < t.length; i++) {
            t[i] = start + i * step;
        }
        return t;
    }

    private static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
        return nice * mag;
    }

    /** A tick label with as many decimals as the step needs. */
    private static String tick(double v, double step) {
        int decimals = 0;
        double s = Math.abs(step);
        while (decimals < 6 && Math.abs(s - Math.rint(s)) > 1e-9 * Math.max(1, s)) {
            s *= 10;
            decimals++;
        }
        double r = Math.abs(v) < 1e-12 ? 0 : v;
        return String.format(Locale.ROOT, "%." + decimals + "f", r);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}

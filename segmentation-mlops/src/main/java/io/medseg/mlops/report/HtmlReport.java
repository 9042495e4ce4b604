package io.medseg.mlops.report;

import io.medseg.io.AtomicFile;
import io.medseg.mlops.report.ReportData.EpochPoint;
import io.medseg.mlops.report.ReportData.GroupSummary;
import io.medseg.mlops.report.ReportData.Metric;
import io.medseg.mlops.report.ReportData.Row;
import io.medseg.mlops.report.ReportData.Stats;
import io.medseg.viz.Overlays;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Writes a {@link ReportData} as {@code report.html}, one self-contained page (inline CSS, pictures as base64
 * {@code data:} URIs, plots as inline SVG; no scripts, fonts or anything else fetched from a network), and as
 * {@code summary.md}, the tables in Markdown for a pull request or a wiki.
 *
 * <p>A metric's numbers are printed with 3 decimals when all its values are below 100 in magnitude and with 1
 * otherwise, the same in every table; a statistic with no finite value reads {@code n/a}. Case pictures narrower than {@value #MIN_CASE_WIDTH} pixels are enlarged by a
 * whole factor with nearest-neighbour sampling, so pixels stay sharp squares (a 256-pixel image shows at 512).
 */
public final class HtmlReport {
    /** File name of the page inside the report folder. */
    public static final String HTML_FILE = "report.html";
    /** File name of the Markdown summary inside the report folder. */
    public static final String MARKDOWN_FILE = "summary.md";
    /** Case pictures narrower than this are enlarged by a whole factor to at least this width. */
    public static final int MIN_CASE_WIDTH = 384;
    /** Bins of the distribution histogram. */
    public static final int HISTOGRAM_BINS = 20;
    /** How many best and worst images {@code summary.md} lists. */
    public static final int LISTED_CASES = 5;

    private static final String[] SERIES_COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

    private HtmlReport() {
    }

    /**
     * Writes {@code dir/report.html} and {@code dir/summary.md} (the folder is created if needed). Each file is
     * written to a temporary file in {@code dir} and renamed, so neither is ever seen half-written.
     */
    public static void write(ReportData data, Path dir) throws IOException {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(dir, "dir");
        Files.createDirectories(dir);
        writeAtomically(dir.resolve(HTML_FILE), html(data));
        writeAtomically(dir.resolve(MARKDOWN_FILE), markdown(data));
    }

    // ---------------------------------------------------------------- HTML

    /** The page as a string. */
    public static String html(ReportData data) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(data.title())).append("</title>\n<style>\n").append(CSS)
                .append("</style>\n</head>\n<body>\n<main>\n");
        h.append("<h1>").append(esc(data.title())).append("</h1>\n");
        facts(h, data);
        GroupSummary overall = data.overall();
        h.append("<section>\n<h2>Overall</h2>\n<p class=\"note\">").append(data.rows().size()).append(" images, ")
                .append(data.perPatient().size()).append(" patients. Mean ± sample standard deviation over images;"
                        + " n counts the images where the metric is defined. ↑ higher is better, ↓ lower is better."
                        + "</p>\n");
        overallTable(h, data, overall);
        h.append("</section>\n");

        if (!data.rows().isEmpty()) {
            Metric first = data.metrics().get(0);
            h.append("<section>\n<h2>Distribution of ").append(esc(first.name())).append("</h2>\n");
            double[] values = data.rows().stream().mapToDouble(r -> r.value(0)).toArray();
            h.append(histogramSvg(Histogram.of(values, HISTOGRAM_BINS), first.label()));
            h.append("</section>\n");
        }

        h.append("<section>\n<h2>Per patient</h2>\n");
        patientTable(h, data);
        h.append("</section>\n");

        if (!data.cases().isEmpty()) {
            h.append("<section>\n<h2>Cases</h2>\n");
            legend(h);
            for (CaseImage.Kind kind : CaseImage.Kind.values()) {
                List<CaseImage> ofKind = data.cases().stream().filter(c -> c.kind() == kind).toList();
                if (ofKind.isEmpty()) {
                    continue;
                }
                String heading = switch (kind) {
                    case WORST -> "Worst cases";
                    case BEST -> "Best cases";
                    case OTHER -> "Other cases";
                };
                h.append("<h3>").append(heading).append("</h3>\n<div class=\"cases\">\n");
                for (CaseImage c : ofKind) {
                    caseFigure(h, c);
                }
                h.append("</div>\n");
            }
            h.append("</section>\n");
        }

        if (!data.trainingCurve().isEmpty()) {
            h.append("<section>\n<h2>Training</h2>\n<div class=\"plots\">\n");
            List<EpochPoint> curve = data.trainingCurve();
            h.append(lineSvg("Training loss", "loss", curve, EpochPoint::loss, SERIES_COLOURS[0]));
            List<EpochPoint> withDice = curve.stream().filter(EpochPoint::hasValidationDice).toList();
            if (!withDice.isEmpty()) {
                h.append(lineSvg("Validation Dice", "Dice", withDice, EpochPoint::validationDice,
                        SERIES_COLOURS[1]));
            }
            h.append("</div>\n</section>\n");
        }

        h.append("<section>\n<h2>Per image</h2>\n");
        imageTable(h, data);
        h.append("</section>\n</main>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void facts(StringBuilder h, ReportData data) {
        if (data.facts().isEmpty()) {
            return;
        }
        h.append("<table class=\"facts\">\n<tbody>\n");
        data.facts().forEach((k, v) -> h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v))
                .append("</td></tr>\n"));
        h.append("</tbody>\n</table>\n");
    }

    private static void overallTable(StringBuilder h, ReportData data, GroupSummary overall) {
        h.append("<table>\n<thead>\n<tr><th>Metric</th><th class=\"num\">n</th><th class=\"num\">mean ± sd</th>"
                + "<th class=\"num\">min</th><th class=\"num\">max</th></tr>\n</thead>\n<tbody>\n");
        int[] dec = decimals(data);
        for (int m = 0; m < data.metrics().size(); m++) {
            Metric metric = data.metrics().get(m);
            Stats s = overall.stats().get(m);
            h.append("<tr><td>").append(esc(metric.label())).append(' ').append(arrow(metric))
                    .append("</td><td class=\"num\">").append(s.n()).append("</td><td class=\"num\">")
                    .append(esc(meanSd(s, dec[m]))).append("</td><td class=\"num\">").append(fmt(s.min(), dec[m]))
                    .append("</td><td class=\"num\">").append(fmt(s.max(), dec[m])).append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n");
    }

    private static void patientTable(StringBuilder h, ReportData data) {
        h.append("<div class=\"scroll\">\n<table>\n<thead>\n<tr><th>Patient</th><th class=\"num\">images</th>");
        for (Metric m : data.metrics()) {
            h.append("<th class=\"num\">").append(esc(m.label())).append(' ').append(arrow(m)).append("</th>");
        }
        h.append("</tr>\n</thead>\n<tbody>\n");
        int[] dec = decimals(data);
        for (GroupSummary g : data.perPatient()) {
            h.append("<tr><td>").append(esc(g.label())).append("</td><td class=\"num\">").append(g.images())
                    .append("</td>");
            for (int m = 0; m < dec.length; m++) {
                h.append("<td class=\"num\">").append(esc(meanSd(g.stats().get(m), dec[m]))).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table>\n</div>\n");
    }

    private static void imageTable(StringBuilder h, ReportData data) {
        h.append("<div class=\"scroll\">\n<table>\n<thead>\n<tr><th>Image</th><th>Patient</th>");
        for (Metric m : data.metrics()) {
            h.append("<th class=\"num\">").append(esc(m.label())).append("</th>");
        }
        h.append("</tr>\n</thead>\n<tbody>\n");
        int[] dec = decimals(data);
        for (Row r : data.rows()) {
            h.append("<tr><td>").append(esc(r.id())).append("</td><td>").append(esc(r.patient())).append("</td>");
            for (int m = 0; m < dec.length; m++) {
                h.append("<td class=\"num\">").append(fmt(r.value(m), dec[m])).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table>\n</div>\n");
    }

    private static void legend(StringBuilder h) {
        h.append("<p class=\"legend\">Contours: ")
                .append(swatch(Overlays.PREDICTED)).append("predicted (red) ")
                .append(swatch(Overlays.REFERENCE)).append("reference (green) ")
                .append(swatch(Overlays.BOTH)).append("both agree (yellow)</p>\n");
    }

    private static String swatch(int rgb) {
        return "<span class=\"swatch\" style=\"background:" + hex(rgb) + "\"></span>";
    }

    private static void caseFigure(StringBuilder h, CaseImage c) {
        BufferedImage full = decode(c, c.png());
        int f = scaleFactor(full.getWidth());
        h.append("<figure>\n<div class=\"pair\">\n");
        img(h, enlarge(full, f), c.title() + " " + c.id());
        String zoomNote = "";
        if (c.hasZoom()) {
            BufferedImage zoom = decode(c, c.zoomPng());
            // the close-up as tall as the full picture, but at least MIN_CASE_WIDTH wide
            int zf = Math.max(scaleFactor(zoom.getWidth()), full.getHeight() * f / zoom.getHeight());
            img(h, enlarge(zoom, zf), "close-up of " + c.id());
            zoomNote = " · right: close-up, each pixel shown " + zf + "×" + zf;
        }
        h.append("</div>\n<figcaption><b>").append(esc(c.title())).append("</b> ").append(esc(c.id()));
        if (!c.caption().isEmpty()) {
            h.append(" · ").append(esc(c.caption()));
        }
        h.append(esc(zoomNote)).append("</figcaption>\n</figure>\n");
    }

    private static void img(StringBuilder h, BufferedImage img, String alt) {
        String b64 = Base64.getEncoder().encodeToString(CaseImage.encodePng(img));
        h.append("<img src=\"data:image/png;base64,").append(b64).append("\" width=\"").append(img.getWidth())
                .append("\" height=\"").append(img.getHeight()).append("\" alt=\"").append(esc(alt))
                .append("\">\n");
    }

    private static BufferedImage decode(CaseImage c, byte[] png) {
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
            if (img == null) {
                throw new IllegalArgumentException("case " + c.id() + ": picture is not a readable PNG");
            }
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException("case " + c.id() + ": decoding its PNG failed", e);
        }
    }

    /** The whole factor that brings {@code width} to at least {@link #MIN_CASE_WIDTH}; 1 if already wide enough. */
    static int scaleFactor(int width) {
        return width >= MIN_CASE_WIDTH ? 1 : (MIN_CASE_WIDTH + width - 1) / width;
    }

    private static BufferedImage enlarge(BufferedImage src, int f) {
        if (f == 1) {
            return src;
        }
        int w = src.getWidth() * f;
        int hgt = src.getHeight() * f;
        BufferedImage out = new BufferedImage(w, hgt, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < hgt; y++) {
            for (int x = 0; x < w; x++) {
                out.setRGB(x, y, src.getRGB(x / f, y / f));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- SVG plots

    private static final int PW = 640;
    private static final int PH = 300;
    private static final int ML = 64;
    private static final int MR = 20;
    private static final int MT = 30;
    private static final int MB = 52;

    static String histogramSvg(Histogram hist, String xLabel) {
        int[] counts = hist.counts();
        int maxCount = 0;
        for (int c : counts) {
            maxCount = Math.max(maxCount, c);
        }
        double[] yTicks = ticks(0, Math.max(1, maxCount), 6, true);
        double yMax = yTicks[yTicks.length - 1];
        double plotW = PW - ML - MR;
        double plotH = PH - MT - MB;
        StringBuilder s = new StringBuilder();
        s.append("<svg class=\"plot histogram\" width=\"").append(PW).append("\" height=\"").append(PH)
                .append("\" viewBox=\"0 0 ").append(PW).append(' ').append(PH).append("\" role=\"img\">\n");
        s.append("<title>").append(esc("Histogram of " + xLabel)).append("</title>\n");
        gridAndYAxis(s, yTicks, 0, yMax, "images");
        double bw = plotW / counts.length;
        for (int i = 0; i < counts.length; i++) {
            double bh = counts[i] / yMax * plotH;
            double x = ML + i * bw;
            double lo = hist.lo() + i * hist.binWidth();
            s.append("<rect class=\"bar\" data-count=\"").append(counts[i]).append("\" x=\"").append(num(x + 1))
                    .append("\" y=\"").append(num(MT + plotH - bh)).append("\" width=\"").append(num(bw - 2))
                    .append("\" height=\"").append(num(bh)).append("\"><title>")
                    .append(esc(tick(lo, hist.binWidth()) + " – " + tick(lo + hist.binWidth(), hist.binWidth())
                            + ": " + counts[i]))
                    .append("</title></rect>\n");
        }
        double[] xTicks = ticks(hist.lo(), hist.hi(), 10, false);
        double step = xTicks.length > 1 ? xTicks[1] - xTicks[0] : 1;
        for (double t : xTicks) {
            double x = ML + (t - hist.lo()) / (hist.hi() - hist.lo()) * plotW;
            xTick(s, x, tick(t, step));
        }
        axesAndXLabel(s, xLabel);
        s.append("</svg>\n");
        return s.toString();
    }

    private static String lineSvg(String title, String yLabel, List<EpochPoint> points,
            ToDoubleFunction<EpochPoint> value, String colour) {
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
        double plotW = PW - ML - MR;
        double plotH = PH - MT - MB;
        StringBuilder s = new StringBuilder();
        s.append("<svg class=\"plot line\" width=\"").append(PW).append("\" height=\"").append(PH)
                .append("\" viewBox=\"0 0 ").append(PW).append(' ').append(PH).append("\" role=\"img\">\n");
        s.append("<title>").append(esc(title)).append("</title>\n");
        s.append("<text class=\"ptitle\" x=\"").append(ML).append("\" y=\"18\">").append(esc(title))
                .append("</text>\n");
        gridAndYAxis(s, yTicks, yLo, yHi, yLabel);
        double[] xTicks = ticks(xMin, xMax, 10, true);
        for (double t : xTicks) {
            if (t < xMin - 1e-9 || t > xMax + 1e-9) {
                continue;
            }
            xTick(s, ML + (t - xMin) / (xMax - xMin) * plotW, tick(t, 1));
        }
        StringBuilder pts = new StringBuilder();
        List<double[]> xy = new ArrayList<>();
        for (EpochPoint p : points) {
            double v = value.applyAsDouble(p);
            if (!Double.isFinite(v)) {
                continue;
            }
            double x = ML + (p.epoch() - xMin) / (xMax - xMin) * plotW;
            double y = MT + plotH - (v - yLo) / (yHi - yLo) * plotH;
            xy.add(new double[] {x, y});
            pts.append(num(x)).append(',').append(num(y)).append(' ');
        }
        s.append("<polyline class=\"series\" fill=\"none\" stroke=\"").append(colour)
                .append("\" stroke-width=\"2\" points=\"").append(pts.toString().trim()).append("\"/>\n");
        if (xy.size() <= 60) {
            for (double[] p : xy) {
                s.append("<circle cx=\"").append(num(p[0])).append("\" cy=\"").append(num(p[1]))
                        .append("\" r=\"3\" fill=\"").append(colour).append("\"/>\n");
            }
        }
        axesAndXLabel(s, "epoch");
        s.append("</svg>\n");
        return s.toString();
    }

    private static void gridAndYAxis(StringBuilder s, double[] yTicks, double yLo, double yHi, String yLabel) {
        double plotW = PW - ML - MR;
        double plotH = PH - MT - MB;
        double step = yTicks.length > 1 ? yTicks[1] - yTicks[0] : 1;
        for (double t : yTicks) {
            double y = MT + plotH - (t - yLo) / (yHi - yLo) * plotH;
            s.append("<line class=\"grid\" x1=\"").append(ML).append("\" x2=\"").append(num(ML + plotW))
                    .append("\" y1=\"").append(num(y)).append("\" y2=\"").append(num(y)).append("\"/>\n");
            s.append("<text class=\"tick\" x=\"").append(ML - 6).append("\" y=\"").append(num(y + 4))
                    .append("\" text-anchor=\"end\">").append(esc(tick(t, step))).append("</text>\n");
        }
        double cy = MT + plotH / 2;
        s.append("<text class=\"axis-label\" x=\"16\" y=\"").append(num(cy)).append("\" text-anchor=\"middle\""
                + " transform=\"rotate(-90 16 ").append(num(cy)).append(")\">").append(esc(yLabel))
                .append("</text>\n");
    }

    private static void xTick(StringBuilder s, double x, String label) {
        double y0 = PH - MB;
        s.append("<line class=\"axis\" x1=\"").append(num(x)).append("\" x2=\"").append(num(x)).append("\" y1=\"")
                .append(num(y0)).append("\" y2=\"").append(num(y0 + 5)).append("\"/>\n");
        s.append("<text class=\"tick\" x=\"").append(num(x)).append("\" y=\"").append(num(y0 + 18))
                .append("\" text-anchor=\"middle\">").append(esc(label)).append("</text>\n");
    }

    private static void axesAndXLabel(StringBuilder s, String xLabel) {
        double y0 = PH - MB;
        s.append("<line class=\"axis\" x1=\"").append(ML).append("\" x2=\"").append(PW - MR).append("\" y1=\"")
                .append(num(y0)).append("\" y2=\"").append(num(y0)).append("\"/>\n");
        s.append("<line class=\"axis\" x1=\"").append(ML).append("\" x2=\"").append(ML).append("\" y1=\"")
                .append(MT).append("\" y2=\"").append(num(y0)).append("\"/>\n");
        s.append("<text class=\"axis-label\" x=\"").append(num(ML + (PW - ML - MR) / 2.0)).append("\" y=\"")
                .append(PH - 10).append("\" text-anchor=\"middle\">").append(esc(xLabel)).append("</text>\n");
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

    // ---------------------------------------------------------------- Markdown

    /** The Markdown summary as a string. */
    public static String markdown(ReportData data) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(mdEsc(data.title())).append("\n\n");
        data.facts().forEach((k, v) -> md.append("- **").append(mdEsc(k)).append("**: ").append(mdEsc(v))
                .append('\n'));
        if (!data.facts().isEmpty()) {
            md.append('\n');
        }
        GroupSummary overall = data.overall();
        md.append("## Overall\n\n").append(data.rows().size()).append(" images, ").append(data.perPatient().size())
                .append(" patients; mean ± sample sd over images.\n\n");
        md.append("| Metric | n | mean ± sd | min | max |\n|---|---:|---:|---:|---:|\n");
        int[] dec = decimals(data);
        for (int m = 0; m < data.metrics().size(); m++) {
            Metric metric = data.metrics().get(m);
            Stats s = overall.stats().get(m);
            md.append("| ").append(mdEsc(metric.label())).append(' ').append(arrow(metric)).append(" | ")
                    .append(s.n()).append(" | ").append(meanSd(s, dec[m])).append(" | ").append(fmt(s.min(), dec[m]))
                    .append(" | ").append(fmt(s.max(), dec[m])).append(" |\n");
        }
        md.append("\n## Per patient\n\n| Patient | images |");
        StringBuilder align = new StringBuilder("|---|---:|");
        for (Metric m : data.metrics()) {
            md.append(' ').append(mdEsc(m.label())).append(" |");
            align.append("---:|");
        }
        md.append('\n').append(align).append('\n');
        for (GroupSummary g : data.perPatient()) {
            md.append("| ").append(mdEsc(g.label())).append(" | ").append(g.images()).append(" |");
            for (int m = 0; m < dec.length; m++) {
                md.append(' ').append(meanSd(g.stats().get(m), dec[m])).append(" |");
            }
            md.append('\n');
        }
        if (!data.rows().isEmpty()) {
            Metric first = data.metrics().get(0);
            caseList(md, "Worst cases by " + first.name(), data.worst(LISTED_CASES), first, dec[0]);
            caseList(md, "Best cases by " + first.name(), data.best(LISTED_CASES), first, dec[0]);
        }
        return md.toString();
    }

    private static void caseList(StringBuilder md, String heading, List<Row> rows, Metric first, int dec) {
        md.append("\n## ").append(mdEsc(heading)).append("\n\n");
        int i = 1;
        for (Row r : rows) {
            md.append(i++).append(". ").append(mdEsc(r.id())).append(" (patient ").append(mdEsc(r.patient()))
                    .append("): ").append(mdEsc(first.name())).append(' ').append(fmt(r.value(0), dec))
                    .append(first.unit().isEmpty() ? "" : " " + mdEsc(first.unit())).append('\n');
        }
    }

    // ---------------------------------------------------------------- text helpers

    /**
     * {@code v} as the report prints a value of a metric whose values all lie below 100 in magnitude: 3 decimals;
     * n/a if not finite.
     */
    public static String fmt(double v) {
        return fmt(v, 3);
    }

    static String fmt(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** Decimals per metric, one choice for the whole column: 3 when every value is below 100 in magnitude, else 1. */
    static int[] decimals(ReportData data) {
        int[] dec = new int[data.metrics().size()];
        for (int m = 0; m < dec.length; m++) {
            int mi = m;
            double max = data.rows().stream().mapToDouble(r -> Math.abs(r.value(mi))).filter(Double::isFinite)
                    .max().orElse(0);
            dec[m] = max < 100 ? 3 : 1;
        }
        return dec;
    }

    static String meanSd(Stats s, int decimals) {
        return s.n() == 0 ? "n/a" : fmt(s.mean(), decimals) + " ± " + fmt(s.sd(), decimals);
    }

    private static String arrow(Metric m) {
        return m.higherIsBetter() ? "↑" : "↓";
    }

    /** Text made safe for HTML element content and double- or single-quoted attribute values. */
    public static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Text made safe for a Markdown table cell or list item: no HTML, no emphasis, no cell breaks. */
    static String mdEsc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '#' -> b.append('\\').append(c);
                case '&' -> b.append("&amp;");
                case '\n', '\r' -> b.append(' ');
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String hex(int rgb) {
        return String.format(Locale.ROOT, "#%06x", rgb & 0xFFFFFF);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static void writeAtomically(Path target, String text) throws IOException {
        AtomicFile.writeString(target, text);
    }

    private static final String CSS = """
            :root { color-scheme: light; }
            body { margin: 0; background: #f6f7f9; color: #1d2330;
                   font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; }
            main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
            h1 { font-size: 26px; margin: 0 0 12px; }
            h2 { font-size: 20px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #e3e6ec; }
            h3 { font-size: 16px; margin: 18px 0 8px; }
            .note { color: #555e6e; font-size: 13px; margin: 4px 0 10px; }
            table { border-collapse: collapse; font-size: 13.5px; }
            th, td { padding: 4px 10px; border-bottom: 1px solid #e3e6ec; text-align: left; white-space: nowrap; }
            thead th { background: #eef1f5; position: sticky; top: 0; }
            tbody tr:nth-child(even) { background: #fafbfc; }
            td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
            table.facts th { color: #555e6e; font-weight: 600; background: none; }
            .scroll { overflow: auto; max-height: 640px; border: 1px solid #e3e6ec; }
            .scroll table { width: 100%; }
            .legend { font-size: 14px; }
            .swatch { display: inline-block; width: 14px; height: 14px; margin: 0 5px -2px 14px;
                      border: 1px solid #333; }
            .legend .swatch:first-child { margin-left: 6px; }
            .cases { display: flex; flex-wrap: wrap; gap: 16px; }
            figure { margin: 0 0 8px; }
            .pair { display: flex; flex-wrap: wrap; gap: 8px; }
            figure img { display: block; image-rendering: pixelated; border: 1px solid #ccc; }
            figcaption { font-size: 13px; margin-top: 4px; }
            .plots { display: flex; flex-wrap: wrap; gap: 16px; }
            svg.plot { background: #fff; border: 1px solid #e3e6ec; max-width: 100%; height: auto; }
            .plots svg.plot { box-sizing: border-box; width: calc(50% - 8px); min-width: 420px; }
            svg .bar { fill: #4c78a8; }
            svg .grid { stroke: #e6e8ee; stroke-width: 1; }
            svg .axis { stroke: #333; stroke-width: 1; }
            svg text { font-size: 12px; fill: #333; }
            svg .axis-label { font-size: 13px; font-weight: 600; }
            svg .ptitle { font-size: 14px; font-weight: 600; }
            """;
}

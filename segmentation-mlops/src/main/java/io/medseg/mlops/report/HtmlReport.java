package io.medseg.mlops.report;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import io.medseg.io.AtomicFile;
import io.medseg.mlops.report.ReportData.GroupSummary;
import io.medseg.mlops.report.ReportData.Metric;
import io.medseg.mlops.report.ReportData.Row;
import io.medseg.mlops.report.ReportData.Stats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Writes a {@link ReportData} as {@code report.html}, one self-contained page (inline CSS, pictures as base64
 * {@code data:} URIs, plots as inline SVG; no scripts, fonts or anything else fetched from a network), and as
 * {@code summary.md}, the tables in Markdown for a pull request or a wiki.
 *
 * <p>A metric's numbers are printed with 3 decimals when all its values are below 100 in magnitude and with 1
 * otherwise, the same in every table; a statistic with no finite value reads {@code n/a}. Case pictures narrower
 * than {@value #MIN_CASE_WIDTH} pixels are enlarged by a whole factor with nearest-neighbour sampling, so pixels
 * stay sharp squares (a 256-pixel image shows at 512).
 *
 * <p>The page is rendered by the jte templates under {@code src/main/jte/report/}, precompiled at build time (see
 * the package documentation); the Markdown is written here.
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

    /** The page template, as jte names it: {@code src/main/jte/report/page.jte}. */
    private static final String PAGE_TEMPLATE = "report/page.jte";
    /** The package jte-maven-plugin generates the template classes into, less the template's folder. */
    private static final String TEMPLATE_PACKAGE = "io.medseg.mlops";

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
        Objects.requireNonNull(data, "data");
        ReportHtmlOutput out = new ReportHtmlOutput(64 * 1024);
        Templates.ENGINE.render(PAGE_TEMPLATE, ReportPage.of(data), out);
        return out.toString();
    }

    /** The whole factor that brings {@code width} to at least {@link #MIN_CASE_WIDTH}; 1 if already wide enough. */
    static int scaleFactor(int width) {
        return width >= MIN_CASE_WIDTH ? 1 : (MIN_CASE_WIDTH + width - 1) / width;
    }

    /** Holds the engine, so it is made on the first page rendered rather than when the class loads. */
    private static final class Templates {
        static final TemplateEngine ENGINE = precompiled();

        /**
         * jte finds precompiled templates through the context class loader of the thread that creates the engine;
         * setting it to this module's loader for that moment finds them even when the caller's thread carries
         * another loader (an application server, a Spark executor).
         */
        private static TemplateEngine precompiled() {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(HtmlReport.class.getClassLoader());
            try {
                return TemplateEngine.createPrecompiled(null, ContentType.Html, null, TEMPLATE_PACKAGE);
            } finally {
                thread.setContextClassLoader(previous);
            }
        }
    }

    // ---------------------------------------------------------------- Markdown

    /** The Markdown summary as a string. */
    public static String markdown(ReportData data) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(mdEsc(data.title())).append("\n\n");
        data.warnings().forEach(w -> md.append("> **Warning:** ").append(mdEsc(w)).append("\n\n"));
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

    static String arrow(Metric m) {
        return m.higherIsBetter() ? "↑" : "↓";
    }

    /**
     * Text made safe for HTML element content and double- or single-quoted attribute values; the page's templates
     * print every value through it.
     */
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

    private static void writeAtomically(Path target, String text) throws IOException {
        AtomicFile.writeString(target, text);
    }
}

package io.medseg.mlops.report;

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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.imageio.ImageIO;

/**
 * What {@code report/page.jte} shows of a {@link ReportData}, with every number already formatted, every picture
 * already enlarged and encoded, and every chart already laid out, so the templates hold markup and nothing else.
 * Text is kept as the user gave it: the template engine escapes it.
 *
 * @param facts        the free-text facts in insertion order
 * @param warnings     the warnings, shown above the facts
 * @param overall      one row per metric: mean ± sd, min and max over all images
 * @param columns      the metric columns of the per-patient and per-image tables
 * @param distribution the histogram of the first metric; empty when there are no images
 * @param caseSections worst, best and other cases, each present only when it has a picture
 * @param training     the loss curve and, where measured, the validation Dice curve; empty without a curve
 */
record ReportPage(String title, List<Fact> facts, List<String> warnings, int imageCount, int patientCount,
        List<SummaryRow> overall, List<Column> columns, Optional<Distribution> distribution, List<PatientRow> patients,
        Legend legend, List<CaseSection> caseSections, List<Plot> training, List<ImageRow> images) {

    private static final String[] SERIES_COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

    ReportPage {
        facts = List.copyOf(facts);
        warnings = List.copyOf(warnings);
        overall = List.copyOf(overall);
        columns = List.copyOf(columns);
        patients = List.copyOf(patients);
        caseSections = List.copyOf(caseSections);
        training = List.copyOf(training);
        images = List.copyOf(images);
    }

    record Fact(String key, String value) {
    }

    record Column(String label, String arrow) {
    }

    record SummaryRow(String label, String arrow, int n, String meanSd, String min, String max) {
    }

    record Distribution(String metric, Plot histogram) {
    }

    /** One patient's images and the mean ± sd of each metric over them. */
    record PatientRow(String label, int images, List<String> meanSd) {
        PatientRow {
            meanSd = List.copyOf(meanSd);
        }
    }

    record ImageRow(String id, String patient, List<String> values) {
        ImageRow {
            values = List.copyOf(values);
        }
    }

    /** The contour colours of {@link Overlays}, as CSS colours. */
    record Legend(String predicted, String reference, String both) {
    }

    record CaseSection(String heading, List<Figure> figures) {
        CaseSection {
            figures = List.copyOf(figures);
        }
    }

    /**
     * A case: its picture and, when {@code zoomFactor > 0}, a close-up shown with each pixel as a
     * {@code zoomFactor}-pixel square.
     */
    record Figure(String title, String id, String caption, List<Picture> pictures, int zoomFactor) {
        Figure {
            pictures = List.copyOf(pictures);
        }

        boolean hasZoom() {
            return zoomFactor > 0;
        }
    }

    /** A PNG as base64, with its size in pixels and its alternative text. */
    record Picture(String base64, int width, int height, String alt) {
    }

    static ReportPage of(ReportData data) {
        int[] dec = HtmlReport.decimals(data);
        List<Metric> metrics = data.metrics();

        List<Fact> facts = new ArrayList<>();
        data.facts().forEach((k, v) -> facts.add(new Fact(k, v)));

        GroupSummary all = data.overall();
        List<SummaryRow> overall = new ArrayList<>(metrics.size());
        List<Column> columns = new ArrayList<>(metrics.size());
        for (int m = 0; m < metrics.size(); m++) {
            Metric metric = metrics.get(m);
            Stats s = all.stats().get(m);
            overall.add(new SummaryRow(metric.label(), HtmlReport.arrow(metric), s.n(), HtmlReport.meanSd(s, dec[m]),
                    HtmlReport.fmt(s.min(), dec[m]), HtmlReport.fmt(s.max(), dec[m])));
            columns.add(new Column(metric.label(), HtmlReport.arrow(metric)));
        }

        Optional<Distribution> distribution = Optional.empty();
        if (!data.rows().isEmpty()) {
            Metric first = metrics.get(0);
            double[] values = data.rows().stream().mapToDouble(r -> r.value(0)).toArray();
            distribution = Optional.of(new Distribution(first.name(),
                    Plot.histogram(Histogram.of(values, HtmlReport.HISTOGRAM_BINS), first.label())));
        }

        List<GroupSummary> perPatient = data.perPatient();
        List<PatientRow> patients = new ArrayList<>(perPatient.size());
        for (GroupSummary g : perPatient) {
            List<String> cells = new ArrayList<>(dec.length);
            for (int m = 0; m < dec.length; m++) {
                cells.add(HtmlReport.meanSd(g.stats().get(m), dec[m]));
            }
            patients.add(new PatientRow(g.label(), g.images(), cells));
        }

        List<ImageRow> images = new ArrayList<>(data.rows().size());
        for (Row r : data.rows()) {
            List<String> values = new ArrayList<>(dec.length);
            for (int m = 0; m < dec.length; m++) {
                values.add(HtmlReport.fmt(r.value(m), dec[m]));
            }
            images.add(new ImageRow(r.id(), r.patient(), values));
        }

        return new ReportPage(data.title(), facts, data.warnings(), data.rows().size(), perPatient.size(), overall,
                columns, distribution, patients, new Legend(hex(Overlays.PREDICTED), hex(Overlays.REFERENCE),
                        hex(Overlays.BOTH)), caseSections(data), training(data.trainingCurve()), images);
    }

    private static List<CaseSection> caseSections(ReportData data) {
        List<CaseSection> sections = new ArrayList<>();
        for (CaseImage.Kind kind : CaseImage.Kind.values()) {
            List<Figure> figures = data.cases().stream().filter(c -> c.kind() == kind).map(ReportPage::figure)
                    .toList();
            if (figures.isEmpty()) {
                continue;
            }
            String heading = switch (kind) {
                case WORST -> "Worst cases";
                case BEST -> "Best cases";
                case MOST_UNCERTAIN -> "Most uncertain cases (uncertainty heat map on the right)";
                case OTHER -> "Other cases";
            };
            sections.add(new CaseSection(heading, figures));
        }
        return sections;
    }

    private static Figure figure(CaseImage c) {
        BufferedImage full = decode(c, c.png());
        int f = HtmlReport.scaleFactor(full.getWidth());
        List<Picture> pictures = new ArrayList<>(2);
        pictures.add(picture(enlarge(full, f), c.title() + " " + c.id()));
        int zf = 0;
        if (c.hasZoom()) {
            BufferedImage zoom = decode(c, c.zoomPng());
            // the close-up as tall as the full picture, but at least MIN_CASE_WIDTH wide
            zf = Math.max(HtmlReport.scaleFactor(zoom.getWidth()), full.getHeight() * f / zoom.getHeight());
            pictures.add(picture(enlarge(zoom, zf), "close-up of " + c.id()));
        }
        return new Figure(c.title(), c.id(), c.caption(), pictures, zf);
    }

    private static List<Plot> training(List<EpochPoint> curve) {
        if (curve.isEmpty()) {
            return List.of();
        }
        List<Plot> plots = new ArrayList<>(2);
        plots.add(Plot.line("Training loss", "loss", curve, EpochPoint::loss, SERIES_COLOURS[0]));
        List<EpochPoint> withDice = curve.stream().filter(EpochPoint::hasValidationDice).toList();
        if (!withDice.isEmpty()) {
            plots.add(Plot.line("Validation Dice", "Dice", withDice, EpochPoint::validationDice,
                    SERIES_COLOURS[1]));
        }
        return plots;
    }

    private static Picture picture(BufferedImage img, String alt) {
        return new Picture(Base64.getEncoder().encodeToString(CaseImage.encodePng(img)), img.getWidth(),
                img.getHeight(), alt);
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

    private static String hex(int rgb) {
        return String.format(Locale.ROOT, "#%06x", rgb & 0xFFFFFF);
    }
}

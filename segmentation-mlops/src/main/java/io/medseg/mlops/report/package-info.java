/**
 * Evaluation reports for people, independent of which metrics were computed.
 *
 * <ul>
 *   <li>{@link io.medseg.mlops.report.ReportData}: metric columns, per-image rows, derived per-patient and overall
 *       mean ± sd, case pictures, training curve and free-text facts.</li>
 *   <li>{@link io.medseg.mlops.report.CaseImage}: one case picture (PNG bytes), e.g. an {@link io.medseg.viz.Overlays}
 *       contour overlay, filed under worst, best or other cases.</li>
 *   <li>{@link io.medseg.mlops.report.HtmlReport}: writes {@code report.html} (one self-contained page, no network) and
 *       {@code summary.md}, each atomically.</li>
 *   <li>{@link io.medseg.mlops.report.Histogram}: equal-width bin counts behind the distribution plot.</li>
 * </ul>
 *
 * <p>The page's markup, its CSS and the SVG charts come from <a href="https://jte.gg">jte</a> templates in
 * {@code segmentation-mlops/src/main/jte/report/} ({@code page.jte}, and {@code plot.jte} for one chart).
 * jte-maven-plugin turns them into Java at build time, into {@code target/generated-sources/jte}, and they are
 * compiled into this package as the {@code Jte*Generated} classes, which are not API: nothing is parsed or
 * compiled when a report is written. The templates only place values: the package-private {@code ReportPage} and
 * {@code Plot} records hold every formatted number, encoded picture and chart coordinate, and the engine escapes
 * every value it prints, through {@code ReportHtmlOutput}, so no text is escaped by hand and none twice; no
 * template prints anything unescaped. {@code summary.md} has its own escaping rules and is still written in Java.
 */
package io.medseg.mlops.report;

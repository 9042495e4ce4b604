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
 */
package io.medseg.mlops.report;

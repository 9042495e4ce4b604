/**
 * Data drift detection: does incoming data still look like the data the model was trained on?
 *
 * <ul>
 *   <li><code>DataProfile</code>: per-image features of a set of images and their predicted masks (absolute
 *       intensity scale; mean, spread and Immerkær noise relative to each image's 99th percentile; height, width,
 *       pixel spacing; predicted LV area) and a pooled relative-intensity histogram in reference-quantile bins.
 *       Saved at training time as JSON ({@code "format": "medseg-data-profile"}).</li>
 *   <li><code>DriftDetector</code> → <code>DriftReport</code> of <code>FeatureDrift</code>: per feature the
 *       statistic (PSI for the histogram; Kolmogorov–Smirnov with a range check for varying features; a range
 *       check for features constant in the reference), its value, threshold, a {@link
 *       io.medseg.mlops.drift.Verdict} and a one-line explanation; the data drifted when any feature did.</li>
 *   <li><code>KolmogorovSmirnov</code>, <code>PopulationStability</code>: the two statistics on their own.</li>
 * </ul>
 *
 * <p>Intensity features are relative to a robust per-image scale, because raw MRI intensities differ between
 * patients of one protocol and the model normalises each image anyway; the absolute scale is a feature of its own,
 * judged with a wider tolerance. See <code>DriftDetector</code> for the thresholds and for why a significant
 * per-image test alone does not count as drift.
 */
package io.medseg.mlops.drift;

/**
 * Segmentation quality metrics, pure Java and exact.
 *
 * <ul>
 *   <li><code>Dice</code>, <code>DiceSummary</code>: Dice per image, per class, mean and global (pooled), with the
 *       empty-mask rule stated in <code>Dice</code>.</li>
 *   <li><code>Contours</code>: marching-squares iso-contours (0.5 level, saddles separate, always closed) and
 *       boundary pixels of one class.</li>
 *   <li><code>SegmentationMetrics</code> → <code>ImageMetrics</code>: Dice, IoU, precision, recall, specificity,
 *       areas in mm², Hausdorff, HD95 and ASSD between boundary sets (exact Euclidean distance transform,
 *       anisotropic spacing), the Sunnybrook APD and its good-contour flag; empty-mask rules never give NaN.</li>
 *   <li><code>MetricsSummary</code>: mean and sample standard deviation of every metric per patient and overall,
 *       metric names for tables, and the percentage of good contours.</li>
 * </ul>
 */
package io.medseg.metrics;

/**
 * Synthetic data with exact labels, for demos and fast tests that need no download.
 *
 * <ul>
 *   <li>{@link io.medseg.data.phantom.CardiacPhantom}: seeded short-axis cardiac cine MRI with left-ventricle
 *       blood-pool masks, patient-wise varied in anatomy, scanner gain, bias field and noise.</li>
 * </ul>
 */
package io.medseg.data.phantom;

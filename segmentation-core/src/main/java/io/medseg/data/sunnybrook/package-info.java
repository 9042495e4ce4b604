/**
 * The Sunnybrook Cardiac Data: short-axis cine MRI with expert left-ventricle contours.
 *
 * <ul>
 *   <li>{@link io.medseg.data.sunnybrook.SunnybrookDataset}: loads {@code dicoms/}, {@code contourfiles/} and
 *       {@code link.csv} into a {@link io.medseg.data.SegmentationDataset}, one sample per frame with an inner
 *       contour; also lists the DICOM files of a folder for prediction.</li>
 *   <li>{@link io.medseg.data.sunnybrook.ContourFile}: reads a contour file ({@code x y} per line) into
 *       {@link io.medseg.data.sunnybrook.ContourPoint}s, checked against the image size.</li>
 *   <li>{@link io.medseg.data.sunnybrook.PolygonFill}: fills a closed polygon into a
 *       {@link io.medseg.data.Mask} by a documented, boundary-inclusive even-odd rule on pixel centres.</li>
 * </ul>
 */
package io.medseg.data.sunnybrook;

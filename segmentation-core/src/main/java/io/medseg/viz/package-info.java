/**
 * Pictures of segmentations, pure Java ({@code javax.imageio}), for people and for other tools.
 *
 * <ul>
 *   <li>{@link io.medseg.viz.MaskPng}: a {@link io.medseg.data.Mask} as an 8-bit grayscale PNG whose pixel value
 *       is the class index (0 = background), and back, losslessly.</li>
 *   <li>{@link io.medseg.viz.Overlays}: an image windowed to its 1st..99th percentile in grey with the predicted
 *       and, optionally, the reference contour drawn over it.</li>
 * </ul>
 *
 * <p>Every write goes to a temporary file in the target folder and is then moved into place, so a crash or a full
 * disk never leaves a half-written PNG under the final name.
 */
package io.medseg.viz;

/**
 * Plain folders of PNG images and masks, the common layout of 2D segmentation datasets.
 *
 * <ul>
 *   <li>{@link io.medseg.data.folder.ImageMaskFolder}: detects, loads and writes {@code images/} + {@code masks/}
 *       (or {@code <name>.png} + {@code <name>_mask.png}) folders of 8/16-bit grayscale images and class-index
 *       masks, with patient ids from an optional {@code patients.csv}.</li>
 * </ul>
 */
package io.medseg.data.folder;

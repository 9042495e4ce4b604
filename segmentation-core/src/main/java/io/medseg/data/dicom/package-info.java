/**
 * A small, strict DICOM Part 10 reader with no external dependency.
 *
 * <ul>
 *   <li>{@link io.medseg.data.dicom.DicomReader}: reads single-frame grayscale images with uncompressed
 *       little-endian pixel data (implicit or explicit VR) and refuses everything else by name.</li>
 *   <li>{@link io.medseg.data.dicom.DicomImage}: the stored pixels plus rows, columns, instance number, patient
 *       id, pixel spacing and rescale; {@code toImage()} gives an {@link io.medseg.data.Image}.</li>
 *   <li>{@link io.medseg.data.dicom.DicomFiles}: finds the DICOM files under a folder, by name ({@code *.dcm}) and
 *       by content (the preamble and {@code DICM} magic).</li>
 * </ul>
 */
package io.medseg.data.dicom;

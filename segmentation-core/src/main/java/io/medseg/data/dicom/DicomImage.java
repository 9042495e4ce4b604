package io.medseg.data.dicom;

import io.medseg.data.Image;
import io.medseg.data.PixelSpacing;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One single-frame, single-channel DICOM image as read by {@link DicomReader}: the stored pixel values (already
 * masked to Bits Stored and sign-extended when signed) and the few attributes segmentation needs.
 *
 * <p>Immutable. {@link #toImage()} applies the modality rescale ({@code value * slope + intercept}).
 */
public final class DicomImage {
    private final int rows;
    private final int columns;
    private final int bitsAllocated;
    private final int bitsStored;
    private final boolean signed;
    private final double rescaleSlope;
    private final double rescaleIntercept;
    private final OptionalInt instanceNumber;
    private final String patientId;
    private final String seriesDescription;
    private final PixelSpacing spacing;
    private final String transferSyntaxUid;
    private final int[] stored;

    DicomImage(int rows, int columns, int bitsAllocated, int bitsStored, boolean signed, double rescaleSlope,
            double rescaleIntercept, OptionalInt instanceNumber, String patientId, String seriesDescription,
            PixelSpacing spacing, String transferSyntaxUid, int[] stored) {
        this.rows = rows;
        this.columns = columns;
        this.bitsAllocated = bitsAllocated;
        this.bitsStored = bitsStored;
        this.signed = signed;
        this.rescaleSlope = rescaleSlope;
        this.rescaleIntercept = rescaleIntercept;
        this.instanceNumber = Objects.requireNonNull(instanceNumber, "instanceNumber");
        this.patientId = patientId;
        this.seriesDescription = seriesDescription;
        this.spacing = spacing;
        this.transferSyntaxUid = Objects.requireNonNull(transferSyntaxUid, "transferSyntaxUid");
        this.stored = Objects.requireNonNull(stored, "stored");
        if ((long) rows * columns != stored.length) {
            throw new IllegalArgumentException("expected " + rows + "x" + columns + " stored values, got "
                    + stored.length);
        }
    }

    /** Rows (0028,0010): the image height. */
    public int rows() {
        return rows;
    }

    /** Columns (0028,0011): the image width. */
    public int columns() {
        return columns;
    }

    /** Bits Allocated (0028,0100): 8 or 16. */
    public int bitsAllocated() {
        return bitsAllocated;
    }

    /** Bits Stored (0028,0101). */
    public int bitsStored() {
        return bitsStored;
    }

    /** Whether Pixel Representation (0028,0103) is 1 (two's complement). */
    public boolean signed() {
        return signed;
    }

    /** Rescale Slope (0028,1053), 1 when absent. */
    public double rescaleSlope() {
        return rescaleSlope;
    }

    /** Rescale Intercept (0028,1052), 0 when absent. */
    public double rescaleIntercept() {
        return rescaleIntercept;
    }

    /** Instance Number (0020,0013), empty when the file has none (or an empty value). */
    public OptionalInt instanceNumber() {
        return instanceNumber;
    }

    /** Patient ID (0010,0020), empty when absent or blank. */
    public Optional<String> patientId() {
        return Optional.ofNullable(patientId);
    }

    /** Series Description (0008,103E), empty when absent or blank. */
    public Optional<String> seriesDescription() {
        return Optional.ofNullable(seriesDescription);
    }

    /** Pixel Spacing (0028,0030) as row spacing, column spacing in mm; empty when absent. */
    public Optional<PixelSpacing> spacing() {
        return Optional.ofNullable(spacing);
    }

    /** Transfer Syntax UID (0002,0010) of the file. */
    public String transferSyntaxUid() {
        return transferSyntaxUid;
    }

    /** The stored value at ({@code row}, {@code column}), before rescale. */
    public int storedValue(int row, int column) {
        if (row < 0 || row >= rows || column < 0 || column >= columns) {
            throw new IndexOutOfBoundsException("pixel (" + row + ", " + column + ") outside " + rows + "x"
                    + columns);
        }
        return stored[row * columns + column];
    }

    /**
     * The image as {@code rows x columns x 1} float pixels, each {@code stored * slope + intercept}, with the
     * pixel spacing attached when the file has one.
     */
    public Image toImage() {
        float[] pixels = new float[stored.length];
        for (int i = 0; i < stored.length; i++) {
            pixels[i] = (float) (stored[i] * rescaleSlope + rescaleIntercept);
        }
        return Image.wrap(rows, columns, 1, pixels, spacing);
    }

    @Override
    public String toString() {
        return "DicomImage[" + rows + "x" + columns + ", " + bitsStored + "/" + bitsAllocated + " bits "
                + (signed ? "signed" : "unsigned") + ", instance "
                + (instanceNumber.isPresent() ? instanceNumber.getAsInt() : "-") + ", ts " + transferSyntaxUid + "]";
    }
}

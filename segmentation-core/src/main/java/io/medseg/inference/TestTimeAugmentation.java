package io.medseg.inference;

/**
 * Test-time augmentation: the network also sees transformed copies of each image, each output is mapped back and
 * the class probabilities are averaged. Useful when the model was trained with the same transformations.
 */
public enum TestTimeAugmentation {
    /** One pass on the image as it is. */
    NONE(1),
    /** The image plus its horizontal, vertical and double flips: 4 passes. */
    FLIPS(4),
    /**
     * All 8 symmetries of the square (flips, quarter turns and transposes): 8 passes. Needs a square network
     * input; on a non-square one it falls back to {@link #FLIPS}.
     */
    DIHEDRAL(8);

    private final int passes;

    TestTimeAugmentation(int passes) {
        this.passes = passes;
    }

    /** Network passes per image for a square input. */
    public int passes() {
        return passes;
    }

    /**
     * Index of pixel (y, x) of an {@code h x w} grid after variant {@code v} (bit 0: flip x, bit 1: flip y, bit 2:
     * transpose, applied in that order); for {@code v < 4} the output grid is {@code h x w}, else {@code w x h}.
     */
    static int map(int v, int y, int x, int h, int w) {
        int yy = (v & 2) != 0 ? h - 1 - y : y;
        int xx = (v & 1) != 0 ? w - 1 - x : x;
        if ((v & 4) != 0) {
            return xx * h + yy; // transposed grid is w rows of h
        }
        return yy * w + xx;
    }
}

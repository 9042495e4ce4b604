package io.medseg.model;

/** How an image of another size is fitted to the network's input shape, and the prediction mapped back. */
public enum InputFit {
    /** The image must have exactly the input height and width; anything else is an error. */
    EXACT,
    /**
     * The centre of the image is cropped (or padded with the image minimum where it is smaller) to the input size; the
     * prediction is placed back at the same position and everything outside it is background. A cheap way to
     * localise organs that sit near the image centre, such as the heart in short-axis cardiac MRI.
     */
    CENTRE_CROP
}

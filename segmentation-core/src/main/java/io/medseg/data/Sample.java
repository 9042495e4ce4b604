package io.medseg.data;

import java.util.Objects;

/** One labelled image: its id, the patient it belongs to (for patient-wise splits), the image and its mask. */
public record Sample(String id, String patientId, Image image, Mask mask) {
    public Sample {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(patientId, "patientId");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(mask, "mask");
        if (image.height() != mask.height() || image.width() != mask.width()) {
            throw new IllegalArgumentException("image/mask size mismatch for sample " + id + ": image "
                    + image.height() + "x" + image.width() + ", mask " + mask.height() + "x" + mask.width());
        }
    }
}

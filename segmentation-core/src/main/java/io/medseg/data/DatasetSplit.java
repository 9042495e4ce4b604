package io.medseg.data;

import java.util.Objects;

/** A training and a validation set that share no patient. */
public record DatasetSplit(SegmentationDataset train, SegmentationDataset validation) {
    public DatasetSplit {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(validation, "validation");
    }
}

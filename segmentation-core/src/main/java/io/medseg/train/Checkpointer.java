package io.medseg.train;

import io.medseg.backend.SegmentationModel;
import java.io.IOException;

/**
 * Receives the trainer's state after epochs (see {@link Trainer.Builder#checkpointer}) and keeps it somewhere a
 * later run can resume from. Called on the training thread between epochs; the model holds the state's weights
 * while it runs, so an implementation may also save the model itself.
 */
@FunctionalInterface
public interface Checkpointer {
    void save(TrainerState state, SegmentationModel model) throws IOException;
}

package io.medseg.tf;

import io.medseg.backend.Backend;
import io.medseg.backend.BackendContractTest;
import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Sample;
import io.medseg.model.UNetSpec;
import io.medseg.optim.Optimizers;
import io.medseg.train.Trainer;
import java.nio.file.Path;
import java.util.List;

/** The backend contract on TensorFlow: a trained model saved as a SavedModel and loaded back. */
class TensorFlowContractTest extends BackendContractTest {

    @Override
    protected Backend backend() throws Exception {
        return Backends.load(TensorFlowBackend.NAME);
    }

    @Override
    protected void writeModel(UNetSpec spec, List<Sample> trainingData, Path dir) throws Exception {
        try (SegmentationModel m = backend().create(spec, 5)) {
            Trainer.builder().epochs(3).batchSize(4).optimizer(Optimizers.adam(1e-2)).build()
                    .fit(m, trainingData, List.of());
            m.save(dir);
        }
    }
}

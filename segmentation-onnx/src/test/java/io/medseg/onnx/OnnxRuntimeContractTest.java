package io.medseg.onnx;

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

/**
 * The backend contract on ONNX Runtime: a model trained by TensorFlow, saved, exported to {@code model.onnx} and
 * loaded by the ONNX backend.
 */
class OnnxRuntimeContractTest extends BackendContractTest {

    @Override
    protected Backend backend() throws Exception {
        return Backends.load(OnnxRuntimeBackend.NAME);
    }

    @Override
    protected void writeModel(UNetSpec spec, List<Sample> trainingData, Path dir) throws Exception {
        Backend tensorflow = Backends.load("tensorflow");
        try (SegmentationModel m = tensorflow.create(spec, 5)) {
            Trainer.builder().epochs(3).batchSize(4).optimizer(Optimizers.adam(1e-2)).build()
                    .fit(m, trainingData, List.of());
            m.save(dir);
        }
        OnnxExport.intoModelFolder(tensorflow, dir);
    }
}

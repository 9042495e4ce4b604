package io.medseg.tf;

import io.medseg.backend.Backend;
import io.medseg.backend.BackendUnavailableException;
import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.backend.TrainingSession;
import io.medseg.io.FileTrees;
import io.medseg.loss.Losses;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.optim.Optimizers;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Run by {@link NativeLoggingTest} in a JVM of its own: loads the backend, then runs a session of its own
 * and a bf16 model's. */
public final class NativeLoggingProbe {
    private NativeLoggingProbe() {
    }

    public static void main(String[] args) throws BackendUnavailableException, java.io.IOException {
        System.err.println("probe: before");
        Backend backend = new TensorFlowBackendProvider().get();
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            var sum = tf.math.add(tf.constant(1f), tf.constant(1f));
            try (Session s = new Session(g); Result r = s.runner().fetch(sum).run()) {
                System.err.println("probe: ran " + ((TFloat32) r.get(0)).getFloat());
            }
        }
        // bf16 models: their sessions rewrite the graph on the first run of each kind of call, and say so
        UNetSpec spec = UNet.builder().inputShape(16, 16, 1).numClasses(2).depth(1).baseFilters(2).build();
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("probe");
        try (SegmentationModel m = backend.create(spec, 1, Precision.BF16);
                TrainingSession t = m.trainingSession(Losses.crossEntropy(), Optimizers.adam(1e-3))) {
            t.step(new float[256], new byte[256], 1, 1e-3f);
            m.forward(new float[256], 1);
            m.save(dir);
        }
        try (SegmentationModel loaded = backend.load(dir, Precision.BF16)) {
            float[] p = loaded.forward(new float[256], 1);
            loaded.forward(new float[512], 2);
            System.err.println("probe: bf16 ran " + p.length);
        }
        FileTrees.deleteTree(dir);
        System.err.println("probe: after");
    }
}

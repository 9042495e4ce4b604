package io.medseg.tf;

import io.medseg.backend.BackendUnavailableException;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Run by {@link NativeLoggingTest} in a JVM of its own: loads the backend, then runs a session of its own. */
public final class NativeLoggingProbe {
    private NativeLoggingProbe() {
    }

    public static void main(String[] args) throws BackendUnavailableException {
        System.err.println("probe: before");
        new TensorFlowBackendProvider().get();
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            var sum = tf.math.add(tf.constant(1f), tf.constant(1f));
            try (Session s = new Session(g); Result r = s.runner().fetch(sum).run()) {
                System.err.println("probe: ran " + ((TFloat32) r.get(0)).getFloat());
            }
        }
        System.err.println("probe: after");
    }
}

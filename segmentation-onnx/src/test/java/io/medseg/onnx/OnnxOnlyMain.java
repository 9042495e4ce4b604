package io.medseg.onnx;

import io.medseg.backend.Backend;
import io.medseg.backend.Backends;
import io.medseg.backend.SegmentationModel;

/**
 * Run by {@link OnnxOnlyClasspathTest} in a JVM whose classpath has no TensorFlow: prints the backends found, the
 * one {@code Backends.load()} gives, and the first probability of the model in {@code args[0]} on a zero input.
 */
public final class OnnxOnlyMain {
    private OnnxOnlyMain() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("available " + Backends.available());
        Backend backend = Backends.load();
        System.out.println("backend " + backend.name());
        try (SegmentationModel m = backend.load(java.nio.file.Path.of(args[0]))) {
            float[] p = m.forward(new float[m.spec().inputHeight() * m.spec().inputWidth()
                    * m.spec().inputChannels()], 1);
            System.out.println("probability " + p[0]);
        }
    }
}

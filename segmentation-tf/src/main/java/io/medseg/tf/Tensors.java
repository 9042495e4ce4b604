package io.medseg.tf;

import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/** Copies between Java arrays and tensors. Callers own (and close) every tensor returned. */
final class Tensors {
    private Tensors() {
    }

    static TFloat32 floats(float[] data, long... shape) {
        return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(data, true, false));
    }

    /**
     * The input batch {@code batchSize x H x W x C} of {@code spec} as a tensor.
     *
     * @throws IllegalArgumentException when {@code input} does not hold exactly that many values
     */
    static TFloat32 inputBatch(io.medseg.model.UNetSpec spec, float[] input, int batchSize) {
        spec.checkInputBatch(input.length, batchSize);
        return floats(input, batchSize, spec.inputHeight(), spec.inputWidth(), spec.inputChannels());
    }

    static TUint8 bytes(byte[] data, long... shape) {
        return TUint8.tensorOf(Shape.of(shape), DataBuffers.of(data, true, false));
    }

    static TFloat32 scalar(float value) {
        return TFloat32.scalarOf(value);
    }

    static float[] toFloats(Tensor t) {
        long n = t.shape().size();
        float[] out = new float[Math.toIntExact(n)];
        ((TFloat32) t).copyTo(DataBuffers.of(out, false, false));
        return out;
    }
}

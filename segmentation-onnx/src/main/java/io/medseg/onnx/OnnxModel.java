package io.medseg.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.medseg.backend.ModelState;
import io.medseg.backend.SegmentationModel;
import io.medseg.backend.TrainingSession;
import io.medseg.data.DataFormatException;
import io.medseg.io.AtomicFile;
import io.medseg.io.Json;
import io.medseg.io.WriteFailures;
import io.medseg.loss.LossSpec;
import io.medseg.model.UNetSpec;
import io.medseg.optim.OptimizerSpec;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@code model.onnx} in an ONNX Runtime session. {@link #forward} runs from many threads at once (ONNX Runtime's
 * {@code run} is thread-safe); {@link #close} waits for the calls in flight.
 */
final class OnnxModel implements SegmentationModel {
    private final OrtEnvironment env;
    private final OnnxModelFile file;
    private final OrtSession session;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final long[] perImage;
    private boolean closed;

    private OnnxModel(OrtEnvironment env, OnnxModelFile file, OrtSession session) {
        this.env = env;
        this.file = file;
        this.session = session;
        UNetSpec s = file.spec();
        this.perImage = new long[] {s.inputHeight(), s.inputWidth(), s.inputChannels()};
    }

    static OnnxModel open(OrtEnvironment env, OnnxModelFile file, OnnxOptimization optimization, int threads)
            throws IOException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(optimization.level());
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            if (threads > 0) {
                options.setIntraOpNumThreads(threads);
            }
            return new OnnxModel(env, file, env.createSession(file.bytes(), options));
        } catch (OrtException e) {
            throw new DataFormatException(file.file(), "ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
    }

    static UnsupportedOperationException inferenceOnly(String what) {
        return new UnsupportedOperationException("the " + OnnxRuntimeBackend.NAME + " backend cannot " + what
                + ": it runs exported models for inference only; training is the tensorflow backend's "
                + "(io.medseg:segmentation-tf), and segment export --onnx makes the ONNX file of a trained model");
    }

    @Override
    public UNetSpec spec() {
        return file.spec();
    }

    @Override
    public String backendName() {
        return OnnxRuntimeBackend.NAME;
    }

    @Override
    public float[] forward(float[] input, int batchSize) {
        UNetSpec spec = spec();
        spec.checkInputBatch(input.length, batchSize);
        lock.readLock().lock();
        try {
            checkOpen();
            long[] shape = {batchSize, perImage[0], perImage[1], perImage[2]};
            try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
                    OrtSession.Result r = session.run(Map.of(UNetOnnxGraph.INPUT, x))) {
                OnnxValue out = r.get(0);
                FloatBuffer probabilities = ((OnnxTensor) out).getFloatBuffer();
                float[] values = new float[probabilities.remaining()];
                probabilities.get(values);
                return values;
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime failed running " + file.file() + " on a batch of "
                        + batchSize + ": " + e.getMessage(), e);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public TrainingSession trainingSession(LossSpec loss, OptimizerSpec optimizer) {
        throw inferenceOnly("train");
    }

    @Override
    public ModelState snapshot() {
        throw inferenceOnly("snapshot training weights");
    }

    @Override
    public void restore(ModelState state) {
        throw inferenceOnly("restore training weights");
    }

    /**
     * {@inheritDoc} Here: {@code model.onnx}, the same bytes as were loaded, and a {@code model.json} naming this
     * backend and the spec.
     */
    @Override
    public void save(Path dir) throws IOException {
        lock.readLock().lock();
        try {
            checkOpen();
            Files.createDirectories(dir);
            AtomicFile.write(dir.resolve(OnnxExport.FILE_NAME), out -> out.write(file.bytes()));
            AtomicFile.writeString(dir.resolve("model.json"), Json.write(new ModelJson("medseg-model",
                    OnnxRuntimeBackend.NAME, OnnxExport.FILE_NAME, spec())));
        } catch (IOException e) {
            throw WriteFailures.naming(dir, e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** {@code model.json} of a model saved by this backend. */
    record ModelJson(String format, String backend, String file, UNetSpec spec) {
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("model is closed");
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed closing the session of " + file.file() + ": "
                    + e.getMessage(), e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "OnnxModel[" + file.file() + "]";
    }
}

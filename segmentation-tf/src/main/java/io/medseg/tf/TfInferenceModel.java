package io.medseg.tf;

import io.medseg.backend.ModelState;
import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.backend.TrainingSession;
import io.medseg.data.DataFormatException;
import io.medseg.loss.LossSpec;
import io.medseg.model.UNetSpec;
import io.medseg.optim.OptimizerSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TFloat32;

/**
 * A saved model loaded as it is: the SavedModel's own graph and session, run through its serving signature. Nothing
 * is rebuilt or initialised on load. It infers ({@link #forward}, from many threads) and saves; it does not train:
 * training continues from a run's checkpoint, which keeps what the optimiser needs.
 */
final class TfInferenceModel implements SegmentationModel {
    private final Path source;
    private final ModelFiles.Description description;
    private final SavedModelBundle bundle;
    private final Session session;
    private final Output<?> input;
    private final Output<?> output;
    private final Precision precision;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final FirstRuns firstRuns;
    private final GraphExtension<InputGradientGraph> inputGradient;
    private final GraphExtension<DropoutSampling> dropout;
    private boolean closed;

    private TfInferenceModel(Path source, ModelFiles.Description description, SavedModelBundle bundle,
            Output<?> input, Output<?> output, Precision precision) {
        this.source = source;
        this.description = description;
        this.bundle = bundle;
        this.session = bundle.session();
        this.input = input;
        this.output = output;
        this.precision = precision;
        this.firstRuns = new FirstRuns(precision);
        this.inputGradient = new GraphExtension<>(lock, this::checkOpen, () -> InputGradientGraph.build(
                bundle.graph(), description.spec(), input, InputGradientGraph.logitsOf(output)));
        this.dropout = new GraphExtension<>(lock, this::checkOpen, () -> DropoutSampling.of(description.spec(),
                Folding.values(inferenceWeights()), precision));
    }

    static TfInferenceModel open(Path dir, ModelFiles.Description d, SavedModelBundle bundle, Precision precision)
            throws IOException {
        SignatureDef sig = bundle.metaGraphDef().getSignatureDefMap().get(Signature.DEFAULT_KEY);
        if (sig == null) {
            throw new DataFormatException(dir, "saved model has no " + Signature.DEFAULT_KEY + " signature");
        }
        TensorInfo in = sig.getInputsMap().get(ModelFiles.INPUT_NAME);
        TensorInfo out = sig.getOutputsMap().get(ModelFiles.OUTPUT_NAME);
        if (in == null || out == null) {
            throw new DataFormatException(dir, "saved model's " + Signature.DEFAULT_KEY + " signature does not map "
                    + ModelFiles.INPUT_NAME + " to " + ModelFiles.OUTPUT_NAME + " (it has inputs "
                    + sig.getInputsMap().keySet() + ", outputs " + sig.getOutputsMap().keySet() + ")");
        }
        Output<?> i = bundle.graph().output(in.getName());
        Output<?> o = bundle.graph().output(out.getName());
        if (i == null || o == null) {
            throw new DataFormatException(dir, "saved model's graph lacks the signature's tensors " + in.getName()
                    + " and " + out.getName());
        }
        UNetSpec spec = d.spec();
        long[] inShape = i.shape().asArray();
        long[] outShape = o.shape().asArray();
        if (!matches(inShape, spec.inputHeight(), spec.inputWidth(), spec.inputChannels())
                || !matches(outShape, spec.inputHeight(), spec.inputWidth(), spec.numClasses())) {
            throw new DataFormatException(dir, "saved model's tensors " + java.util.Arrays.toString(inShape) + " -> "
                    + java.util.Arrays.toString(outShape) + " do not match the spec in " + ModelFiles.MODEL_JSON
                    + " (" + spec.inputHeight() + "x" + spec.inputWidth() + "x" + spec.inputChannels() + " -> "
                    + spec.numClasses() + " classes)");
        }
        return new TfInferenceModel(dir, d, bundle, i, o, precision);
    }

    /** A rank-4 shape whose last three dimensions are these (an unknown dimension, -1, accepted). */
    private static boolean matches(long[] shape, long h, long w, long c) {
        return shape.length == 4 && fits(shape[1], h) && fits(shape[2], w) && fits(shape[3], c);
    }

    private static boolean fits(long dim, long expected) {
        return dim == -1 || dim == expected;
    }

    @Override
    public UNetSpec spec() {
        return description.spec();
    }

    @Override
    public String backendName() {
        return TensorFlowBackend.NAME;
    }

    @Override
    public Precision precision() {
        return precision;
    }

    /** Whether the loaded graph has batch norm folded into its convolutions (format version 2 and later). */
    boolean folded() {
        return description.folded();
    }

    @Override
    public float[] forward(float[] data, int batchSize) {
        lock.readLock().lock();
        try {
            checkOpen();
            try (TFloat32 x = Tensors.inputBatch(spec(), data, batchSize)) {
                return firstRuns.run("forward", () -> {
                    try (Result r = session.runner().feed(input, x).fetch(output).run()) {
                        return Tensors.toFloats(r.get(0));
                    }
                });
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * {@inheritDoc} The gradient graph is added to this model's graph on first use (under the write lock, so no
     * call runs while the graph grows) and runs under the read lock, like {@link #forward}.
     */
    @Override
    public float[] inputGradient(float[] data, byte[] labels, int batchSize) {
        return inputGradient.run(g -> g.run(session, firstRuns, data, labels, batchSize));
    }

    @Override
    public TrainingSession trainingSession(LossSpec loss, OptimizerSpec optimizer) {
        throw inferenceOnly("train");
    }

    @Override
    public ModelState snapshot() {
        throw inferenceOnly("snapshot the training weights of");
    }

    @Override
    public void restore(ModelState state) {
        throw inferenceOnly("restore training weights into");
    }

    private UnsupportedOperationException inferenceOnly(String what) {
        return new UnsupportedOperationException("cannot " + what + " the model loaded from " + source
                + ": a saved model holds the inference graph only (batch norm folded into the convolutions); "
                + "training goes on from a run's checkpoint (segment train --resume) or starts from a new model");
    }

    /** {@inheritDoc} Read from the loaded graph; a version-1 model's batch norm is folded on the way. */
    @Override
    public ModelState inferenceWeights() {
        lock.readLock().lock();
        try {
            checkOpen();
            ModelFiles.FoldedLayout layout = ModelFiles.foldedLayout(spec());
            List<String> names = List.copyOf(layout.sizes().keySet());
            if (description.folded()) {
                return new ModelState(fetch(names));
            }
            return new ModelState(Folding.fold(layout.sizes(), layout.batchNormLayers(),
                    fetch(Folding.sources(names, layout.batchNormLayers()))));
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void save(Path dir) throws IOException {
        lock.readLock().lock();
        try {
            checkOpen();
            ModelFiles.save(spec(), Folding.values(inferenceWeights()), dir);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public boolean supportsDropoutSampling() {
        return spec().dropout() > 0;
    }

    /**
     * {@inheritDoc} The saved graph has no dropout, so on first use the folded network is rebuilt beside it, with
     * the loaded weights and the spec's dropout (in a graph and session of its own, closed with the model); it runs
     * under the read lock, like {@link #forward}.
     */
    @Override
    public float[] forwardWithDropout(float[] data, int batchSize, long seed) {
        if (!supportsDropoutSampling()) {
            return SegmentationModel.super.forwardWithDropout(data, batchSize, seed);
        }
        return dropout.run(d -> d.forward(data, batchSize, seed));
    }

    /** The values of the loaded graph's variables {@code names}. */
    private Map<String, float[]> fetch(List<String> names) {
        Session.Runner runner = session.runner();
        for (String n : names) {
            if (bundle.graph().operation(n) == null) {
                throw new IllegalStateException("the model loaded from " + source + " has no variable " + n
                        + ": it does not match the spec in " + ModelFiles.MODEL_JSON);
            }
            runner.fetch(n);
        }
        return firstRuns.run("fetch " + names, () -> {
            Map<String, float[]> values = new LinkedHashMap<>();
            try (Result r = runner.run()) {
                for (int i = 0; i < names.size(); i++) {
                    values.put(names.get(i), Tensors.toFloats(r.get(i)));
                }
            }
            return values;
        });
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
            DropoutSampling d = dropout.builtOrNull();
            if (d != null) {
                d.close();
            }
            bundle.close();
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "TfInferenceModel[" + source + ", " + precision.label() + (folded() ? ", folded" : "") + "]";
    }
}

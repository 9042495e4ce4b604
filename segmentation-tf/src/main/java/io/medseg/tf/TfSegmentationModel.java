package io.medseg.tf;

import io.medseg.backend.ModelState;
import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.backend.TrainingSession;
import io.medseg.loss.LossSpec;
import io.medseg.model.UNetSpec;
import io.medseg.optim.OptimizerSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A U-Net in a TensorFlow graph with its session, built to be trained: weights, batch-norm statistics and, once a
 * training session is open, the optimiser's slots. Inference ({@link #forward}) may run from many threads; a
 * training step or a restore excludes them for its duration. {@link #save} writes the inference graph alone, batch
 * norm folded ({@link ModelFiles}); a saved model loads as a {@link TfInferenceModel}.
 */
final class TfSegmentationModel implements SegmentationModel {
    private final UNetSpec spec;
    private final Precision precision;
    private final Graph graph;
    private final Ops tf;
    private final Session session;
    private final UNetGraph net;
    private final Variables slots = new Variables();
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final FirstRuns firstRuns;
    private TfTrainingSession openTraining;
    private int trainingGraphs;
    private final GraphExtension<InputGradientGraph> inputGradient;
    private final GraphExtension<UNetGraph> dropoutPath;
    private boolean closed;

    TfSegmentationModel(UNetSpec spec, long seed, Precision precision) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.precision = Objects.requireNonNull(precision, "precision");
        this.firstRuns = new FirstRuns(precision);
        this.graph = new Graph();
        try {
            this.tf = Ops.create(graph);
            this.net = new UNetGraph(tf, spec, seed);
            this.session = new Session(graph, SessionConfigs.config(precision));
        } catch (RuntimeException | Error e) {
            graph.close();
            throw e;
        }
        assign(net.variables(), net.variables().initialValues(seed));
        this.inputGradient = new GraphExtension<>(lock, this::checkOpen, () -> InputGradientGraph.build(graph, spec,
                net.input().asOutput(), net.inferenceLogits()));
        this.dropoutPath = new GraphExtension<>(lock, this::checkOpen, () -> {
            net.dropoutProbabilities();
            return net;
        });
    }

    @Override
    public UNetSpec spec() {
        return spec;
    }

    @Override
    public String backendName() {
        return TensorFlowBackend.NAME;
    }

    @Override
    public Precision precision() {
        return precision;
    }

    Session session() {
        return session;
    }

    Placeholder<TFloat32> input() {
        return net.input();
    }

    UNetGraph network() {
        return net;
    }

    /** Session calls of this model, quiet the first time of each kind (see {@link FirstRuns}). */
    FirstRuns firstRuns() {
        return firstRuns;
    }

    Variables slotVariables() {
        return slots;
    }

    @Override
    public float[] forward(float[] input, int batchSize) {
        lock.readLock().lock();
        try {
            checkOpen();
            try (TFloat32 x = Tensors.inputBatch(spec(), input, batchSize)) {
                return firstRuns.run("forward", () -> {
                    try (Result r = session.runner().feed(net.input(), x).fetch(net.probabilities()).run()) {
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
    public boolean supportsDropoutSampling() {
        return spec.dropout() > 0;
    }

    /**
     * {@inheritDoc} The network runs with moving batch-norm statistics and the spec's dropout, sampled statelessly
     * from {@code seed}. The dropout path is added to this model's graph on first use (under the write lock), then
     * runs under the read lock, like {@link #forward}.
     */
    @Override
    public float[] forwardWithDropout(float[] input, int batchSize, long seed) {
        if (!supportsDropoutSampling()) {
            return SegmentationModel.super.forwardWithDropout(input, batchSize, seed);
        }
        return dropoutPath.run(n -> DropoutSampling.run(session, firstRuns, n, spec, input, batchSize, seed));
    }

    @Override
    public synchronized TrainingSession trainingSession(LossSpec loss, OptimizerSpec optimizer) {
        checkOpen();
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(optimizer, "optimizer");
        if (openTraining != null) {
            throw new IllegalStateException("this model already has an open training session: close it first");
        }
        openTraining = new TfTrainingSession(this, tf, net, loss, optimizer, trainingGraphs++);
        return openTraining;
    }

    synchronized void trainingSessionClosed(TfTrainingSession s) {
        if (openTraining == s) {
            openTraining = null;
        }
    }

    /** Zeroes optimiser slots created for a new training session. */
    void initialiseSlots(List<Variables.Entry> entries) {
        Map<String, float[]> zeros = new LinkedHashMap<>();
        for (Variables.Entry e : entries) {
            zeros.put(e.name(), new float[e.size()]);
        }
        assign(slots, zeros);
    }

    /** Runs a training step's session call under the write lock. */
    <T> T exclusive(java.util.function.Supplier<T> work) {
        lock.writeLock().lock();
        try {
            checkOpen();
            return work.get();
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public ModelState snapshot() {
        return new ModelState(read(net.variables().all()));
    }

    /** Current values of the given variables by entry name, read in one session call. */
    Map<String, float[]> read(List<Variables.Entry> entries) {
        lock.readLock().lock();
        try {
            checkOpen();
            Map<String, float[]> values = new LinkedHashMap<>();
            if (entries.isEmpty()) {
                return values;
            }
            Session.Runner runner = session.runner();
            for (Variables.Entry e : entries) {
                runner.fetch(e.variable());
            }
            return firstRuns.run("read " + entries.stream().map(Variables.Entry::name).toList(), () -> {
                try (Result r = runner.run()) {
                    for (int i = 0; i < entries.size(); i++) {
                        values.put(entries.get(i).name(), Tensors.toFloats(r.get(i)));
                    }
                }
                return values;
            });
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void restore(ModelState state) {
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Variables.Entry e : net.variables().all()) {
            float[] v;
            try {
                v = state.get(e.name());
            } catch (IllegalArgumentException missing) {
                throw new IllegalArgumentException("state does not fit this model: variable " + e.name()
                        + " is missing", missing);
            }
            if (v.length != e.size()) {
                throw new IllegalArgumentException("state does not fit this model: variable " + e.name() + " has "
                        + v.length + " values, expected " + e.size());
            }
            values.put(e.name(), v);
        }
        assign(net.variables(), values);
    }

    void assign(Variables vars, Map<String, float[]> values) {
        if (values.isEmpty()) {
            return;
        }
        lock.writeLock().lock();
        try {
            checkOpen();
            Session.Runner runner = session.runner();
            List<Tensor> fed = new java.util.ArrayList<>();
            try {
                for (Map.Entry<String, float[]> v : values.entrySet()) {
                    Variables.Entry e = vars.get(v.getKey());
                    TFloat32 t = Tensors.floats(v.getValue(), e.shape());
                    fed.add(t);
                    runner.feed(e.feed(), t).addTarget(e.assign());
                }
                firstRuns.run("assign " + values.keySet(), () -> {
                    runner.run().close();
                    return null;
                });
            } finally {
                fed.forEach(Tensor::close);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public ModelState inferenceWeights() {
        ModelFiles.FoldedLayout layout = ModelFiles.foldedLayout(spec);
        return new ModelState(Folding.fold(layout.sizes(), layout.batchNormLayers(), read(net.variables().all())));
    }

    @Override
    public void save(Path dir) throws IOException {
        lock.readLock().lock();
        try {
            checkOpen();
            ModelFiles.save(spec, Folding.values(inferenceWeights()), dir);
        } finally {
            lock.readLock().unlock();
        }
    }

    static Map<String, Integer> sizes(List<Variables.Entry> entries) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Variables.Entry e : entries) {
            out.put(e.name(), e.size());
        }
        return out;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("model is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        session.close();
        graph.close();
    }
}

package io.medseg.tf;

import io.medseg.backend.Precision;
import io.medseg.model.UNetSpec;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Monte-Carlo dropout on the TensorFlow backend: the inference network with the spec's dropout active
 * ({@link UNetGraph#dropoutProbabilities()}), one sample per call, drawn statelessly from a seed.
 *
 * <p>A trainable model runs it in its own graph ({@link #run}). A loaded model's graph is the saved inference
 * network, which has no dropout, so it gets a companion: the folded network rebuilt in a graph of its own, with the
 * loaded weights and the dropout path ({@link #of}), closed with the model.
 */
final class DropoutSampling implements AutoCloseable {
    private final UNetSpec spec;
    private final Graph graph;
    private final Session session;
    private final UNetGraph net;
    private final FirstRuns firstRuns;

    private DropoutSampling(UNetSpec spec, Graph graph, Session session, UNetGraph net, FirstRuns firstRuns) {
        this.spec = spec;
        this.graph = graph;
        this.session = session;
        this.net = net;
        this.firstRuns = firstRuns;
    }

    /** The folded network of {@code spec} with its dropout path, its variables set to {@code foldedValues}. */
    static DropoutSampling of(UNetSpec spec, Map<String, float[]> foldedValues, Precision precision) {
        Graph graph = new Graph();
        try {
            UNetGraph net = new UNetGraph(Ops.create(graph), spec, 0, true);
            net.dropoutProbabilities();
            Session session = new Session(graph, SessionConfigs.config(precision));
            try {
                ModelFiles.assign(session, net, foldedValues);
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
            return new DropoutSampling(spec, graph, session, net, new FirstRuns(precision));
        } catch (RuntimeException | Error e) {
            graph.close();
            throw e;
        }
    }

    float[] forward(float[] input, int batchSize, long seed) {
        return run(session, firstRuns, net, spec, input, batchSize, seed);
    }

    /** One dropout sample of {@code net}'s dropout path (already built) in {@code session}. */
    static float[] run(Session session, FirstRuns firstRuns, UNetGraph net, UNetSpec spec, float[] input,
            int batchSize, long seed) {
        try (TFloat32 x = Tensors.inputBatch(spec, input, batchSize);
                TInt64 s = TInt64.vectorOf(seed, seed ^ 0x9E3779B97F4A7C15L)) {
            return firstRuns.run("forward with dropout", () -> {
                try (Result r = session.runner().feed(net.input(), x).feed(net.dropoutSeed(), s)
                        .fetch(net.dropoutProbabilities()).run()) {
                    return Tensors.toFloats(r.get(0));
                }
            });
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } finally {
            graph.close();
        }
    }
}

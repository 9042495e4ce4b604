package io.medseg.testdata;

import io.medseg.backend.ModelState;
import io.medseg.backend.SegmentationModel;
import io.medseg.backend.TrainingSession;
import io.medseg.loss.LossSpec;
import io.medseg.model.UNetSpec;
import io.medseg.optim.OptimizerSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pure-Java stand-in for a backend model. The "network" predicts class 1 with probability 1 where channel 0 of
 * the (normalised) input is above 0.5, else class 0; in a version listed in {@link #blindVersions} it predicts
 * background everywhere. Every training step bumps {@link #version}, which is what snapshot and restore carry, so
 * a test can tell which state was restored. Everything the trainer and segmenter hand over is recorded.
 */
public final class FakeSegmentationModel implements SegmentationModel {
    private final UNetSpec spec;
    /** Batch size of every {@link #forward} call. */
    public final List<Integer> forwardBatchSizes = Collections.synchronizedList(new ArrayList<>());
    /** Versions restored, in order. */
    public final List<Integer> restoredVersions = new ArrayList<>();
    /** Versions in which the network sees nothing (predicts background only). */
    public final Set<Integer> blindVersions = new HashSet<>();
    /** 1-based step at which the session returns NaN; 0 for never. */
    public int nanAtStep;
    public int version;
    public int snapshots;
    public FakeSession session;
    public LossSpec lastLoss;
    public OptimizerSpec lastOptimizer;

    public FakeSegmentationModel(UNetSpec spec) {
        this.spec = spec;
    }

    @Override
    public UNetSpec spec() {
        return spec;
    }

    @Override
    public String backendName() {
        return "fake";
    }

    @Override
    public float[] forward(float[] input, int batchSize) {
        forwardBatchSizes.add(batchSize);
        int hw = spec.inputHeight() * spec.inputWidth();
        int c = spec.inputChannels();
        int k = spec.numClasses();
        if (input.length != batchSize * hw * c) {
            throw new AssertionError("input of " + input.length + " floats for batch " + batchSize);
        }
        boolean blind = blindVersions.contains(version);
        float[] out = new float[batchSize * hw * k];
        for (int p = 0; p < batchSize * hw; p++) {
            int cls = !blind && input[p * c] > 0.5f ? 1 : 0;
            out[p * k + cls] = 1f;
        }
        return out;
    }

    @Override
    public TrainingSession trainingSession(LossSpec loss, OptimizerSpec optimizer) {
        lastLoss = loss;
        lastOptimizer = optimizer;
        session = new FakeSession();
        return session;
    }

    @Override
    public ModelState snapshot() {
        snapshots++;
        return new ModelState(Map.of("version", new float[] {version}));
    }

    @Override
    public void restore(ModelState state) {
        version = (int) state.get("version")[0];
        restoredVersions.add(version);
    }

    @Override
    public void save(Path dir) {
        throw new UnsupportedOperationException("fake model");
    }

    @Override
    public void close() {
    }

    /** Records copies of everything it is given; the loss is 1 / step, so it decreases. */
    public final class FakeSession implements TrainingSession {
        public final List<float[]> images = new ArrayList<>();
        public final List<byte[]> labels = new ArrayList<>();
        public final List<Integer> batchSizes = new ArrayList<>();
        public final List<Float> learningRates = new ArrayList<>();
        public boolean closed;
        private long steps;

        @Override
        public float step(float[] batchImages, byte[] batchLabels, int batchSize, float learningRate) {
            if (closed) {
                throw new IllegalStateException("session closed");
            }
            images.add(batchImages.clone());
            labels.add(batchLabels.clone());
            batchSizes.add(batchSize);
            learningRates.add(learningRate);
            steps++;
            version++;
            if (nanAtStep == steps) {
                return Float.NaN;
            }
            return 1f / steps;
        }

        @Override
        public long steps() {
            return steps;
        }

        @Override
        public ModelState optimizerState() {
            return new ModelState(Map.of("steps", new float[] {steps}));
        }

        @Override
        public void restoreOptimizerState(ModelState state, long restoredSteps) {
            if (state.get("steps")[0] != restoredSteps) {
                throw new IllegalArgumentException("optimizer state is for step " + state.get("steps")[0]);
            }
            this.steps = restoredSteps;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}

package io.medseg.serving;

import io.medseg.backend.Backend;
import io.medseg.backend.ModelState;
import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.backend.TrainingSession;
import io.medseg.loss.LossSpec;
import io.medseg.model.UNetSpec;
import io.medseg.optim.OptimizerSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real backend, with a gate in front of every network call of the models it loads: while the gate is shut a
 * batch waits at it, so a test can hold requests in flight for as long as it needs, then let them through.
 */
final class GatedBackend implements Backend {
    private final Backend real;
    private final AtomicInteger waiting = new AtomicInteger();
    /** Null while open; else the latch the calls wait on. */
    private volatile CountDownLatch gate;
    private volatile CountDownLatch arrived = new CountDownLatch(1);

    GatedBackend(Backend real) {
        this.real = real;
    }

    /** From now on every network call waits until {@link #open()}. */
    synchronized void shut() {
        if (gate == null) {
            arrived = new CountDownLatch(1);
            gate = new CountDownLatch(1);
        }
    }

    /** Lets the waiting calls, and every later one, through. */
    synchronized void open() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    /** Waits until a network call is held at the shut gate. */
    boolean awaitHeld(long timeoutMillis) throws InterruptedException {
        return arrived.await(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** Network calls held at the gate now. */
    int held() {
        return waiting.get();
    }

    @Override
    public String name() {
        return real.name();
    }

    @Override
    public String description() {
        return real.description();
    }

    @Override
    public SegmentationModel create(UNetSpec spec, long seed) {
        return new Gated(real.create(spec, seed));
    }

    @Override
    public SegmentationModel load(Path dir) throws IOException {
        return new Gated(real.load(dir));
    }

    @Override
    public SegmentationModel load(Path dir, Precision precision) throws IOException {
        return new Gated(real.load(dir, precision));
    }

    private final class Gated implements SegmentationModel {
        private final SegmentationModel model;

        Gated(SegmentationModel model) {
            this.model = model;
        }

        @Override
        public UNetSpec spec() {
            return model.spec();
        }

        @Override
        public String backendName() {
            return model.backendName();
        }

        @Override
        public Precision precision() {
            return model.precision();
        }

        @Override
        public float[] forward(float[] input, int batchSize) {
            CountDownLatch g = gate;
            if (g != null) {
                waiting.incrementAndGet();
                arrived.countDown();
                try {
                    g.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted at the gate", e);
                } finally {
                    waiting.decrementAndGet();
                }
            }
            return model.forward(input, batchSize);
        }

        @Override
        public TrainingSession trainingSession(LossSpec loss, OptimizerSpec optimizer) {
            return model.trainingSession(loss, optimizer);
        }

        @Override
        public ModelState snapshot() {
            return model.snapshot();
        }

        @Override
        public void restore(ModelState state) {
            model.restore(state);
        }

        @Override
        public void save(Path dir) throws IOException {
            model.save(dir);
        }

        @Override
        public void close() {
            model.close();
        }
    }
}

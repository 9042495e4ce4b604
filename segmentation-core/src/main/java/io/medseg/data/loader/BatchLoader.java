package io.medseg.data.loader;

import io.medseg.data.Sample;
import io.medseg.model.InputFitter;
import io.medseg.transform.Augmentation;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares training batches (augmentation, then fitting to the network input) on a pool of worker threads, up to
 * {@link Builder#prefetch(int) prefetch} batches ahead of the consumer, so the training step rarely waits for data.
 *
 * <p><b>Determinism.</b> Sample {@code index} of epoch {@code e} is augmented with
 * {@code new SplittableRandom(mix(seed, e, index))}, whichever thread prepares it and whenever; batches are
 * delivered in the epoch's order. So the batches depend only on the seed, the epoch, the order and the samples,
 * never on the number of workers or on timing.
 *
 * <p><b>Failures.</b> An exception thrown while preparing a batch is rethrown on the consumer thread by
 * {@link Iterator#next()} as the original exception (a {@code DataFormatException} stays one), with a suppressed
 * note naming the sample, batch and epoch; the rest of that epoch is cancelled.
 *
 * <pre>{@code
 * try (BatchLoader loader = BatchLoader.builder().samples(train).fitter(new InputFitter(spec))
 *         .augmentation(Augmentations.cardiac()).batchSize(8).seed(1).build()) {
 *     try (BatchLoader.Epoch batches = loader.epoch(0, order)) {
 *         while (batches.hasNext()) {
 *             Batch b = batches.next();
 *             session.step(b.images(), b.labels(), b.size(), lr);
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>The augmentation and the fitter are called from several threads at once and must be thread-safe (the
 * library's are: they hold no mutable state). One loader serves one consumer thread.
 */
public final class BatchLoader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchLoader.class);
    private static final AtomicInteger LOADERS = new AtomicInteger();

    private final List<Sample> samples;
    private final InputFitter fitter;
    private final Augmentation augmentation;
    private final int batchSize;
    private final long seed;
    private final int workers;
    private final int prefetch;
    private final ExecutorService pool;
    private volatile boolean closed;

    private BatchLoader(Builder b) {
        this.samples = List.copyOf(b.samples);
        this.fitter = b.fitter;
        this.augmentation = b.augmentation;
        this.batchSize = b.batchSize;
        this.seed = b.seed;
        this.workers = b.workers;
        this.prefetch = b.prefetch;
        int id = LOADERS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "medseg-loader-" + id + "-" + n.incrementAndGet());
            // a consumer that forgets close() must not keep the JVM alive
            t.setDaemon(true);
            return t;
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The seed of the augmentation of sample {@code index} in epoch {@code epoch} (a SplitMix64 finaliser over the
     * run seed, the epoch and the index); index {@code -1} is what the trainer shuffles an epoch with.
     */
    public static long mix(long seed, long epoch, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + index * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public int batchSize() {
        return batchSize;
    }

    public long seed() {
        return seed;
    }

    public int workers() {
        return workers;
    }

    public int prefetch() {
        return prefetch;
    }

    public List<Sample> samples() {
        return samples;
    }

    /** Batches in an epoch of {@code n} samples: the last one holds the remainder. */
    public int batchCount(int n) {
        return (n + batchSize - 1) / batchSize;
    }

    /**
     * Starts preparing the batches of one epoch: consecutive runs of {@code batchSize} indices of {@code order}
     * (indices into {@link #samples()}; repeats and subsets allowed), the last batch holding the remainder.
     * Preparation starts at once. Close the returned epoch if it is abandoned before its end.
     *
     * @throws IllegalArgumentException if {@code order} is empty or holds an index outside the samples
     * @throws IllegalStateException if the loader is closed
     */
    public Epoch epoch(int epoch, List<Integer> order) {
        checkOpen();
        List<Integer> o = List.copyOf(order);
        if (o.isEmpty()) {
            throw new IllegalArgumentException("epoch order must not be empty");
        }
        for (int i = 0; i < o.size(); i++) {
            int index = o.get(i);
            if (index < 0 || index >= samples.size()) {
                throw new IllegalArgumentException("order[" + i + "] is not a sample index in 0.."
                        + (samples.size() - 1) + ": " + index);
            }
        }
        return new Epoch(epoch, o);
    }

    /** Stops the workers, cancelling every batch in preparation, and waits briefly for them to finish. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("batch loader workers still running 10 s after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("batch loader is closed");
        }
    }

    private Batch prepare(int epoch, List<Integer> order, int batchIndex) {
        int from = batchIndex * batchSize;
        int n = Math.min(batchSize, order.size() - from);
        float[] images = null;
        byte[] labels = null;
        for (int i = 0; i < n; i++) {
            int index = order.get(from + i);
            Sample s = samples.get(index);
            try {
                Sample a = augmentation.apply(s, new SplittableRandom(mix(seed, epoch, index)));
                float[] in = fitter.input(a.image());
                byte[] lab = fitter.labels(a.mask());
                if (images == null) {
                    images = new float[n * in.length];
                    labels = new byte[n * lab.length];
                }
                System.arraycopy(in, 0, images, i * in.length, in.length);
                System.arraycopy(lab, 0, labels, i * lab.length, lab.length);
            } catch (RuntimeException e) {
                e.addSuppressed(new SampleContext("while preparing sample " + s.id() + " (index " + index
                        + ") for batch " + (batchIndex + 1) + " of epoch " + (epoch + 1)));
                throw e;
            }
        }
        return new Batch(images, labels, n);
    }

    /**
     * The batches of one epoch in order. Not thread-safe: one consumer. Closing it cancels the batches still in
     * preparation; the loader stays usable.
     */
    public final class Epoch implements Iterator<Batch>, AutoCloseable {
        private final int epoch;
        private final List<Integer> order;
        private final int total;
        private final ArrayDeque<Future<Batch>> ahead = new ArrayDeque<>();
        private int submitted;
        private int delivered;
        private boolean failed;

        private Epoch(int epoch, List<Integer> order) {
            this.epoch = epoch;
            this.order = order;
            this.total = batchCount(order.size());
            while (submitted < total && ahead.size() < prefetch) {
                submitNext();
            }
        }

        /** Batches in this epoch. */
        public int batches() {
            return total;
        }

        @Override
        public boolean hasNext() {
            return !failed && delivered < total;
        }

        /**
         * The next batch, waiting for it if it is not ready.
         *
         * @throws NoSuchElementException after the last batch
         * @throws IllegalStateException if the loader was closed, an earlier batch failed, or the thread was
         *     interrupted while waiting
         */
        @Override
        public Batch next() {
            if (failed) {
                throw new IllegalStateException("epoch " + (epoch + 1) + " was abandoned after a failure");
            }
            if (delivered >= total) {
                throw new NoSuchElementException("epoch " + (epoch + 1) + " has only " + total + " batches");
            }
            checkOpen();
            Future<Batch> head = ahead.poll();
            // keep `prefetch` batches in preparation while the consumer waits for, and then uses, this one
            if (submitted < total) {
                submitNext();
            }
            Batch b = await(head);
            delivered++;
            return b;
        }

        @Override
        public void close() {
            for (Future<Batch> f : ahead) {
                f.cancel(true);
            }
            ahead.clear();
        }

        private void submitNext() {
            final int index = submitted++;
            try {
                ahead.add(pool.submit(() -> prepare(epoch, order, index)));
            } catch (RejectedExecutionException e) {
                throw new IllegalStateException("batch loader is closed", e);
            }
        }

        private Batch await(Future<Batch> f) {
            try {
                return f.get();
            } catch (InterruptedException e) {
                fail();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for batch " + (delivered + 1)
                        + " of epoch " + (epoch + 1), e);
            } catch (CancellationException e) {
                fail();
                throw new IllegalStateException("batch loader is closed", e);
            } catch (ExecutionException e) {
                fail();
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) {
                    throw re;
                }
                if (c instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException("preparing batch " + (delivered + 1) + " of epoch " + (epoch + 1)
                        + " failed: " + c, c);
            }
        }

        private void fail() {
            failed = true;
            close();
        }
    }

    /** Where a worker failure happened; attached to the original exception as a suppressed one. */
    private static final class SampleContext extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SampleContext(String message) {
            super(message, null, false, false);
        }
    }

    /** Builder; {@link #build()} validates every setting at once. */
    public static final class Builder {
        private List<Sample> samples;
        private InputFitter fitter;
        private Augmentation augmentation = Augmentation.none();
        private int batchSize = 8;
        private long seed = 1;
        private int workers = Runtime.getRuntime().availableProcessors();
        private int prefetch = 4;

        private Builder() {
        }

        /** The samples that epoch orders index into (copied). */
        public Builder samples(List<Sample> samples) {
            this.samples = samples;
            return this;
        }

        /** Maps augmented samples to network input and labels. */
        public Builder fitter(InputFitter fitter) {
            this.fitter = fitter;
            return this;
        }

        /** Applied to every sample before fitting (default none); must be thread-safe. */
        public Builder augmentation(Augmentation augmentation) {
            this.augmentation = augmentation;
            return this;
        }

        /** Samples per batch (default 8). */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Seed of the augmentation (default 1). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Worker threads (default: available processors). */
        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        /**
         * Batches prepared ahead of the one the consumer waits for (default 4). At most this many batches are in
         * preparation at once, so workers beyond it stay idle.
         */
        public Builder prefetch(int prefetch) {
            this.prefetch = prefetch;
            return this;
        }

        public BatchLoader build() {
            List<String> p = new ArrayList<>();
            if (samples == null || samples.isEmpty()) {
                p.add("samples must not be null or empty");
            } else if (samples.stream().anyMatch(s -> s == null)) {
                // not contains(null): immutable lists throw on it
                p.add("samples must not contain null");
            }
            if (fitter == null) {
                p.add("fitter must not be null");
            }
            if (augmentation == null) {
                p.add("augmentation must not be null");
            }
            if (batchSize < 1 || batchSize > 4096) {
                p.add("batch size must be in 1..4096: " + batchSize);
            }
            if (workers < 1 || workers > 256) {
                p.add("workers must be in 1..256: " + workers);
            }
            if (prefetch < 1 || prefetch > 1024) {
                p.add("prefetch must be in 1..1024: " + prefetch);
            }
            if (!p.isEmpty()) {
                throw new IllegalArgumentException("invalid batch loader: " + String.join("; ", p));
            }
            return new BatchLoader(this);
        }
    }

    @Override
    public String toString() {
        return "BatchLoader[samples=" + samples.size() + ", batchSize=" + batchSize + ", seed=" + seed
                + ", workers=" + workers + ", prefetch=" + prefetch + (closed ? ", closed" : "") + "]";
    }
}

package io.medseg.examples.cli;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Decoding, inference and writing of {@code segment predict} on threads of their own, connected by bounded queues,
 * so that the network computes while the next images are decoded and the previous ones written. One thread decodes
 * the inputs in order, one runs the network on batches of consecutive decoded inputs, a few write the results. What
 * is held at any time is bounded (the queues, one batch, one item per writer), however many inputs there are.
 *
 * <p>A job that fails at any stage is recorded with its error and the others go on; with fail-fast the first
 * failure stops every stage: nothing new is started, what a stage is in the middle of (a network call, a file being
 * written) is finished, and {@link #run} returns once every thread has ended. An error that is no job's failure (a
 * {@link Error} such as running out of memory) stops the stages too and is thrown by {@link #run}. Results and
 * failures are reported in input order, whichever order the stages finished them in.
 *
 * @param <J> a job: one input and where its outputs go
 * @param <I> what decoding a job gives, the network's input
 * @param <O> what the network gives for one input
 */
final class PredictPipeline<J, I, O> {
    /** The prefix of the stage threads' names. */
    static final String THREAD_PREFIX = "predict-";

    /** Reads one job's input. */
    @FunctionalInterface
    interface Decoder<J, I> {
        I decode(J job) throws Exception;
    }

    /** The network: one output per input, in order. A failure is an unchecked exception. */
    @FunctionalInterface
    interface Network<I, O> {
        List<O> run(List<I> batch);
    }

    /** Writes one job's outputs. */
    @FunctionalInterface
    interface Writer<J, I, O> {
        void write(J job, I input, O output) throws Exception;
    }

    /** Told each time another job is finished, written or failed; called on one thread at a time. */
    @FunctionalInterface
    interface Progress {
        void finished(int jobs);
    }

    /** A job that failed, where it is in the input and why. */
    record Failure<J>(int index, J job, Exception error) {
    }

    /**
     * What became of the jobs: those written and those failed, each in input order; {@code stopped} is the failure
     * that stopped the run under fail-fast, null when it ran to the end.
     */
    record Result<J>(List<J> written, List<Failure<J>> failures, Failure<J> stopped) {
    }

    private record Item<J, I, O>(int index, J job, I input, O output) {
    }

    private final int batch;
    private final int writers;
    private final boolean failFast;
    private final Decoder<J, I> decoder;
    private final Network<I, O> network;
    private final Writer<J, I, O> writer;
    private final Progress progress;

    private final Queue<Item<J, I, O>> decoded;
    private final Queue<Item<J, I, O>> segmented;

    private final Object lock = new Object();
    private boolean started;
    private final List<Item<J, I, O>> written = new ArrayList<>();
    private final List<Failure<J>> failures = new ArrayList<>();
    private Failure<J> stopped;
    private Throwable fatal;
    private int finished;

    /**
     * @param batch inputs per network call (the last call may take fewer)
     * @param capacity the most decoded inputs, and the most network outputs, waiting for the next stage
     * @param writers writer threads
     */
    PredictPipeline(int batch, int capacity, int writers, boolean failFast, Decoder<J, I> decoder,
            Network<I, O> network, Writer<J, I, O> writer, Progress progress) {
        if (batch < 1 || capacity < 1 || writers < 1) {
            throw new IllegalArgumentException("batch, capacity and writers must be positive: " + batch + ", "
                    + capacity + ", " + writers);
        }
        this.batch = batch;
        this.writers = writers;
        this.failFast = failFast;
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.network = Objects.requireNonNull(network, "network");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.decoded = new Queue<>(capacity);
        this.segmented = new Queue<>(capacity);
    }

    /**
     * Runs every job through the stages and returns when all of them have ended. Once per pipeline.
     *
     * @throws InterruptedException if this thread is interrupted while waiting; the stages are stopped and ended
     *     first, as with fail-fast
     */
    Result<J> run(List<J> jobs) throws InterruptedException {
        synchronized (lock) {
            if (started) {
                throw new IllegalStateException("a pipeline runs once");
            }
            started = true;
        }
        List<Thread> threads = new ArrayList<>();
        threads.add(thread("decode", () -> decode(jobs)));
        threads.add(thread("segment", this::segment));
        for (int w = 1; w <= writers; w++) {
            threads.add(thread("write-" + w, this::write));
        }
        threads.forEach(Thread::start);
        try {
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            stop();
            joinUninterruptibly(threads);
            Thread.currentThread().interrupt();
            throw e;
        }
        synchronized (lock) {
            if (fatal instanceof Error e) {
                throw e;
            }
            if (fatal != null) {
                throw new IllegalStateException("a stage of the pipeline failed: " + fatal, fatal);
            }
            written.sort(Comparator.comparingInt(Item::index));
            failures.sort(Comparator.comparingInt(Failure::index));
            return new Result<>(written.stream().map(Item::job).toList(), List.copyOf(failures), stopped);
        }
    }

    /** Every stage stops taking work; what was waiting in the queues is dropped. */
    private void stop() {
        decoded.cancel();
        segmented.cancel();
    }

    private Thread thread(String name, Runnable stage) {
        Thread t = new Thread(() -> {
            try {
                stage.run();
            } catch (Throwable e) {
                // whatever ends a stage must reach run(), not die with its thread, and must stop the others
                synchronized (lock) {
                    if (fatal == null) {
                        fatal = e;
                    }
                }
                stop();
            }
        }, THREAD_PREFIX + name);
        // joined before run() returns; a daemon all the same, so that nothing can keep the JVM alive
        t.setDaemon(true);
        return t;
    }

    private void decode(List<J> jobs) {
        Queue<Item<J, I, O>> out = decoded;
        try {
            for (int i = 0; i < jobs.size() && !out.cancelled(); i++) {
                J job = jobs.get(i);
                I input;
                try {
                    input = decoder.decode(job);
                } catch (Exception e) {
                    failed(i, job, e);
                    continue;
                }
                if (!out.put(new Item<>(i, job, input, null))) {
                    return;
                }
            }
        } finally {
            out.finish();
        }
    }

    private void segment() {
        Queue<Item<J, I, O>> in = decoded;
        Queue<Item<J, I, O>> out = segmented;
        try {
            List<Item<J, I, O>> items = new ArrayList<>(batch);
            boolean more = true;
            while (more) {
                Item<J, I, O> item = in.take();
                if (item != null) {
                    items.add(item);
                }
                more = item != null;
                if (items.size() == batch || (!more && !items.isEmpty())) {
                    if (in.cancelled()) {
                        return;
                    }
                    for (Item<J, I, O> done : segment(items)) {
                        if (!out.put(done)) {
                            return;
                        }
                    }
                    items.clear();
                }
            }
        } finally {
            out.finish();
        }
    }

    /**
     * The items with their outputs. The items run as one batch; if that fails, each runs on its own, so that one bad
     * input does not cost the others.
     */
    private List<Item<J, I, O>> segment(List<Item<J, I, O>> items) {
        List<O> outputs = null;
        try {
            List<O> all = network.run(items.stream().map(Item::input).toList());
            if (all.size() != items.size()) {
                throw new IllegalStateException("the network gave " + all.size() + " outputs for "
                        + items.size() + " inputs");
            }
            outputs = all;
        } catch (RuntimeException batchFailure) {
            if (items.size() == 1) {
                failed(items.get(0).index(), items.get(0).job(), batchFailure);
                return List.of();
            }
        }
        List<Item<J, I, O>> done = new ArrayList<>(items.size());
        for (int i = 0; i < items.size() && !decoded.cancelled(); i++) {
            Item<J, I, O> item = items.get(i);
            O output;
            if (outputs != null) {
                output = outputs.get(i);
            } else {
                try {
                    output = network.run(List.of(item.input())).get(0);
                } catch (RuntimeException e) {
                    failed(item.index(), item.job(), e);
                    continue;
                }
            }
            done.add(new Item<>(item.index(), item.job(), item.input(), output));
        }
        return done;
    }

    private void write() {
        Queue<Item<J, I, O>> in = segmented;
        for (Item<J, I, O> item = in.take(); item != null; item = in.take()) {
            try {
                writer.write(item.job(), item.input(), item.output());
            } catch (Exception e) {
                failed(item.index(), item.job(), e);
                continue;
            }
            synchronized (lock) {
                written.add(item);
                finishedOne();
            }
        }
    }

    private void failed(int index, J job, Exception e) {
        boolean stopNow = false;
        synchronized (lock) {
            Failure<J> f = new Failure<>(index, job, e);
            failures.add(f);
            finishedOne();
            if (failFast && stopped == null) {
                stopped = f;
                stopNow = true;
            }
        }
        if (stopNow) {
            stop();
        }
    }

    /** Under {@link #lock}. */
    private void finishedOne() {
        finished++;
        progress.finished(finished);
    }

    private static void joinUninterruptibly(List<Thread> threads) {
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A bounded first-in first-out queue between two stages. {@link #finish} says no more will come: takers empty it,
     * then get null. {@link #cancel} stops it at once: every put and take, waiting or not, returns false or null.
     */
    static final class Queue<T> {
        private final int capacity;
        private final ArrayDeque<T> items;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private boolean finished;
        private boolean cancelled;

        Queue(int capacity) {
            this.capacity = capacity;
            this.items = new ArrayDeque<>(capacity);
        }

        /** Adds {@code item}, waiting while the queue is full; false, and nothing added, once it is cancelled. */
        boolean put(T item) {
            lock.lock();
            try {
                while (items.size() >= capacity && !cancelled) {
                    changed.awaitUninterruptibly();
                }
                if (cancelled) {
                    return false;
                }
                if (finished) {
                    throw new IllegalStateException("put after finish");
                }
                items.addLast(item);
                changed.signalAll();
                return true;
            } finally {
                lock.unlock();
            }
        }

        /** The next item, waiting while there is none; null once the queue is finished and empty, or cancelled. */
        T take() {
            lock.lock();
            try {
                while (items.isEmpty() && !finished && !cancelled) {
                    changed.awaitUninterruptibly();
                }
                if (cancelled || items.isEmpty()) {
                    return null;
                }
                T item = items.removeFirst();
                changed.signalAll();
                return item;
            } finally {
                lock.unlock();
            }
        }

        void finish() {
            lock.lock();
            try {
                finished = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void cancel() {
            lock.lock();
            try {
                cancelled = true;
                items.clear();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        boolean cancelled() {
            lock.lock();
            try {
                return cancelled;
            } finally {
                lock.unlock();
            }
        }
    }
}

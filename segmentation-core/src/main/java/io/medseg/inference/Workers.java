package io.medseg.inference;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The threads that share a {@link Segmenter}'s per-image work with the calling thread: one fewer than the
 * processors, daemon threads that end after a while idle, so that nobody has to shut them down. The calling thread
 * always works too, so a call completes even when every pool thread is busy elsewhere.
 */
final class Workers {
    private static final int HELPERS = Math.max(0, Runtime.getRuntime().availableProcessors() - 1);
    private static final ExecutorService POOL = HELPERS == 0 ? null : pool(HELPERS);

    private Workers() {
    }

    private static ExecutorService pool(int threads) {
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "medseg-segmenter-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), factory);
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Whether there is any thread to share work with. */
    static boolean parallel() {
        return POOL != null;
    }

    /** Starts {@code task} on a pool thread (or runs it here when there is none). */
    static Running start(Runnable task) {
        Running r = new Running(task);
        if (POOL == null) {
            r.run();
        } else {
            POOL.execute(r);
        }
        return r;
    }

    /**
     * Runs {@code task} for {@code 0..n-1}, spread over the calling thread and the pool when {@code parallel};
     * returns when all have run. If any threw, rethrows what the lowest such index threw, as a sequential loop
     * stopping at the first failure would have.
     */
    static void forEach(int n, boolean parallel, IntConsumer task) {
        if (n <= 1 || !parallel || POOL == null) {
            for (int i = 0; i < n; i++) {
                task.accept(i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(n);
        Throwable[] failures = new Throwable[n];
        Runnable worker = () -> {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                try {
                    task.accept(i);
                } catch (Throwable t) { // handed to the caller below
                    failures[i] = t;
                } finally {
                    done.countDown();
                }
            }
        };
        for (int h = Math.min(HELPERS, n - 1); h > 0; h--) {
            POOL.execute(worker);
        }
        worker.run();
        awaitUninterruptibly(done);
        for (Throwable t : failures) {
            if (t != null) {
                throw unchecked(t);
            }
        }
    }

    /**
     * A task started with {@link #start}. {@link #await} runs it on the waiting thread if no pool thread has taken
     * it yet, so waiting never depends on a free pool thread.
     */
    static final class Running implements Runnable {
        private final Runnable task;
        private final AtomicBoolean taken = new AtomicBoolean();
        private final CountDownLatch done = new CountDownLatch(1);
        private Throwable failure;

        Running(Runnable task) {
            this.task = task;
        }

        @Override
        public void run() {
            if (!taken.compareAndSet(false, true)) {
                return;
            }
            try {
                task.run();
            } catch (Throwable t) { // handed to whoever awaits
                failure = t;
            } finally {
                done.countDown();
            }
        }

        /** Waits for the task to finish (an interrupt is kept for later); what it threw, or null. */
        Throwable await() {
            run();
            awaitUninterruptibly(done);
            return failure;
        }
    }

    /** {@code t} to throw on: itself when unchecked (an error is thrown here), else wrapped. */
    static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.medseg.tf;

import java.util.concurrent.locks.ReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A part a model adds to its graph (or beside it) on first use, such as the input gradient or the dropout path: built
 * under the model's write lock, so no session call runs while the graph grows, then run under its read lock, like
 * the model's forward pass.
 *
 * @param <T> what the build gives: the handles the calls run with
 */
final class GraphExtension<T> {
    private final ReadWriteLock lock;
    private final Runnable checkOpen;
    private final Supplier<T> build;
    /** Guarded by the write lock; set once. */
    private T built;

    /**
     * @param lock the model's lock
     * @param checkOpen throws when the model is closed; run under the lock before building and before each call
     * @param build adds the part; runs at most once, under the write lock
     */
    GraphExtension(ReadWriteLock lock, Runnable checkOpen, Supplier<T> build) {
        this.lock = lock;
        this.checkOpen = checkOpen;
        this.build = build;
    }

    /** Builds the part if this is the first use, then runs {@code call} with it under the read lock. */
    <R> R run(Function<T, R> call) {
        T part;
        lock.writeLock().lock();
        try {
            checkOpen.run();
            if (built == null) {
                built = build.get();
            }
            part = built;
        } finally {
            lock.writeLock().unlock();
        }
        lock.readLock().lock();
        try {
            checkOpen.run();
            return call.apply(part);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** What was built, or null if the part was never used; for closing it with the model (under its write lock). */
    T builtOrNull() {
        return built;
    }
}

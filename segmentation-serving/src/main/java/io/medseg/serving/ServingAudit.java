package io.medseg.serving;

import io.medseg.mlops.audit.AuditLog;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's events in its registry's audit log: each model it loads (or fails to load) and the requests it
 * denies. Appends run on one background thread, so a request never waits for the log's fsync; denials are
 * recorded at most once per client and reason every {@link #DENIAL_INTERVAL}, the next line counting those
 * left out, so a client hammering the server with bad tokens cannot flood the trail. Should the queue ever fill,
 * events are dropped and counted in the next line instead of blocking requests.
 */
final class ServingAudit implements AutoCloseable {
    static final Duration DENIAL_INTERVAL = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(ServingAudit.class);
    private static final int QUEUE = 1024;

    private final AuditLog log;
    private final String actor;
    private final ThreadPoolExecutor writer;
    private final Map<String, Window> denials = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();

    /** One client and reason's interval: guarded by itself. */
    private static final class Window {
        long startNanos;
        long suppressed;

        Window(long startNanos) {
            this.startNanos = startNanos;
        }
    }

    ServingAudit(AuditLog log) {
        this.log = log;
        this.actor = AuditLog.Actor.osUser().id();
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "medseg-audit");
            t.setDaemon(true);
            return t;
        }, (r, executor) -> dropped.incrementAndGet());
    }

    /** A model version loaded to serve ({@code outcome} ok) or refused ({@code failed}, with the reason). */
    void modelLoad(String name, int version, String manifestSha256, String outcome, Map<String, ?> details) {
        submit(new AuditLog.Actor(actor, null), "serve-load", new AuditLog.Subject(name, version, manifestSha256),
                outcome, details);
    }

    /** A request refused for want of a valid token. */
    void denied(String client, String method, String path, String reason, String model) {
        String key = client + " " + reason;
        long now = System.nanoTime();
        Window w = denials.computeIfAbsent(key, k -> new Window(now - DENIAL_INTERVAL.toNanos() - 1));
        long suppressedBefore;
        synchronized (w) {
            if (now - w.startNanos <= DENIAL_INTERVAL.toNanos()) {
                w.suppressed++;
                return;
            }
            w.startNanos = now;
            suppressedBefore = w.suppressed;
            w.suppressed = 0;
        }
        if (denials.size() > 10_000) {
            denials.clear(); // many clients: forget old windows rather than grow without bound
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("client", client);
        details.put("method", method);
        details.put("path", path);
        details.put("reason", reason);
        details.put("earlier_denials_not_logged", suppressedBefore);
        submit(new AuditLog.Actor("anonymous", null), "access-denied", new AuditLog.Subject(model, null, null),
                "denied", details);
    }

    private void submit(AuditLog.Actor who, String action, AuditLog.Subject subject, String outcome,
            Map<String, ?> details) {
        writer.execute(() -> {
            Map<String, Object> d = new LinkedHashMap<>(details);
            long lost = dropped.getAndSet(0);
            if (lost > 0) {
                d.put("events_dropped_before", lost);
            }
            try {
                log.append(who, action, subject, outcome, d);
            } catch (java.io.IOException | RuntimeException e) {
                LOG.error("audit log {}: could not record {} {}: {}", log.file(), action, outcome, e.toString());
            }
        });
    }

    /** Writes what is queued (waiting up to a few seconds), then stops. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("audit log {}: {} events not written at shutdown", log.file(), writer.getQueue().size());
                writer.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writer.shutdownNow();
        }
    }
}

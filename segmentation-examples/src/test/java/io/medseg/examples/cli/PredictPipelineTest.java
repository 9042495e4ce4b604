package io.medseg.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stages of {@code segment predict} on their threads, with stand-ins for decoding, the network and writing: the
 * order of what is reported, failures at each stage, fail-fast, and that every thread has ended when {@code run}
 * returns or throws. The latches only wait for another thread to get somewhere; nothing here depends on timing.
 */
class PredictPipelineTest {
    private static final int BATCH = 4;
    private static final int QUEUE = 3;
    /** Long enough for any machine; a wait that runs out means a stage never got there (a hang). */
    private static final long PATIENCE_S = 120;

    private final List<Integer> decodeCalls = Collections.synchronizedList(new ArrayList<>());
    private final List<List<Integer>> networkCalls = Collections.synchronizedList(new ArrayList<>());
    private final List<Integer> writeOrder = Collections.synchronizedList(new ArrayList<>());
    private final List<Integer> progress = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void noStageThreadOutlivesTheRun() {
        assertThat(stageThreads()).isEmpty();
    }

    static List<String> stageThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(PredictPipeline.THREAD_PREFIX)).toList();
    }

    private static List<Integer> jobs(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(PATIENCE_S, TimeUnit.SECONDS)).as("a stage never got there").isTrue();
    }

    private PredictPipeline<Integer, Integer, Integer> pipeline(int writers, boolean failFast,
            PredictPipeline.Decoder<Integer, Integer> decoder, PredictPipeline.Network<Integer, Integer> network,
            PredictPipeline.Writer<Integer, Integer, Integer> writer) {
        return new PredictPipeline<>(BATCH, QUEUE, writers, failFast, job -> {
            decodeCalls.add(job);
            return decoder.decode(job);
        }, batch -> {
            networkCalls.add(List.copyOf(batch));
            return network.run(batch);
        }, (job, in, out) -> {
            writer.write(job, in, out);
            writeOrder.add(job);
        }, progress::add);
    }

    private static List<Integer> tenTimes(List<Integer> batch) {
        return batch.stream().map(i -> i * 10).toList();
    }

    @Test
    void resultsAndFailuresAreInInputOrderWhicheverOrderTheWritersFinish() throws Exception {
        CountDownLatch fifthWritten = new CountDownLatch(1);
        var p = pipeline(2, false, job -> {
            if (job == 7) {
                throw new IOException("7 is truncated");
            }
            return job;
        }, batch -> {
            if (batch.contains(11)) {
                throw new IllegalArgumentException("the network refuses 11");
            }
            return tenTimes(batch);
        }, (job, in, out) -> {
            assertThat(out).isEqualTo(in * 10);
            if (job == 0) {
                await(fifthWritten);   // the other writer gets 1..5 done first
            } else if (job == 13) {
                throw new IOException("13.png: Is a directory");
            }
            if (job == 5) {
                fifthWritten.countDown();
            }
        });

        PredictPipeline.Result<Integer> r = p.run(jobs(20));

        // the writer of 0 waited: the other one had written 1 to 4 (and was writing 5) before 0 was done
        assertThat(writeOrder.indexOf(0)).as("0 is written after 4").isGreaterThan(writeOrder.indexOf(4));
        assertThat(r.written()).containsExactly(0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 14, 15, 16, 17, 18, 19);
        assertThat(r.failures()).extracting(PredictPipeline.Failure::index).containsExactly(7, 11, 13);
        assertThat(r.failures()).extracting(f -> f.error().getMessage()).containsExactly("7 is truncated",
                "the network refuses 11", "13.png: Is a directory");
        assertThat(r.stopped()).isNull();
        assertThat(progress).isEqualTo(IntStream.rangeClosed(1, 20).boxed().toList());
        // batches of consecutive decoded inputs, 7 skipped; the batch with 11 runs again one input at a time
        assertThat(networkCalls).containsExactly(List.of(0, 1, 2, 3), List.of(4, 5, 6, 8), List.of(9, 10, 11, 12),
                List.of(9), List.of(10), List.of(11), List.of(12), List.of(13, 14, 15, 16), List.of(17, 18, 19));
    }

    @Test
    void failFastAtADecodeFailureStopsBeforeTheNetworkRuns() throws Exception {
        var p = pipeline(2, true, job -> {
            if (job == 2) {
                throw new IOException("2 is not DICOM");
            }
            return job;
        }, PredictPipelineTest::tenTimes, (job, in, out) -> { });

        PredictPipeline.Result<Integer> r = p.run(jobs(1000));

        assertThat(r.stopped()).isNotNull();
        assertThat(r.stopped().index()).isEqualTo(2);
        assertThat(r.failures()).containsExactly(r.stopped());
        assertThat(decodeCalls).containsExactly(0, 1, 2);
        assertThat(networkCalls).isEmpty();
        assertThat(r.written()).isEmpty();
    }

    @Test
    void failFastAtAWriteFailureStopsTheStagesBeforeAndKeepsWhatWasWritten() throws Exception {
        var p = pipeline(1, true, job -> job, PredictPipelineTest::tenTimes, (job, in, out) -> {
            if (job == 5) {
                throw new IOException("no space left on device");
            }
        });

        PredictPipeline.Result<Integer> r = p.run(jobs(1000));

        assertThat(r.stopped().index()).isEqualTo(5);
        assertThat(r.written()).containsExactly(0, 1, 2, 3, 4);
        assertThat(writeOrder).containsExactly(0, 1, 2, 3, 4);
        // the queues bound what was read ahead of the writer: two queues, one batch in the network, one in writing
        assertThat(decodeCalls.size()).isLessThanOrEqualTo(6 + 2 * QUEUE + 2 * BATCH);
    }

    @Test
    void aWriterFailingOnEveryFileIsReportedForEachAndNeverBlocksTheStagesBefore() throws Exception {
        var p = pipeline(2, false, job -> job, PredictPipelineTest::tenTimes, (job, in, out) -> {
            throw new IOException("disk full");
        });

        PredictPipeline.Result<Integer> r = p.run(jobs(200));

        assertThat(r.written()).isEmpty();
        assertThat(r.failures()).extracting(PredictPipeline.Failure::index).isEqualTo(jobs(200));
        assertThat(progress).hasSize(200);
    }

    @Test
    void aStageThatDiesStopsTheOthersAndItsErrorIsThrown() {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        var p = pipeline(2, false, job -> job, batch -> {
            if (batch.contains(9)) {
                throw oom;
            }
            return tenTimes(batch);
        }, (job, in, out) -> { });

        // 1000 inputs: the decoder is waiting on a full queue when the network dies, and must be woken
        assertThatThrownBy(() -> p.run(jobs(1000))).isSameAs(oom);
        assertThat(decodeCalls.size()).isLessThan(1000);
    }

    @Test
    void aNetworkThatGivesTooFewOutputsFailsEachInputInsteadOfHanging() {
        var p = pipeline(1, false, job -> job, batch -> List.of(), (job, in, out) -> { });

        PredictPipeline.Result<Integer> r = assertNoThrow(() -> p.run(jobs(3)));
        assertThat(r.failures()).extracting(PredictPipeline.Failure::index).containsExactly(0, 1, 2);
        assertThat(r.failures().get(0).error()).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void interruptingTheCallerStopsEveryStageAndEndsTheirThreads() throws Exception {
        CountDownLatch inNetwork = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        var p = pipeline(2, false, job -> job, batch -> {
            inNetwork.countDown();
            try {
                await(release);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return tenTimes(batch);
        }, (job, in, out) -> { });
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicInteger interruptedAfter = new AtomicInteger();
        Thread caller = new Thread(() -> {
            try {
                p.run(jobs(1000));
            } catch (Throwable e) {
                thrown.set(e);
                interruptedAfter.set(Thread.currentThread().isInterrupted() ? 1 : 0);
            }
        }, "caller");
        caller.start();
        await(inNetwork);
        caller.interrupt();
        // the decoder waits on a full queue until the interrupted caller stops the stages
        Thread decoder = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(PredictPipeline.THREAD_PREFIX + "decode")).findFirst().orElse(null);
        if (decoder != null) {
            decoder.join(TimeUnit.SECONDS.toMillis(PATIENCE_S));
            assertThat(decoder.isAlive()).isFalse();
        }
        release.countDown();
        caller.join(TimeUnit.SECONDS.toMillis(PATIENCE_S));

        assertThat(caller.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(interruptedAfter.get()).as("the interrupt is kept for the caller's caller").isEqualTo(1);
        assertThat(decodeCalls.size()).isLessThan(1000);
        assertThat(networkCalls).hasSize(1);
    }

    @Test
    void aQueueGivesItsItemsInOrderThenNullOnceFinishedAndNothingOnceCancelled() {
        PredictPipeline.Queue<String> q = new PredictPipeline.Queue<>(2);
        assertThat(q.put("a")).isTrue();
        assertThat(q.put("b")).isTrue();
        q.finish();
        assertThat(q.take()).isEqualTo("a");
        assertThat(q.take()).isEqualTo("b");
        assertThat(q.take()).isNull();

        PredictPipeline.Queue<String> c = new PredictPipeline.Queue<>(1);
        assertThat(c.put("a")).isTrue();
        c.cancel();
        assertThat(c.put("b")).isFalse();
        assertThat(c.take()).isNull();
        assertThat(c.cancelled()).isTrue();
    }

    @Test
    void aPipelineRefusesNonPositiveSizesAndASecondRun() throws Exception {
        assertThatThrownBy(() -> new PredictPipeline<Integer, Integer, Integer>(0, 1, 1, false, j -> j, b -> b,
                (j, i, o) -> { }, n -> { })).isInstanceOf(IllegalArgumentException.class);
        var p = pipeline(1, false, job -> job, PredictPipelineTest::tenTimes, (job, in, out) -> { });
        assertThat(p.run(jobs(2)).written()).containsExactly(0, 1);
        assertThatThrownBy(() -> p.run(jobs(2))).isInstanceOf(IllegalStateException.class);
    }

    private interface Run<T> {
        T run() throws Exception;
    }

    private static <T> T assertNoThrow(Run<T> run) {
        try {
            return run.run();
        } catch (Exception e) {
            throw new AssertionError("unexpected " + e, e);
        }
    }
}

package io.medseg.data.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.data.Sample;
import io.medseg.model.InputFit;
import io.medseg.model.InputFitter;
import io.medseg.model.Normalization;
import io.medseg.model.UNet;
import io.medseg.model.UNetSpec;
import io.medseg.testdata.ReferenceMix;
import io.medseg.transform.Augmentation;
import io.medseg.transform.Augmentations;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {
    /** Identity fitting: a 4x4 network on 4x4 samples without normalisation, so batches show the raw pixels. */
    private static final UNetSpec PLAIN = UNet.builder().inputShape(4, 4, 1).numClasses(2).depth(1).baseFilters(2)
            .normalization(Normalization.none()).build();
    /** Real fitting: centre crop of 16x16 frames to 12x12 and percentile normalisation. */
    private static final UNetSpec CROP = UNet.builder().inputShape(12, 12, 1).inputFit(InputFit.CENTRE_CROP)
            .numClasses(2).depth(1).baseFilters(2).normalization(Normalization.percentile(1, 99)).build();

    /** Sample i of 4x4: every pixel holds i, so a batch tells which samples it holds and in which order. */
    private static List<Sample> coded(int n) {
        return IntStream.range(0, n).mapToObj(i -> {
            float[] px = new float[16];
            Arrays.fill(px, i);
            return new Sample("s" + i, "p", Image.of(4, 4, px), Mask.of(4, 4, new byte[16]));
        }).toList();
    }

    private static List<Sample> frames(int n) {
        SplittableRandom r = new SplittableRandom(5);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] px = new float[256];
            byte[] lab = new byte[256];
            for (int p = 0; p < 256; p++) {
                px[p] = (float) r.nextDouble(0, 500);
                if ((p / 16) > 5 && (p / 16) < 11 && (p % 16) > 4 + i % 3 && (p % 16) < 11) {
                    lab[p] = 1;
                    px[p] += 800;
                }
            }
            out.add(new Sample("f" + i, "p", Image.of(16, 16, px), Mask.of(16, 16, lab)));
        }
        return out;
    }

    private static List<Integer> sampleCodes(Batch b) {
        List<Integer> codes = new ArrayList<>();
        int per = b.images().length / b.size();
        for (int i = 0; i < b.size(); i++) {
            codes.add(Math.round(b.images()[i * per]));
        }
        return codes;
    }

    private static List<Batch> drain(BatchLoader loader, int epoch, List<Integer> order) {
        List<Batch> out = new ArrayList<>();
        try (BatchLoader.Epoch e = loader.epoch(epoch, order)) {
            e.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void deliversTheEpochOrderInBatchesWithTheRemainderLast() {
        try (BatchLoader loader = BatchLoader.builder().samples(coded(10)).fitter(new InputFitter(PLAIN))
                .batchSize(4).workers(3).prefetch(2).build()) {
            List<Batch> batches = drain(loader, 0, List.of(9, 2, 5, 0, 7, 1, 8, 3, 6, 4));
            assertThat(batches).extracting(Batch::size).containsExactly(4, 4, 2);
            assertThat(batches).extracting(BatchLoaderTest::sampleCodes).containsExactly(
                    List.of(9, 2, 5, 0), List.of(7, 1, 8, 3), List.of(6, 4));
            assertThat(batches.get(2).images()).hasSize(32);
            assertThat(batches.get(2).labels()).hasSize(32);
        }
    }

    @Test
    void keepsTheEpochOrderWhenEarlierBatchesFinishLast() {
        // batch 1 (sample 0) is held back until every later batch has been prepared
        int n = 6;
        CountDownLatch laterDone = new CountDownLatch(n - 1);
        Augmentation slowFirst = (s, r) -> {
            if (s.id().equals("s0")) {
                try {
                    laterDone.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                laterDone.countDown();
            }
            return s;
        };
        try (BatchLoader loader = BatchLoader.builder().samples(coded(n)).fitter(new InputFitter(PLAIN))
                .augmentation(slowFirst).batchSize(1).workers(4).prefetch(n).build()) {
            List<Batch> batches = drain(loader, 0, List.of(0, 1, 2, 3, 4, 5));
            assertThat(laterDone.getCount()).isZero();
            assertThat(batches).extracting(BatchLoaderTest::sampleCodes).containsExactly(
                    List.of(0), List.of(1), List.of(2), List.of(3), List.of(4), List.of(5));
        }
    }

    @Test
    void batchesAreTheSameForOneAndFourWorkersAndEqualTheSequentialComputation() {
        List<Sample> samples = frames(13);
        Augmentation cardiac = Augmentations.cardiac();
        InputFitter fitter = new InputFitter(CROP);
        List<Integer> order = List.of(3, 12, 0, 7, 7, 1, 9, 4, 11, 2, 5, 10, 8, 6);
        long seed = 42;
        int epoch = 3;
        List<Batch> expected = new ArrayList<>();
        for (int from = 0; from < order.size(); from += 4) {
            int n = Math.min(4, order.size() - from);
            float[] images = new float[n * 144];
            byte[] labels = new byte[n * 144];
            for (int i = 0; i < n; i++) {
                int index = order.get(from + i);
                Sample a = cardiac.apply(samples.get(index),
                        new SplittableRandom(ReferenceMix.mix(seed, epoch, index)));
                System.arraycopy(fitter.input(a.image()), 0, images, i * 144, 144);
                System.arraycopy(fitter.labels(a.mask()), 0, labels, i * 144, 144);
            }
            expected.add(new Batch(images, labels, n));
        }
        for (int workers : new int[] {1, 4}) {
            try (BatchLoader loader = BatchLoader.builder().samples(samples).fitter(fitter).augmentation(cardiac)
                    .batchSize(4).seed(seed).workers(workers).prefetch(3).build()) {
                assertThat(drain(loader, epoch, order)).as("workers=%d", workers).isEqualTo(expected);
            }
        }
        // and the augmentation does depend on the epoch, so the comparison above is not vacuous
        try (BatchLoader loader = BatchLoader.builder().samples(samples).fitter(fitter).augmentation(cardiac)
                .batchSize(4).seed(seed).workers(2).build()) {
            assertThat(drain(loader, epoch + 1, order)).isNotEqualTo(expected);
        }
        assertThat(BatchLoader.mix(seed, epoch, -1)).isEqualTo(ReferenceMix.mix(seed, epoch, -1));
    }

    @Test
    void preparesAtMostPrefetchBatchesAheadOfTheConsumer() throws InterruptedException {
        AtomicInteger prepared = new AtomicInteger();
        Augmentation counting = (s, r) -> {
            prepared.incrementAndGet();
            return s;
        };
        try (BatchLoader loader = BatchLoader.builder().samples(coded(10)).fitter(new InputFitter(PLAIN))
                .augmentation(counting).batchSize(1).workers(4).prefetch(2).build();
                BatchLoader.Epoch epoch = loader.epoch(0, List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9))) {
            Thread.sleep(300);
            assertThat(prepared).hasValue(2);
            epoch.next();
            Thread.sleep(300);
            // the delivered batch plus two ahead
            assertThat(prepared).hasValue(3);
        }
    }

    @Test
    void aWorkerFailureSurfacesOnTheConsumerAsTheOriginalExceptionNamingTheSample() {
        Augmentation failing = (s, r) -> {
            if (s.id().equals("s6")) {
                throw new ArithmeticException(Path.of("patient-3", "IM-0006.dcm") + ": truncated pixel data");
            }
            return s;
        };
        try (BatchLoader loader = BatchLoader.builder().samples(coded(8)).fitter(new InputFitter(PLAIN))
                .augmentation(failing).batchSize(2).workers(2).build()) {
            BatchLoader.Epoch epoch = loader.epoch(0, List.of(0, 1, 2, 3, 6, 7, 4, 5));
            assertThat(sampleCodes(epoch.next())).containsExactly(0, 1);
            assertThat(sampleCodes(epoch.next())).containsExactly(2, 3);
            assertThatThrownBy(epoch::next)
                    .isExactlyInstanceOf(ArithmeticException.class)
                    .hasMessage(Path.of("patient-3", "IM-0006.dcm") + ": truncated pixel data")
                    .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
                            .extracting(Throwable::getMessage).asString()
                            .contains("sample s6 (index 6)", "batch 3", "epoch 1"));
            assertThat(epoch.hasNext()).isFalse();
            assertThatThrownBy(epoch::next).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("abandoned");
            // the loader itself is still usable for the next epoch
            assertThat(drain(loader, 1, List.of(0, 1))).extracting(BatchLoaderTest::sampleCodes)
                    .containsExactly(List.of(0, 1));
        }
    }

    @Test
    void closeStopsTheWorkerThreads() throws InterruptedException {
        BatchLoader loader = BatchLoader.builder().samples(coded(8)).fitter(new InputFitter(PLAIN)).batchSize(1)
                .workers(3).prefetch(8).build();
        drain(loader, 0, List.of(0, 1, 2, 3, 4, 5, 6, 7));
        List<Thread> workers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("medseg-loader-") && t.isAlive()).toList();
        assertThat(workers).isNotEmpty();
        loader.close();
        for (Thread t : workers) {
            t.join(2000);
        }
        assertThat(workers).noneMatch(Thread::isAlive);
        assertThatThrownBy(() -> loader.epoch(0, List.of(0))).isInstanceOf(IllegalStateException.class)
                .hasMessage("batch loader is closed");
        loader.close(); // idempotent
    }

    @Test
    void closeCancelsBatchesTheConsumerIsWaitingFor() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        Augmentation blocking = (s, r) -> {
            started.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
            return s;
        };
        BatchLoader loader = BatchLoader.builder().samples(coded(2)).fitter(new InputFitter(PLAIN))
                .augmentation(blocking).batchSize(1).workers(1).build();
        BatchLoader.Epoch epoch = loader.epoch(0, List.of(0, 1));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        long t0 = System.nanoTime();
        loader.close();
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThatThrownBy(epoch::next).isInstanceOf(IllegalStateException.class)
                .hasMessage("batch loader is closed");
    }

    @Test
    void rejectsOrderIndicesOutsideTheSamples() {
        try (BatchLoader loader = BatchLoader.builder().samples(coded(3)).fitter(new InputFitter(PLAIN))
                .workers(1).build()) {
            assertThatThrownBy(() -> loader.epoch(0, List.of(0, 3))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("order[1] is not a sample index in 0..2: 3");
            assertThatThrownBy(() -> loader.epoch(0, List.of())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("epoch order must not be empty");
        }
    }

    @Test
    void builderReportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> BatchLoader.builder().samples(List.of()).batchSize(0).workers(0).prefetch(0)
                .augmentation(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid batch loader: samples must not be null or empty; fitter must not be null; "
                        + "augmentation must not be null; batch size must be in 1..4096: 0; "
                        + "workers must be in 1..256: 0; prefetch must be in 1..1024: 0");
    }

    @Test
    void acceptsImmutableSampleListsAndRejectsNullSamples() {
        List<Sample> immutable = List.copyOf(coded(2));
        try (BatchLoader loader = BatchLoader.builder().samples(immutable).fitter(new InputFitter(PLAIN)).workers(1)
                .build()) {
            assertThat(loader.samples()).isEqualTo(immutable);
        }
        List<Sample> withNull = new ArrayList<>(coded(2));
        withNull.add(null);
        assertThatThrownBy(() -> BatchLoader.builder().samples(withNull).fitter(new InputFitter(PLAIN)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid batch loader: samples must not contain null");
    }

    @Test
    void defaultsToOneWorkerPerProcessorAndFourBatchesAhead() {
        try (BatchLoader loader = BatchLoader.builder().samples(coded(1)).fitter(new InputFitter(PLAIN)).build()) {
            assertThat(loader.workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(loader.prefetch()).isEqualTo(4);
            assertThat(loader.batchSize()).isEqualTo(8);
            assertThat(loader.batchCount(17)).isEqualTo(3);
        }
    }

    @Test
    void nextAfterTheLastBatchThrowsNoSuchElement() {
        try (BatchLoader loader = BatchLoader.builder().samples(coded(2)).fitter(new InputFitter(PLAIN))
                .batchSize(2).workers(1).build(); BatchLoader.Epoch epoch = loader.epoch(0, List.of(1, 0))) {
            assertThat(epoch.batches()).isEqualTo(1);
            assertThat(sampleCodes(epoch.next())).containsExactly(1, 0);
            assertThat(epoch.hasNext()).isFalse();
            assertThatThrownBy(epoch::next).isInstanceOf(NoSuchElementException.class);
        }
    }
}

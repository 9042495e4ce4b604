package io.medseg.serving;

import io.medseg.backend.Backend;
import io.medseg.backend.Precision;
import io.medseg.backend.SegmentationModel;
import io.medseg.data.Image;
import io.medseg.data.Mask;
import io.medseg.mlops.ModelPackage;
import io.medseg.mlops.drift.DataProfile;
import io.medseg.model.InputFit;
import io.medseg.model.InputFitter;
import io.medseg.model.UNetSpec;
import io.medseg.postprocess.PostProcessing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded version of a registry model, with the thread that runs its network on batches of queued images.
 * Requests {@link #acquire} it before they queue and {@link #release} it when their answer is made; once
 * {@link #retire retired} it takes no new request and closes its model when the last one has been released, so a
 * version being replaced finishes what it accepted.
 */
final class ServedModel {
    private static final Logger LOG = LoggerFactory.getLogger(ServedModel.class);

    private final String name;
    private final int version;
    private final String manifestSha256;
    private final SegmentationModel model;
    private final UNetSpec spec;
    private final InputFitter fitter;
    private final PostProcessing postProcessing;
    private final DataProfile reference;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final BlockingQueue<Job> queue;
    private final IntConsumer batchSizes;
    private final Thread runner;
    private final AtomicInteger leases = new AtomicInteger();
    private volatile boolean retired;
    private volatile boolean closed;

    /** The network output for one queued image: its probabilities at {@code offset} in {@code probs}. */
    @SuppressWarnings("ArrayRecordComponent") // a view into the batch's output array, never compared
    record Output(float[] probs, int offset) {
    }

    @SuppressWarnings("ArrayRecordComponent") // a queue entry, never compared
    private record Job(float[] input, CompletableFuture<Output> result) {
    }

    private ServedModel(String name, int version, String manifestSha256, SegmentationModel model,
            PostProcessing postProcessing, DataProfile reference, ServerConfig config, IntConsumer batchSizes) {
        this.name = name;
        this.version = version;
        this.manifestSha256 = manifestSha256;
        this.model = model;
        this.spec = model.spec();
        this.fitter = new InputFitter(spec);
        this.postProcessing = postProcessing;
        this.reference = reference;
        this.maxBatch = config.maxBatch();
        this.maxWaitNanos = config.maxWait().toNanos();
        this.queue = new ArrayBlockingQueue<>(config.maxQueue());
        this.batchSizes = batchSizes;
        this.runner = new Thread(this::run, "medseg-batcher-" + name + "-v" + version);
        this.runner.setDaemon(true);
    }

    /**
     * Verifies the package in {@code dir} against its MANIFEST, loads its model with {@code backend} and starts the
     * batch thread. {@code batchSizes} hears the size of every batch run.
     *
     * @throws io.medseg.mlops.PackageIntegrityException naming a missing, modified or unlisted file
     */
    static ServedModel load(Backend backend, Path dir, String name, int version, ServerConfig config,
            IntConsumer batchSizes) throws IOException {
        ModelPackage pkg = ModelPackage.open(dir);
        Path profileFile = pkg.dir().resolve(ModelPackage.DATA_PROFILE);
        DataProfile reference = Files.isRegularFile(profileFile) ? DataProfile.read(profileFile) : null;
        SegmentationModel model = backend.load(pkg.dir(), config.precision());
        ServedModel served;
        try {
            served = new ServedModel(name, version, pkg.manifestSha256(), model, config.postProcessing(), reference,
                    config, batchSizes);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        served.runner.start();
        return served;
    }

    String name() {
        return name;
    }

    int version() {
        return version;
    }

    String manifestSha256() {
        return manifestSha256;
    }

    Precision precision() {
        return model.precision();
    }

    String backendName() {
        return model.backendName();
    }

    UNetSpec spec() {
        return spec;
    }

    /** The package's reference data profile, for live drift; empty when the package has none. */
    Optional<DataProfile> reference() {
        return Optional.ofNullable(reference);
    }

    /** The most images run through the network together. */
    int maxBatch() {
        return maxBatch;
    }

    /** Images waiting for the network. */
    int queued() {
        return queue.size();
    }

    /** Requests holding a lease now. */
    int inFlight() {
        return leases.get();
    }

    /** Takes a lease for one request; false once retired (take the newer version's instead). */
    boolean acquire() {
        leases.incrementAndGet();
        if (retired) {
            release();
            return false;
        }
        return true;
    }

    /** Returns a lease; the last one of a retired model closes it. */
    void release() {
        if (leases.decrementAndGet() == 0 && retired) {
            closeNow();
        }
    }

    /** Takes no new lease from now on, and closes the model when the leases already taken are returned. */
    void retire() {
        retired = true;
        if (leases.get() == 0) {
            closeNow();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Why {@code image} cannot go to this model, or empty when it can: a channel count other than the network's,
     * or, with {@link InputFit#EXACT}, another height or width.
     */
    Optional<String> refusal(int height, int width, int channels) {
        if (channels != spec.inputChannels()) {
            return Optional.of("image has " + channels + " channel" + (channels == 1 ? "" : "s") + " but model "
                    + name + " v" + version + " takes " + spec.inputChannels());
        }
        if (spec.inputFit() == InputFit.EXACT && (height != spec.inputHeight() || width != spec.inputWidth())) {
            return Optional.of("image is " + height + "x" + width + " but model " + name + " v" + version + " takes "
                    + spec.inputHeight() + "x" + spec.inputWidth() + " exactly (its input fit is exact)");
        }
        return Optional.empty();
    }

    /** The network input for {@code image}: fitted and normalised as in training. */
    float[] input(Image image) {
        float[] in = new float[spec.inputHeight() * spec.inputWidth() * spec.inputChannels()];
        fitter.inputInto(image, in, 0);
        return in;
    }

    /**
     * Queues one image's network input ({@link #input}) for the next batch.
     *
     * @throws QueueFullException when {@link ServerConfig#maxQueue()} images are already waiting
     */
    CompletableFuture<Output> submit(float[] input) {
        CompletableFuture<Output> result = new CompletableFuture<>();
        if (closed) {
            throw new IllegalStateException("model " + name + " v" + version + " is closed");
        }
        if (!queue.offer(new Job(input, result))) {
            throw new QueueFullException(queue.size());
        }
        return result;
    }

    /** The mask of an image of {@code height x width} from its network output, post-processed. */
    Mask mask(Output out, int height, int width) {
        byte[] labels = fitter.labelsToImage(out.probs(), out.offset(), height, width);
        return postProcessing.apply(Mask.wrap(height, width, labels), spec.numClasses());
    }

    /** The class probabilities of an image of {@code height x width}, (y, x, class) in row-major order. */
    float[] probabilities(Output out, int height, int width) {
        return fitter.probabilitiesToImage(out.probs(), out.offset(), height, width);
    }

    private void run() {
        int per = spec.inputHeight() * spec.inputWidth() * spec.inputChannels();
        int netPer = spec.inputHeight() * spec.inputWidth() * spec.numClasses();
        List<Job> batch = new ArrayList<>(maxBatch);
        while (!closed) {
            try {
                Job first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + maxWaitNanos;
                while (batch.size() < maxBatch) {
                    long left = deadline - System.nanoTime();
                    Job next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            int n = batch.size();
            try {
                float[] input = new float[n * per];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(batch.get(i).input, 0, input, i * per, per);
                }
                float[] probs = model.forward(input, n);
                batchSizes.accept(n);
                for (int i = 0; i < n; i++) {
                    batch.get(i).result.complete(new Output(probs, i * netPer));
                }
            } catch (RuntimeException | Error e) {
                LOG.error("model {} v{}: a batch of {} failed: {}", name, version, n, e.toString(), e);
                for (Job j : batch) {
                    j.result.completeExceptionally(e);
                }
            }
            batch.clear();
        }
        for (Job j; (j = queue.poll()) != null;) {
            j.result.completeExceptionally(new IllegalStateException("model " + name + " v" + version
                    + " was closed before this image ran"));
        }
    }

    private void closeNow() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        runner.interrupt();
        try {
            runner.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        model.close();
        LOG.info("model {} v{} closed", name, version);
    }

    /** Closes now, whatever leases are out (server shutdown, after the HTTP server has finished its requests). */
    void close() {
        retired = true;
        closeNow();
    }

    /** Too many images are already waiting for the network. */
    static final class QueueFullException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        QueueFullException(int waiting) {
            super(waiting + " images are already waiting for the network; try again shortly");
        }
    }

    @Override
    public String toString() {
        return name + " v" + version + " (" + Objects.toString(model.backendName()) + ", " + precision().label() + ")";
    }
}

package io.medseg.tf;

import io.medseg.backend.Precision;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * Session settings per {@link Precision}. bf16 is oneDNN's automatic mixed precision rewrite of the graph (convolutions
 * and matrix products in bfloat16, weights kept in float32), which pays only on processors with bfloat16
 * instructions: on others oneDNN emulates them and runs slower than float32, so there the backend warns once and
 * computes in float32.
 */
final class SessionConfigs {
    private static final Logger LOG = LoggerFactory.getLogger(SessionConfigs.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    private static volatile String cpuBf16;

    private SessionConfigs() {
    }

    /** The precision a model asked to compute at {@code requested} gets here; warns once when it differs. */
    static Precision effective(Precision requested, boolean gpu) {
        if (requested != Precision.BF16) {
            return Precision.FP32;
        }
        String missing = gpu ? "the backend runs on a GPU, and its bf16 path is oneDNN's, for CPUs" : cpuLacksBf16();
        if (missing == null) {
            return Precision.BF16;
        }
        if (WARNED.compareAndSet(false, true)) {
            LOG.warn("bf16 requested but {}: computing in fp32 instead (reports say fp32)", missing);
        }
        return Precision.FP32;
    }

    /** Null when this CPU has bfloat16 instructions, else why not. */
    static String cpuLacksBf16() {
        String s = cpuBf16;
        if (s == null) {
            s = probeCpu(Path.of("/proc/cpuinfo"), System.getProperty("os.arch", ""));
            cpuBf16 = s;
        }
        return s.isEmpty() ? null : s;
    }

    /** Empty when the {@code flags} lines of {@code cpuinfo} list avx512_bf16 or amx_bf16, else the reason. */
    static String probeCpu(Path cpuinfo, String arch) {
        String a = arch.toLowerCase(Locale.ROOT);
        if (!a.equals("amd64") && !a.equals("x86_64")) {
            return "oneDNN's bf16 rewrite is used on x86-64 only, this is " + arch;
        }
        try {
            for (String line : Files.readAllLines(cpuinfo, StandardCharsets.US_ASCII)) {
                if (line.startsWith("flags") && (line.contains(" avx512_bf16") || line.contains(" amx_bf16"))) {
                    return "";
                }
            }
            return "this CPU has no bfloat16 instructions (no avx512_bf16 or amx_bf16 in " + cpuinfo + ")";
        } catch (IOException | RuntimeException e) {
            return "the CPU's instructions could not be read from " + cpuinfo + " (" + e.getMessage() + ")";
        }
    }

    /**
     * The system property giving the number of threads TensorFlow's intra-op pool gets (0 or unset: one per core, its
     * own choice). TensorFlow sizes its pools once per process, from the first session, so it must be set before the
     * first model is created or loaded: the Spark module sets it to an executor's cores, so that concurrent tasks
     * share one pool of that size instead of each taking every core.
     */
    static final String INTRA_OP_THREADS_PROPERTY = "medseg.tf.intraOpThreads";

    /** The session configuration for a graph computing at {@code precision} (already {@link #effective}). */
    static ConfigProto config(Precision precision) {
        ConfigProto.Builder b = ConfigProto.newBuilder()
                .setAllowSoftPlacement(true)
                .setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true).build());
        int threads = Integer.getInteger(INTRA_OP_THREADS_PROPERTY, 0);
        if (threads > 0) {
            b.setIntraOpParallelismThreads(threads);
        }
        if (precision == Precision.BF16) {
            b.setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(RewriterConfig.newBuilder()
                    .setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON).build()).build());
        }
        return b.build();
    }
}

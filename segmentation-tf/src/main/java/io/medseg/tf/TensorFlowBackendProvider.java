package io.medseg.tf;

import io.medseg.backend.Backend;
import io.medseg.backend.BackendProvider;
import io.medseg.backend.BackendUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;

/**
 * Registers {@link TensorFlowBackend} through {@link java.util.ServiceLoader}. The native library is loaded on the
 * first {@link #get()}; failure becomes one {@link BackendUnavailableException} naming the platform and the artifact
 * to add. With the GPU natives on the classpath it checks that a GPU is usable and otherwise warns once and runs on
 * the CPU. The native runtime's start-up log lines are kept off standard error ({@link NativeLogging}).
 */
public final class TensorFlowBackendProvider implements BackendProvider {
    /**
     * The system property giving TensorFlow's native log level (0 everything, 1 no INFO, 2 no WARNING, the default,
     * 3 no ERROR) when the environment sets no {@code TF_CPP_MIN_LOG_LEVEL}; read when the backend first loads.
     */
    public static final String NATIVE_LOG_LEVEL_PROPERTY = NativeLogging.LEVEL_PROPERTY;
    /**
     * The system property giving TensorFlow's intra-op thread count (default: one per core); read by the first
     * session of the process, so set it before the first model.
     */
    public static final String INTRA_OP_THREADS_PROPERTY = SessionConfigs.INTRA_OP_THREADS_PROPERTY;
    private static final Logger LOG = LoggerFactory.getLogger(TensorFlowBackendProvider.class);
    private static final String NATIVE_ARTIFACT = "org.tensorflow:tensorflow-core-native:1.1.0";
    private static volatile TensorFlowBackend instance;

    @Override
    public String name() {
        return TensorFlowBackend.NAME;
    }

    @Override
    public int rank() {
        return 100;
    }

    @Override
    public Backend get() throws BackendUnavailableException {
        TensorFlowBackend b = instance;
        if (b == null) {
            synchronized (TensorFlowBackendProvider.class) {
                b = instance;
                if (b == null) {
                    b = create();
                    instance = b;
                }
            }
        }
        return b;
    }

    private static TensorFlowBackend create() throws BackendUnavailableException {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        String version;
        NativeLogging.beforeLoad();
        try {
            version = TensorFlow.version();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            throw new BackendUnavailableException("the TensorFlow native library could not be loaded on " + os + "/"
                    + arch + ": add " + NATIVE_ARTIFACT + " with classifier " + expectedClassifier(os, arch)
                    + " (or build with -Pgpu for linux-x86_64-gpu, which needs CUDA 12 libraries); cause: " + e,
                    e);
        }
        String device = "CPU";
        // the first session writes the runtime's one-time start-up lines: run it now, with them held back
        boolean gpuNatives = gpuNativesPresent();
        String problem = NativeLogging.quietly(() -> probe(gpuNatives));
        if (gpuNatives) {
            if (problem == null) {
                device = "GPU:0";
            } else {
                LOG.warn("TensorFlow GPU natives are present but no GPU is usable ({}); running on the CPU",
                        problem);
            }
        } else if (problem != null) {
            LOG.debug("the CPU probe failed: {}", problem);
        }
        String description = "TensorFlow " + version + " (TensorFlow Java 1.1.0) on " + device;
        LOG.info("segmentation backend: {}", description);
        return new TensorFlowBackend(description, device.startsWith("GPU"));
    }

    static String expectedClassifier(String os, String arch) {
        String o = os == null ? "" : os.toLowerCase(java.util.Locale.ROOT);
        String a = arch == null ? "" : arch.toLowerCase(java.util.Locale.ROOT);
        String osPart = o.contains("linux") ? "linux" : o.contains("mac") ? "macosx" : o.contains("win") ? "windows"
                : o;
        String archPart = a.equals("amd64") || a.equals("x86_64") ? "x86_64" : a.equals("aarch64") ? "arm64" : a;
        return osPart + "-" + archPart;
    }

    static boolean gpuNativesPresent() {
        return TensorFlowBackendProvider.class.getClassLoader()
                .getResource("org/tensorflow/internal/c_api/linux-x86_64-gpu/") != null;
    }

    /** Null when a tiny op runs (on GPU:0 without soft placement when {@code gpu}), else why not. */
    private static String probe(boolean gpu) {
        try (Graph g = new Graph()) {
            Ops tf = gpu ? Ops.create(g).withDevice(DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.GPU)
                    .deviceIndex(0).build()) : Ops.create(g);
            var c = tf.math.add(tf.constant(1f), tf.constant(1f));
            // the process's first session sizes TensorFlow's thread pools: it gets the configured thread count
            ConfigProto strict = SessionConfigs.config(io.medseg.backend.Precision.FP32).toBuilder()
                    .setAllowSoftPlacement(false).build();
            try (Session s = new Session(g, strict); Result r = s.runner().fetch(c).run()) {
                return r.size() == 1 ? null : "probe returned nothing";
            }
        } catch (RuntimeException e) {
            return e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(e.toString());
        }
    }
}

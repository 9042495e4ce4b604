package io.medseg.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtLoggingLevel;
import io.medseg.backend.Backend;
import io.medseg.backend.BackendProvider;
import io.medseg.backend.BackendUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers {@link OnnxRuntimeBackend} through {@link java.util.ServiceLoader}, ranked below TensorFlow: with both on
 * the classpath {@code Backends.load()} gives TensorFlow and {@code Backends.load("onnx")} this one; with only this
 * module, this one. ONNX Runtime's native library is loaded on the first {@link #get()}; a failure becomes one
 * {@link BackendUnavailableException} naming the platform. The graph optimisation level comes from the system
 * property {@value OnnxOptimization#PROPERTY} (default {@code all}), the intra-op threads from
 * {@value #THREADS_PROPERTY} (default: ONNX Runtime's choice).
 */
public final class OnnxRuntimeBackendProvider implements BackendProvider {
    public static final String THREADS_PROPERTY = "medseg.onnx.threads";
    private static final Logger LOG = LoggerFactory.getLogger(OnnxRuntimeBackendProvider.class);
    private static final String ARTIFACT = "com.microsoft.onnxruntime:onnxruntime:1.22.0";
    private static volatile OnnxRuntimeBackend instance;

    @Override
    public String name() {
        return OnnxRuntimeBackend.NAME;
    }

    @Override
    public int rank() {
        return 50;
    }

    @Override
    public Backend get() throws BackendUnavailableException {
        OnnxRuntimeBackend b = instance;
        if (b == null) {
            synchronized (OnnxRuntimeBackendProvider.class) {
                b = instance;
                if (b == null) {
                    b = create();
                    instance = b;
                }
            }
        }
        return b.withOptimization(optimization()).withThreads(threads());
    }

    private static OnnxRuntimeBackend create() throws BackendUnavailableException {
        OrtEnvironment env;
        try {
            env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "medseg");
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            throw new BackendUnavailableException("the ONNX Runtime native library could not be loaded on "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + ": " + ARTIFACT
                    + " carries it for Linux (x64, aarch64), macOS and Windows; cause: " + e, e);
        }
        String version = env.getVersion();
        OnnxRuntimeBackend b = new OnnxRuntimeBackend(env, "ONNX Runtime " + version, OnnxOptimization.ALL, 0);
        LOG.info("segmentation backend: {}", b.description());
        return b;
    }

    private static OnnxOptimization optimization() throws BackendUnavailableException {
        String text = System.getProperty(OnnxOptimization.PROPERTY);
        if (text == null || text.isBlank()) {
            return OnnxOptimization.ALL;
        }
        try {
            return OnnxOptimization.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BackendUnavailableException("-D" + OnnxOptimization.PROPERTY + ": " + e.getMessage(), e);
        }
    }

    private static int threads() throws BackendUnavailableException {
        String text = System.getProperty(THREADS_PROPERTY);
        if (text == null || text.isBlank()) {
            return 0;
        }
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BackendUnavailableException("-D" + THREADS_PROPERTY + " must be a whole number >= 0: "
                + io.medseg.io.TextFields.excerpt(text));
    }
}

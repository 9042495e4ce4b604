package io.medseg.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds backends through {@link ServiceLoader}. */
public final class Backends {
    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    private Backends() {
    }

    /** Names of the providers on the classpath, highest rank first; nothing native is loaded. */
    public static List<String> available() {
        return providers().stream().map(BackendProvider::name).toList();
    }

    /**
     * The highest-ranked backend that loads on this machine.
     *
     * @throws BackendUnavailableException naming every provider tried and why it failed, or saying that none is on
     *     the classpath
     */
    public static Backend load() throws BackendUnavailableException {
        List<BackendProvider> providers = providers();
        if (providers.isEmpty()) {
            throw new BackendUnavailableException("no segmentation backend on the classpath: add the dependency "
                    + "io.medseg:segmentation-tf (the TensorFlow backend: training and inference) or "
                    + "io.medseg:segmentation-onnx (ONNX Runtime: inference of exported models); both register "
                    + "through ServiceLoader");
        }
        List<String> failures = new ArrayList<>();
        for (BackendProvider p : providers) {
            try {
                Backend b = p.get();
                LOG.debug("using backend {}: {}", p.name(), b.description());
                return b;
            } catch (BackendUnavailableException e) {
                failures.add(p.name() + ": " + e.getMessage());
            }
        }
        throw new BackendUnavailableException("no usable segmentation backend: " + String.join("; ", failures));
    }

    /** The backend with this name. */
    public static Backend load(String name) throws BackendUnavailableException {
        for (BackendProvider p : providers()) {
            if (p.name().equalsIgnoreCase(name)) {
                return p.get();
            }
        }
        throw new BackendUnavailableException("no backend named '" + name + "' on the classpath (available: "
                + available() + ")");
    }

    private static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).forEach(list::add);
        list.sort(Comparator.comparingInt(BackendProvider::rank).reversed().thenComparing(BackendProvider::name));
        return list;
    }
}

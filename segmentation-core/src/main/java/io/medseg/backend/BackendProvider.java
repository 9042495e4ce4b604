package io.medseg.backend;

/**
 * Service-provider interface: a backend module lists its implementation in
 * {@code META-INF/services/io.medseg.backend.BackendProvider}. Providers must be cheap to construct; native
 * libraries are loaded only in {@link #get()}.
 */
public interface BackendProvider {

    /** Short stable name, e.g. {@code "tensorflow"}. */
    String name();

    /** Higher ranks are preferred by {@link Backends#load()}. */
    int rank();

    /**
     * The backend, loading native code on first call.
     *
     * @throws BackendUnavailableException if it cannot run here
     */
    Backend get() throws BackendUnavailableException;
}

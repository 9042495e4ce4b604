package io.medseg.backend;

import io.medseg.MedsegException;

/**
 * No usable backend: none on the classpath, or its native library cannot be loaded on this platform. The message
 * names the operating system, the architecture and the artifact to add.
 */
public class BackendUnavailableException extends MedsegException {
    private static final long serialVersionUID = 1L;

    public BackendUnavailableException(String message) {
        super(message);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

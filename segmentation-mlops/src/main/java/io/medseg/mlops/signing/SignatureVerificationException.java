package io.medseg.mlops.signing;

import io.medseg.mlops.PackageIntegrityException;
import java.nio.file.Path;

/**
 * A model signature that does not hold: missing, unreadable, by a key that is not trusted, not valid for its key, or
 * for other content than the model's. {@link #file()} names the file at fault: the signature file, or the model
 * file that differs from what was signed.
 */
public final class SignatureVerificationException extends PackageIntegrityException {
    private static final long serialVersionUID = 1L;

    public SignatureVerificationException(Path file, String message) {
        super(file, message);
    }

    public SignatureVerificationException(Path file, String message, Throwable cause) {
        super(file, message, cause);
    }
}

package io.medseg;

import java.io.IOException;

/**
 * The root of the library's checked failures: something the library was given (a file, a record, a package, a
 * registry, the platform's native libraries) is not what it must be. The message names it and says what was
 * expected; a caller can show it as it is.
 *
 * <p>It is an {@link IOException} because every such failure comes from reading something, and the methods that
 * read already declare {@code IOException}: {@code catch (MedsegException e)} picks out the library's own findings
 * from the platform's I/O errors. Wrong arguments are {@link IllegalArgumentException}s and nulls
 * {@link NullPointerException}s, as usual.
 *
 * <ul>
 *   <li>{@link io.medseg.data.DataFormatException}: a file or record that is not what it claims to be, and its
 *       subclass {@code PackageIntegrityException} (MLOps module) for a model package that does not match its
 *       MANIFEST;</li>
 *   <li>{@link io.medseg.backend.BackendUnavailableException}: no backend can run here;</li>
 *   <li>{@code RegistryException} (MLOps module): a model registry refused a change by one of its rules.</li>
 * </ul>
 */
public abstract class MedsegException extends IOException {
    private static final long serialVersionUID = 1L;

    protected MedsegException(String message) {
        super(message);
    }

    protected MedsegException(String message, Throwable cause) {
        super(message, cause);
    }
}

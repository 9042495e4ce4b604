package io.medseg.examples.cli;

/** A mistake in what the user asked for (a missing path, a bad value): reported in one line, exit code 2. */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}

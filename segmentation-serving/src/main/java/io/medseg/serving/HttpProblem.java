package io.medseg.serving;

/**
 * A request the server answers with a 4xx or 5xx status and the protocol's error object,
 * {@code {"error": "<message>"}}: the message is for the client, so it names what was wrong and never carries a
 * stack trace.
 */
final class HttpProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    HttpProblem(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    static HttpProblem badRequest(String message) {
        return new HttpProblem(400, message);
    }
}

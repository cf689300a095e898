package io.strata.api;

/** The object exists but is in the wrong state for the request (for example removing a snapshot that has children, or committing a view). */
public final class FailedPreconditionException extends StrataException {
    public FailedPreconditionException(String message) {
        super(message);
    }

    public FailedPreconditionException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.strata.api;

/** The service or store cannot serve right now (closed, shutting down); the request may succeed later. */
public final class UnavailableException extends StrataException {
    public UnavailableException(String message) {
        super(message);
    }

    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

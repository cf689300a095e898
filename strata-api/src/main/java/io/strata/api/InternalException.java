package io.strata.api;

/** An unexpected failure below the API, such as an I/O error from the file system or the metastore. */
public final class InternalException extends StrataException {
    public InternalException(String message) {
        super(message);
    }

    public InternalException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.strata.api;

/** The request itself is malformed: an empty key, a bad filter, an unknown field path, labels over the size limit. */
public final class InvalidArgumentException extends StrataException {
    public InvalidArgumentException(String message) {
        super(message);
    }

    public InvalidArgumentException(String message, Throwable cause) {
        super(message, cause);
    }
}

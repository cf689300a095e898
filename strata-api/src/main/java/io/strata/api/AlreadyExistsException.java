package io.strata.api;

/** The key or name is already taken in its namespace. */
public final class AlreadyExistsException extends StrataException {
    public AlreadyExistsException(String message) {
        super(message);
    }

    public AlreadyExistsException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.strata.api;

/** The named snapshot (or parent, or object) does not exist. */
public final class NotFoundException extends StrataException {
    public NotFoundException(String message) {
        super(message);
    }

    public NotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}

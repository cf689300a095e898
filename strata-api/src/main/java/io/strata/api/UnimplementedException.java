package io.strata.api;

/**
 * The request is well formed but asks for what this part of Strata does not do (for example a
 * layer media type it cannot apply). containerd treats the matching gRPC code as "not
 * implemented" and tries its next plugin, so this must be raised before anything is changed.
 */
public final class UnimplementedException extends StrataException {
    public UnimplementedException(String message) {
        super(message);
    }

    public UnimplementedException(String message, Throwable cause) {
        super(message, cause);
    }
}

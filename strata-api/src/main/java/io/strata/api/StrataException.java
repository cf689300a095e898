package io.strata.api;

/**
 * Root of every error Strata reports on purpose. The hierarchy is closed: each subclass is one
 * kind of failure that maps to exactly one gRPC status code and one CLI exit code, in one place
 * each (the gRPC layer and the CLI). Code that catches {@code StrataException} can switch over
 * the permitted subclasses exhaustively.
 */
public sealed abstract class StrataException extends RuntimeException
        permits NotFoundException, AlreadyExistsException, FailedPreconditionException,
                InvalidArgumentException, UnavailableException, UnimplementedException, InternalException {

    protected StrataException(String message) {
        super(message);
    }

    protected StrataException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.strata.cli;

import io.strata.api.AlreadyExistsException;
import io.strata.api.FailedPreconditionException;
import io.strata.api.InternalException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.NotFoundException;
import io.strata.api.StrataException;
import io.strata.api.UnavailableException;
import io.strata.api.UnimplementedException;

/** The one place that maps Strata's error kinds to process exit codes. */
final class ExitCodes {
    private ExitCodes() {
    }

    static int of(StrataException e) {
        return switch (e) {
            case InvalidArgumentException x -> 2;
            case NotFoundException x -> 3;
            case AlreadyExistsException x -> 4;
            case FailedPreconditionException x -> 5;
            case UnavailableException x -> 6;
            case UnimplementedException x -> 7;
            case InternalException x -> 1;
        };
    }

    static String describe(StrataException e) {
        String kind = switch (e) {
            case InvalidArgumentException x -> "invalid argument";
            case NotFoundException x -> "not found";
            case AlreadyExistsException x -> "already exists";
            case FailedPreconditionException x -> "failed precondition";
            case UnavailableException x -> "unavailable";
            case UnimplementedException x -> "not implemented";
            case InternalException x -> "internal error";
        };
        return e.getMessage() + " (" + kind + ")";
    }
}

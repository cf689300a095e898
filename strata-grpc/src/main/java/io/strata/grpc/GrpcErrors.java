package io.strata.grpc;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.strata.api.AlreadyExistsException;
import io.strata.api.FailedPreconditionException;
import io.strata.api.InternalException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.NotFoundException;
import io.strata.api.StrataException;
import io.strata.api.UnavailableException;
import io.strata.api.UnimplementedException;
import java.util.function.Supplier;

/**
 * The one mapping between Strata's errors and gRPC statuses, in both directions, following
 * containerd's {@code errdefs/pkg/errgrpc}.
 *
 * <p>Server side ({@link #toStatus}): each {@link StrataException} subclass has one code, and the
 * description is the exception's message ending in containerd's name of the class (for example
 * {@code "snapshot k: not found"}), as a Go error wrapping {@code errdefs.ErrNotFound} prints.
 * A status passes through unchanged. Anything else is a bug or an unforeseen failure: it is logged
 * with its stack trace and becomes {@code INTERNAL}. A description is cut to
 * {@link #MAX_DESCRIPTION_BYTES}, keeping containerd's suffix, because messages quote keys, names
 * and filters as the client sent them, and a client refuses trailers past its metadata limit
 * (8 KiB in grpc-java): it would see a transport error instead of the status.
 *
 * <p>Client side ({@link #toException}): the code picks the subclass and the description is kept
 * whole as its message, so {@code toException(toStatus(e))} is of the same class as {@code e}.
 */
final class GrpcErrors {
    /**
     * Longest description sent, in bytes of UTF-8. The grpc-message trailer percent-encodes every
     * byte outside printable ASCII as three, so this stays under 8 KiB with room for the rest.
     */
    static final int MAX_DESCRIPTION_BYTES = 2048;

    private static final System.Logger LOG = System.getLogger(GrpcErrors.class.getName());
    private static final String ELLIPSIS = "\u2026";

    private GrpcErrors() {
    }

    /** The status code of each kind of Strata error. */
    public static Status.Code codeOf(StrataException e) {
        return switch (e) {
            case NotFoundException x -> Status.Code.NOT_FOUND;
            case AlreadyExistsException x -> Status.Code.ALREADY_EXISTS;
            case FailedPreconditionException x -> Status.Code.FAILED_PRECONDITION;
            case InvalidArgumentException x -> Status.Code.INVALID_ARGUMENT;
            case UnavailableException x -> Status.Code.UNAVAILABLE;
            case UnimplementedException x -> Status.Code.UNIMPLEMENTED;
            case InternalException x -> Status.Code.INTERNAL;
        };
    }

    /** The status a server answers with for {@code failure}. */
    public static StatusRuntimeException toStatus(Throwable failure) {
        return switch (failure) {
            case StatusRuntimeException s ->
                    fits(s.getStatus()) ? s : new StatusRuntimeException(shorten(s.getStatus()), s.getTrailers());
            case StatusException s -> new StatusRuntimeException(shorten(s.getStatus()), s.getTrailers());
            case StrataException e -> Status.fromCode(codeOf(e))
                    .withDescription(describe(e.getMessage(), codeOf(e)))
                    .asRuntimeException();
            default -> {
                LOG.log(System.Logger.Level.ERROR, "unexpected failure while serving a request", failure);
                yield Status.INTERNAL.withDescription(describe(failure.toString(), Status.Code.INTERNAL))
                        .asRuntimeException();
            }
        };
    }

    /**
     * The Strata error for a failed call, by status code: NOT_FOUND, ALREADY_EXISTS,
     * FAILED_PRECONDITION, INVALID_ARGUMENT and UNAVAILABLE map to the subclass of the same name;
     * UNIMPLEMENTED to {@link UnimplementedException}; OUT_OF_RANGE and RESOURCE_EXHAUSTED (a message over the size limit) to
     * {@link InvalidArgumentException} (the request asks for what the server cannot take);
     * CANCELLED, DEADLINE_EXCEEDED and ABORTED to {@link UnavailableException} (may succeed later);
     * anything else to {@link InternalException}.
     */
    public static StrataException toException(Throwable failure) {
        Status status = Status.fromThrowable(failure);
        String message = status.getDescription() != null ? status.getDescription() : status.getCode().toString();
        return switch (status.getCode()) {
            case NOT_FOUND -> new NotFoundException(message, failure);
            case ALREADY_EXISTS -> new AlreadyExistsException(message, failure);
            case FAILED_PRECONDITION -> new FailedPreconditionException(message, failure);
            case UNIMPLEMENTED -> new UnimplementedException(message, failure);
            case INVALID_ARGUMENT, OUT_OF_RANGE, RESOURCE_EXHAUSTED ->
                    new InvalidArgumentException(message, failure);
            case UNAVAILABLE, CANCELLED, DEADLINE_EXCEEDED, ABORTED -> new UnavailableException(message, failure);
            default -> new InternalException(message, failure);
        };
    }

    /** containerd's wording: the message, then ": " and the errdefs name of the code, unless already there. */
    static String describe(String message, Status.Code code) {
        String suffix = switch (code) {
            case NOT_FOUND -> "not found";
            case ALREADY_EXISTS -> "already exists";
            case FAILED_PRECONDITION -> "failed precondition";
            case INVALID_ARGUMENT -> "invalid argument";
            case UNAVAILABLE -> "unavailable";
            case UNIMPLEMENTED -> "not implemented";
            default -> "internal";
        };
        if (message == null || message.isEmpty() || message.equals(suffix)) {
            return suffix;
        }
        String tail = ": " + suffix;
        String body = message.endsWith(tail) ? message.substring(0, message.length() - tail.length()) : message;
        return shorten(body, MAX_DESCRIPTION_BYTES - tail.length()) + tail;
    }

    private static boolean fits(Status status) {
        String d = status.getDescription();
        return d == null || utf8Length(d, MAX_DESCRIPTION_BYTES + 1) <= MAX_DESCRIPTION_BYTES;
    }

    private static Status shorten(Status status) {
        return fits(status) ? status : status.withDescription(shorten(status.getDescription(), MAX_DESCRIPTION_BYTES));
    }

    /** {@code text} if it fits in {@code maxBytes} of UTF-8, else its longest prefix that fits with "…" after it. */
    static String shorten(String text, int maxBytes) {
        if (utf8Length(text, maxBytes + 1) <= maxBytes) {
            return text;
        }
        int budget = maxBytes - 3; // the ellipsis takes three bytes
        int end = 0;
        int bytes = 0;
        while (end < text.length()) {
            int cp = text.codePointAt(end);
            int size = utf8Size(cp);
            if (bytes + size > budget) {
                break;
            }
            bytes += size;
            end += Character.charCount(cp);
        }
        return text.substring(0, end) + ELLIPSIS;
    }

    /** The UTF-8 length of {@code text}, counting no further than {@code stopAt}. */
    private static int utf8Length(String text, int stopAt) {
        int bytes = 0;
        for (int i = 0; i < text.length() && bytes < stopAt; i += Character.charCount(text.codePointAt(i))) {
            bytes += utf8Size(text.codePointAt(i));
        }
        return bytes;
    }

    private static int utf8Size(int codePoint) {
        if (codePoint < 0x80) {
            return 1;
        }
        if (codePoint < 0x800) {
            return 2;
        }
        // A lone surrogate is encoded as "?" by Java's UTF-8 encoder, one byte; counting 3 is safe.
        return codePoint < 0x10000 ? 3 : 4;
    }

    /** Answers a unary call with what {@code body} returns, or with the status of what it throws. */
    static <T> void unary(StreamObserver<T> response, Supplier<T> body) {
        T reply;
        try {
            reply = body.get();
        } catch (RuntimeException e) {
            response.onError(toStatus(e));
            return;
        }
        response.onNext(reply);
        response.onCompleted();
    }
}

package io.strata.grpc;

import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.locks.LockSupport;

/** Flow control for a server stream sent from a blocking handler: wait while the client is not reading, stop when it has gone. */
final class StreamFlow {
    /** Thrown when the client has gone away; nothing more can be answered. */
    static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("call cancelled by the client", null, false, false);
        }
    }

    private static final long MAX_PAUSE_NANOS = 20_000_000;

    private StreamFlow() {
    }

    /**
     * Returns once {@code call} can take a message; throws {@link Cancelled} once the call's
     * {@code context} is cancelled.
     *
     * <p>Polls, because the call's onReady callback is delivered on the call's serialized executor,
     * which the handler occupies until it returns; the context's cancellation, unlike
     * call.isCancelled(), is published at once. Handlers run on virtual threads, so parking is cheap.
     */
    static void awaitReadyOrCancel(ServerCallStreamObserver<?> call, Context context) {
        long pause = 100_000;
        while (true) {
            if (context.isCancelled()) {
                throw new Cancelled();
            }
            if (call.isReady()) {
                return;
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
        }
    }
}

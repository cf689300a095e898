package io.strata.grpc;

import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.strata.api.Info;
import io.strata.grpc.proto.snapshots.ListSnapshotsResponse;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends infos on a List stream in batches, waiting while the client is not reading (so a slow or
 * stalled client does not make the server buffer the whole list) and stopping as soon as the call
 * is cancelled or its deadline passes.
 *
 * <p>A batch is flushed at {@code maxCount} infos, as containerd's service does, or earlier when
 * its encoded size would pass {@code maxBytes}, so a batch of label-heavy infos stays under the
 * receiver's message size limit.
 */
final class ListStreamer {
    /** Thrown out of {@link #send} when the client has gone away; nothing more can be answered. */
    static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("call cancelled by the client", null, false, false);
        }
    }

    private static final long MAX_PAUSE_NANOS = 20_000_000;

    private final ServerCallStreamObserver<ListSnapshotsResponse> call;
    private final Context context;
    private final int maxCount;
    private final int maxBytes;

    ListStreamer(ServerCallStreamObserver<ListSnapshotsResponse> call, int maxCount, int maxBytes) {
        this.call = call;
        this.context = Context.current();
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
        // Without a handler, onNext after a cancellation would throw.
        call.setOnCancelHandler(() -> { });
    }

    /** Sends every info, then completes the call. */
    void send(List<Info> infos) {
        ListSnapshotsResponse.Builder batch = ListSnapshotsResponse.newBuilder();
        int bytes = 0;
        for (Info info : infos) {
            var proto = ProtoConvert.toProto(info);
            int size = proto.getSerializedSize() + 8;
            if (batch.getInfoCount() > 0 && (batch.getInfoCount() >= maxCount || bytes + size > maxBytes)) {
                flush(batch);
                batch = ListSnapshotsResponse.newBuilder();
                bytes = 0;
            }
            batch.addInfo(proto);
            bytes += size;
        }
        if (batch.getInfoCount() > 0) {
            flush(batch);
        }
        call.onCompleted();
    }

    private void flush(ListSnapshotsResponse.Builder batch) {
        awaitReadyOrCancel();
        call.onNext(batch.build());
    }

    /*
     * Polls, because the call's onReady callback is delivered on the call's serialized executor,
     * which this handler occupies until it returns; the context's cancellation, unlike
     * call.isCancelled(), is published at once. Handlers run on virtual threads, so parking is cheap.
     */
    private void awaitReadyOrCancel() {
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

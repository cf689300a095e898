package io.strata.grpc;

import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.strata.api.Info;
import io.strata.grpc.proto.snapshots.ListSnapshotsResponse;
import java.util.List;

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
        StreamFlow.awaitReadyOrCancel(call, context);
        call.onNext(batch.build());
    }
}

package io.strata.grpc;

import com.google.protobuf.Empty;
import io.grpc.stub.StreamObserver;
import io.strata.api.StrataVersion;
import io.strata.grpc.proto.version.VersionGrpc;
import io.strata.grpc.proto.version.VersionResponse;

/**
 * containerd's {@code containerd.services.version.v1.Version}: what {@code ctr version} and
 * {@code strata version --address} ask a server. Answers {@link StrataVersion#current()}.
 * ({@code ctr version} then asks {@link IntrospectionService} for the server's UUID.)
 */
final class VersionService extends VersionGrpc.VersionImplBase {
    private final VersionResponse answer;

    VersionService(StrataVersion version) {
        this.answer = VersionResponse.newBuilder().setVersion(version.version()).setRevision(version.revision()).build();
    }

    @Override
    public void version(Empty request, StreamObserver<VersionResponse> response) {
        response.onNext(answer);
        response.onCompleted();
    }
}

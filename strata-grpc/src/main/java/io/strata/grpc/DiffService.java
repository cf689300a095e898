package io.strata.grpc;

import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.strata.api.InvalidArgumentException;
import io.strata.api.UnimplementedException;
import io.strata.grpc.proto.diff.ApplyRequest;
import io.strata.grpc.proto.diff.ApplyResponse;
import io.strata.grpc.proto.diff.DiffGrpc;
import io.strata.grpc.proto.diff.DiffRequest;
import io.strata.grpc.proto.diff.DiffResponse;
import io.strata.grpc.proto.types.Descriptor;
import io.strata.image.diff.LayerApplication;
import java.util.Objects;

/**
 * containerd's {@code containerd.services.diff.v1.Diff} service, what a containerd proxy plugin of
 * type {@code diff} serves: {@code Apply} is {@link LayerApplication#apply}; {@code Diff} answers
 * {@code UNIMPLEMENTED}, on which containerd's diff service asks its next differ.
 *
 * <p>Guarantees: a request without a descriptor, or with one whose digest, size or media type is
 * malformed, is {@code INVALID_ARGUMENT} naming the field; every other failure is answered with the
 * status {@link GrpcErrors} gives for what {@link LayerApplication} raised. The caller's
 * {@code containerd-namespace} header, when there is one, is passed on (containerd 2.1 sends none
 * to a proxy differ).
 */
final class DiffService implements DiffGrpc.AsyncService, BindableService {
    private final LayerApplication application;

    DiffService(LayerApplication application) {
        this.application = Objects.requireNonNull(application, "application");
    }

    @Override
    public ServerServiceDefinition bindService() {
        return UnparsableRequests.answered(
                ServerInterceptors.intercept(DiffGrpc.bindService(this), NamespaceHeader.serverInterceptor()));
    }

    @Override
    public void apply(ApplyRequest req, StreamObserver<ApplyResponse> response) {
        GrpcErrors.unary(response, () -> {
            if (!req.hasDiff()) {
                throw new InvalidArgumentException("diff descriptor missing");
            }
            Descriptor d = req.getDiff();
            if (d.getDigest().isEmpty()) {
                throw new InvalidArgumentException("diff descriptor has no digest");
            }
            var layer = new io.strata.oci.Descriptor(d.getMediaType(), d.getDigest(), d.getSize(),
                    d.getAnnotationsMap(), java.util.Optional.empty(), java.util.List.of());
            var applied = application.apply(layer, ProtoConvert.toApi(req.getMountsList()), req.getPayloadsCount() > 0,
                    req.getSyncFs(), NamespaceHeader.current());
            return ApplyResponse.newBuilder().setApplied(Descriptor.newBuilder().setMediaType(applied.mediaType())
                    .setDigest(applied.digest()).setSize(applied.size())).build();
        });
    }

    @Override
    public void diff(DiffRequest req, StreamObserver<DiffResponse> response) {
        GrpcErrors.unary(response, () -> {
            throw new UnimplementedException("Strata's differ applies layers only; computing a diff is left to"
                    + " containerd's next differ");
        });
    }
}

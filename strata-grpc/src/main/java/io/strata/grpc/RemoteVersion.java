package io.strata.grpc;

import com.google.protobuf.Empty;
import io.grpc.StatusRuntimeException;
import io.strata.api.StrataVersion;
import io.strata.grpc.proto.version.VersionGrpc;
import io.strata.grpc.proto.version.VersionResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Asks the server on a unix socket, a strata daemon or containerd, which version it is. */
public final class RemoteVersion {
    private RemoteVersion() {
    }

    /**
     * The version the server on {@code socket} answers.
     *
     * @throws io.strata.api.StrataException as {@link GrpcErrors} maps the call's status; a server
     *         that cannot be reached is {@link io.strata.api.UnavailableException}
     */
    public static StrataVersion of(Path socket) {
        try (UnixChannel channel = new UnixChannel(socket.toAbsolutePath(), null)) {
            VersionResponse r = VersionGrpc.newBlockingStub(channel.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .version(Empty.getDefaultInstance());
            return new StrataVersion(r.getVersion(), r.getRevision());
        } catch (StatusRuntimeException e) {
            io.strata.api.StrataException err = GrpcErrors.toException(e);
            if (err instanceof io.strata.api.UnavailableException) {
                throw new io.strata.api.UnavailableException("no server answers on " + socket + ": " + err.getMessage(), e);
            }
            throw err;
        }
    }
}

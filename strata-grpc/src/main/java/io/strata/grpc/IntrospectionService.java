package io.strata.grpc;

import com.google.protobuf.Empty;
import io.grpc.stub.StreamObserver;
import io.strata.grpc.proto.introspection.IntrospectionGrpc;
import io.strata.grpc.proto.introspection.ServerResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code Server} call of containerd's {@code containerd.services.introspection.v1.Introspection}:
 * the server's UUID, process id and PID namespace, which {@code ctr version} prints after the
 * version. The other calls (plugin listings) answer UNIMPLEMENTED.
 */
final class IntrospectionService extends IntrospectionGrpc.IntrospectionImplBase {
    private final ServerResponse answer;

    IntrospectionService(String uuid) {
        this.answer = ServerResponse.newBuilder().setUuid(uuid).setPid(ProcessHandle.current().pid()).setPidns(pidNamespace()).build();
    }

    @Override
    public void server(Empty request, StreamObserver<ServerResponse> response) {
        response.onNext(answer);
        response.onCompleted();
    }

    /** The inode of this process's PID namespace ({@code /proc/self/ns/pid} reads {@code pid:[4026531836]}), or 0. */
    static long pidNamespace() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
            return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }
}

package io.strata.grpc;

import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.stub.MetadataUtils;
import java.util.Optional;

/**
 * How a containerd namespace travels with a gRPC call: the {@code containerd-namespace} metadata
 * header, as containerd's {@code pkg/namespaces/grpc.go} sends and reads it.
 */
final class NamespaceHeader {
    /** The metadata header carrying the namespace. */
    public static final String HEADER = "containerd-namespace";

    static final Metadata.Key<String> KEY = Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> CURRENT = Context.key(HEADER);

    private NamespaceHeader() {
    }

    /** Copies the header of each incoming call into the call's {@link Context}, for {@link #current()}. */
    static ServerInterceptor serverInterceptor() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                               ServerCallHandler<Q, R> next) {
                Iterable<String> values = headers.getAll(KEY);
                if (values == null) {
                    return next.startCall(call, headers);
                }
                // containerd reads the first value: its client puts the newest namespace first.
                String ns = values.iterator().next();
                return Contexts.interceptCall(Context.current().withValue(CURRENT, ns), call, headers, next);
            }
        };
    }

    /** Sends {@code namespace} as the header of every call. */
    static ClientInterceptor clientInterceptor(String namespace) {
        Metadata md = new Metadata();
        md.put(KEY, namespace);
        return MetadataUtils.newAttachHeadersInterceptor(md);
    }

    /** The namespace of the call being served, if its header named one (an empty header names none). */
    static Optional<String> current() {
        return Optional.ofNullable(CURRENT.get()).filter(ns -> !ns.isEmpty());
    }
}

package io.strata.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Answers a request whose bytes do not parse as its message as containerd's gRPC server (grpc-go)
 * does: {@code INTERNAL "grpc: error unmarshalling request: <what protobuf says>"}.
 *
 * <p>Left to itself, grpc-java answers {@code UNKNOWN "Application error processing RPC"} and logs
 * a SEVERE stack trace for each such request, so any client could fill the daemon's log with
 * garbage. Here the service's methods take the request as bytes off the wire and parse them in
 * the call's handler, where a failure can be answered and logged at DEBUG. The message size limit
 * is still applied by the transport before any of this.
 */
final class UnparsableRequests {
    /** The start of the description of every such answer, grpc-go's words. */
    static final String PREFIX = "grpc: error unmarshalling request: ";

    private static final System.Logger LOG = System.getLogger(UnparsableRequests.class.getName());

    /** Takes a message as its bytes, unparsed. */
    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try (stream) {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private UnparsableRequests() {
    }

    /** {@code service} with each method parsing its own requests and answering those that do not parse. */
    static ServerServiceDefinition answered(ServerServiceDefinition service) {
        ServiceDescriptor original = service.getServiceDescriptor();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        var methods = service.getMethods().stream().map(UnparsableRequests::answered).toList();
        methods.forEach(m -> descriptor.addMethod(m.getMethodDescriptor()));
        ServerServiceDefinition.Builder wrapped = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(wrapped::addMethod);
        return wrapped.build();
    }

    private static <Q, R> ServerMethodDefinition<byte[], R> answered(ServerMethodDefinition<Q, R> definition) {
        MethodDescriptor<Q, R> method = definition.getMethodDescriptor();
        MethodDescriptor<byte[], R> raw = method.toBuilder(BYTES, method.getResponseMarshaller()).build();
        return ServerMethodDefinition.create(raw, (call, headers) -> {
            ServerCall.Listener<Q> handler = definition.getServerCallHandler().startCall(typed(call, method), headers);
            return new Parsing<>(call, method, handler);
        });
    }

    /**
     * The call as the original handler expects it. The request type appears in a ServerCall's
     * signature only through getMethodDescriptor, which is overridden, so the cast is safe.
     */
    @SuppressWarnings("unchecked")
    private static <Q, R> ServerCall<Q, R> typed(ServerCall<byte[], R> call, MethodDescriptor<Q, R> method) {
        ServerCall<Q, R> same = (ServerCall<Q, R>) (ServerCall<?, R>) call;
        return new ForwardingServerCall.SimpleForwardingServerCall<>(same) {
            @Override
            public MethodDescriptor<Q, R> getMethodDescriptor() {
                return method;
            }
        };
    }

    /** Parses each request before the handler sees it; after a failure the handler hears only the call's end. */
    private static final class Parsing<Q, R> extends ServerCall.Listener<byte[]> {
        private final ServerCall<byte[], R> call;
        private final MethodDescriptor<Q, R> method;
        private final ServerCall.Listener<Q> handler;
        private boolean failed;

        Parsing(ServerCall<byte[], R> call, MethodDescriptor<Q, R> method, ServerCall.Listener<Q> handler) {
            this.call = call;
            this.method = method;
            this.handler = handler;
        }

        @Override
        public void onMessage(byte[] bytes) {
            if (failed) {
                return;
            }
            Q request;
            try {
                request = method.parseRequest(new ByteArrayInputStream(bytes));
            } catch (RuntimeException e) {
                failed = true;
                String why = rootMessage(e);
                LOG.log(System.Logger.Level.DEBUG, () -> "unparsable request to " + method.getFullMethodName() + ": " + why);
                call.close(Status.INTERNAL.withDescription(PREFIX + why), new Metadata());
                return;
            }
            handler.onMessage(request);
        }

        @Override
        public void onHalfClose() {
            if (!failed) {
                handler.onHalfClose();
            }
        }

        @Override
        public void onReady() {
            if (!failed) {
                handler.onReady();
            }
        }

        @Override
        public void onCancel() {
            handler.onCancel();
        }

        @Override
        public void onComplete() {
            handler.onComplete();
        }
    }

    /** protobuf's own words (grpc-java wraps them in "Invalid protobuf byte sequence"). */
    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }
}

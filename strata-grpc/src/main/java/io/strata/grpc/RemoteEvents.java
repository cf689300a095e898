package io.strata.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.strata.events.Envelope;
import io.strata.events.Event;
import io.strata.events.EventCodec;
import io.strata.grpc.proto.events.EventsGrpc;
import io.strata.grpc.proto.events.ForwardRequest;
import io.strata.grpc.proto.events.PublishRequest;
import io.strata.grpc.proto.events.SubscribeRequest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * A client of containerd's Events service on a unix socket: a Strata daemon's or containerd's
 * own. Errors come back as Strata's exceptions, as from {@link RemoteSnapshotter}.
 */
public final class RemoteEvents implements AutoCloseable {
    private final UnixChannel channel;
    private final EventsGrpc.EventsBlockingStub stub;

    private RemoteEvents(Path socket, String namespace) {
        this.channel = new UnixChannel(socket, namespace);
        this.stub = EventsGrpc.newBlockingStub(channel.channel());
    }

    /** A client of the server on {@code socket}, sending {@code namespace} with each call unless it is null. */
    public static RemoteEvents connect(Path socket, String namespace) {
        return new RemoteEvents(socket.toAbsolutePath(), namespace);
    }

    /** Publishes {@code event} on {@code topic} in the client's namespace. */
    public void publish(String topic, Event event) {
        call(() -> stub.publish(PublishRequest.newBuilder().setTopic(topic).setEvent(any(event)).build()));
    }

    /** Forwards an envelope made elsewhere, with its timestamp and namespace. */
    public void forward(Envelope envelope) {
        call(() -> stub.forward(ForwardRequest.newBuilder().setEnvelope(EventsService.toProto(envelope)).build()));
    }

    /**
     * Subscribes with containerd's event {@code filters} and hands each event to {@code consumer}
     * until it returns false or the server ends the stream. The envelopes' sequence numbers are
     * 0: they do not travel on the wire.
     */
    public void subscribe(Predicate<Envelope> consumer, List<String> filters) {
        try (Context.CancellableContext ctx = Context.current().withCancellation()) {
            ctx.run(() -> call(() -> {
                Iterator<io.strata.grpc.proto.events.Envelope> it =
                        stub.subscribe(SubscribeRequest.newBuilder().addAllFilters(filters).build());
                while (it.hasNext()) {
                    if (!consumer.test(fromProto(it.next()))) {
                        return null;
                    }
                }
                return null;
            }));
        }
    }

    static Envelope fromProto(io.strata.grpc.proto.events.Envelope e) {
        return new Envelope(0, Instant.ofEpochSecond(e.getTimestamp().getSeconds(), e.getTimestamp().getNanos()),
                e.getNamespace(), e.getTopic(), EventCodec.decode(e.getEvent().getTypeUrl(), e.getEvent().getValue().toByteArray()));
    }

    private static Any any(Event event) {
        return Any.newBuilder().setTypeUrl(event.typeName()).setValue(ByteString.copyFrom(EventCodec.encode(event))).build();
    }

    private static <T> T call(java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (StatusRuntimeException e) {
            throw GrpcErrors.toException(e);
        }
    }

    @Override
    public void close() {
        channel.close();
    }
}

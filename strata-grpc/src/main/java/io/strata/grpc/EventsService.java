package io.strata.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.Timestamp;
import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.strata.api.InvalidArgumentException;
import io.strata.events.Envelope;
import io.strata.events.Event;
import io.strata.events.EventCodec;
import io.strata.events.EventJournal;
import io.strata.events.Subscription;
import io.strata.grpc.proto.events.EventsGrpc;
import io.strata.grpc.proto.events.ForwardRequest;
import io.strata.grpc.proto.events.PublishRequest;
import io.strata.grpc.proto.events.SubscribeRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * containerd's Events service over a state root's {@link EventJournal}: {@code Subscribe} streams
 * what the daemon, the CLI and library users on the root publish from the moment of the call
 * (all namespaces unless a filter says otherwise, as in containerd); {@code Publish} and
 * {@code Forward} add events. Payloads travel in an {@code Any} whose type URL is containerd's bare
 * message name, which is what containerd's {@code typeurl} writes and reads.
 */
final class EventsService implements EventsGrpc.AsyncService, BindableService {
    private static final Duration WAIT = Duration.ofMillis(500);

    private final java.util.concurrent.CompletableFuture<EventJournal> opening;
    private final Set<Subscription> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    public EventsService(EventJournal journal) {
        this(java.util.concurrent.CompletableFuture.completedFuture(java.util.Objects.requireNonNull(journal, "journal")));
    }

    /** Serves {@code journal} once it is open; calls made before then wait for it. */
    public EventsService(java.util.concurrent.CompletableFuture<EventJournal> journal) {
        this.opening = java.util.Objects.requireNonNull(journal, "journal");
    }

    @Override
    public ServerServiceDefinition bindService() {
        return ServerInterceptors.intercept(EventsGrpc.bindService(this), NamespaceHeader.serverInterceptor());
    }

    @Override
    public void publish(PublishRequest req, StreamObserver<Empty> response) {
        GrpcErrors.unary(response, () -> {
            String ns = NamespaceHeader.current().orElseThrow(
                    () -> new InvalidArgumentException("namespace is required: send the " + NamespaceHeader.HEADER + " header"));
            journal().append(ns, req.getTopic(), event(req.hasEvent() ? Optional.of(req.getEvent()) : Optional.empty()));
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void forward(ForwardRequest req, StreamObserver<Empty> response) {
        GrpcErrors.unary(response, () -> {
            if (!req.hasEnvelope()) {
                throw new InvalidArgumentException("envelope is required");
            }
            var e = req.getEnvelope();
            Instant ts = e.hasTimestamp() ? Instant.ofEpochSecond(e.getTimestamp().getSeconds(), e.getTimestamp().getNanos())
                    : Instant.now();
            journal().forward(new Envelope(0, ts, e.getNamespace(), e.getTopic(),
                    event(e.hasEvent() ? Optional.of(e.getEvent()) : Optional.empty())));
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void subscribe(SubscribeRequest req, StreamObserver<io.strata.grpc.proto.events.Envelope> response) {
        var call = (ServerCallStreamObserver<io.strata.grpc.proto.events.Envelope>) response;
        call.setOnCancelHandler(() -> { });
        Predicate<Envelope> filter;
        try {
            filter = Envelope.matching(req.getFiltersList().toArray(String[]::new));
        } catch (RuntimeException e) {
            call.onError(GrpcErrors.toStatus(e));
            return;
        }
        Context context = Context.current();
        EventJournal journal;
        try {
            journal = journal();
        } catch (RuntimeException e) {
            call.onError(GrpcErrors.toStatus(e));
            return;
        }
        try (Subscription sub = journal.subscribe(journal.latest(), filter)) {
            open.add(sub);
            while (!closing && !context.isCancelled()) {
                Optional<Envelope> next = sub.next(WAIT);
                if (next.isPresent()) {
                    StreamFlow.awaitReadyOrCancel(call, context);
                    call.onNext(toProto(next.get()));
                }
            }
            open.remove(sub);
            if (!context.isCancelled()) {
                call.onCompleted();
            }
        } catch (StreamFlow.Cancelled gone) {
            // The client went away; nothing to answer.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.onError(GrpcErrors.toStatus(new io.strata.api.UnavailableException("server shutting down", e)));
        } catch (RuntimeException e) {
            call.onError(GrpcErrors.toStatus(e));
        }
    }

    private EventJournal journal() {
        try {
            return opening.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof io.strata.api.StrataException se) {
                throw se;
            }
            throw new io.strata.api.UnavailableException("the event journal could not be opened: " + e.getCause(), e.getCause());
        }
    }

    /** Ends every subscription's stream (completed, as containerd's does on shutdown); later ones end at once. */
    public void close() {
        closing = true;
        open.forEach(Subscription::close);
    }

    static io.strata.grpc.proto.events.Envelope toProto(Envelope e) {
        return io.strata.grpc.proto.events.Envelope.newBuilder()
                .setTimestamp(Timestamp.newBuilder().setSeconds(e.timestamp().getEpochSecond()).setNanos(e.timestamp().getNano()))
                .setNamespace(e.namespace())
                .setTopic(e.topic())
                .setEvent(Any.newBuilder().setTypeUrl(e.event().typeName())
                        .setValue(ByteString.copyFrom(EventCodec.encode(e.event()))))
                .build();
    }

    private static Event event(Optional<Any> any) {
        Any a = any.orElseThrow(() -> new InvalidArgumentException("event is required"));
        if (a.getTypeUrl().isEmpty()) {
            throw new InvalidArgumentException("event has no type URL");
        }
        return EventCodec.decode(a.getTypeUrl(), a.getValue().toByteArray());
    }
}

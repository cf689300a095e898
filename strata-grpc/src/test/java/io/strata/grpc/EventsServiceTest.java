package io.strata.grpc;

import io.strata.service.NamespaceMode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Snapshotter;
import io.strata.backend.Backends;
import io.strata.events.Envelope;
import io.strata.events.Event;
import io.strata.events.EventCodec;
import io.strata.events.EventJournal;
import io.strata.grpc.proto.eventtypes.ContentDelete;
import io.strata.grpc.proto.imageevents.ImageCreate;
import io.strata.grpc.proto.imageevents.ImageDelete;
import io.strata.grpc.proto.imageevents.ImageUpdate;
import io.strata.grpc.proto.eventtypes.SnapshotCommit;
import io.strata.grpc.proto.eventtypes.SnapshotPrepare;
import io.strata.grpc.proto.eventtypes.SnapshotRemove;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** containerd's Events service on the daemon: what snapshot calls publish, Publish, Forward, filters and shutdown. */
class EventsServiceTest {
    private static final long HANG_SECONDS = 30;
    private static final String MARKER = "/test/marker";

    private Path dir;
    private StrataServer server;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("strata-events-");
        Path state = dir.resolve("state");
        server = StrataServer.create(dir.resolve("strata.sock"), Map.of("native", Backends.open("native", state)),
                NamespaceMode.ISOLATE, EventJournal.openIn(state)).start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        server.close();
        io.strata.testkit.Tree.deleteTree(dir);
    }

    private <T extends AutoCloseable> T track(T client) {
        clients.add(client);
        return client;
    }

    /**
     * Subscribes on a background thread; events arrive in the returned queue once the
     * subscription is live, which a marker event proves before the test acts. Markers are never queued.
     */
    private BlockingQueue<Envelope> subscribe(String... filters) throws Exception {
        BlockingQueue<Envelope> got = new LinkedBlockingQueue<>();
        CountDownLatch live = new CountDownLatch(1);
        AtomicReference<RuntimeException> failed = new AtomicReference<>();
        List<String> withMarker = new ArrayList<>(List.of(filters));
        withMarker.add("topic==\"" + MARKER + "\"");
        RemoteEvents events = track(RemoteEvents.connect(server.socket(), null));
        Thread.ofVirtual().start(() -> {
            try {
                events.subscribe(e -> {
                    if (e.topic().equals(MARKER)) {
                        live.countDown();
                    } else {
                        got.add(e);
                    }
                    return true;
                }, withMarker);
            } catch (RuntimeException e) {
                failed.set(e); // also when the client is closed at the end of the test
            }
        });
        RemoteEvents marker = track(RemoteEvents.connect(server.socket(), "marker"));
        for (int tries = 0; tries < HANG_SECONDS * 10; tries++) {
            marker.publish(MARKER, new Event.ImageDelete("marker"));
            if (live.await(100, TimeUnit.MILLISECONDS)) {
                return got;
            }
            if (failed.get() != null) {
                throw new AssertionError("subscribing failed", failed.get());
            }
        }
        throw new AssertionError("subscription not live within " + HANG_SECONDS + " s");
    }

    private static Envelope next(BlockingQueue<Envelope> q) throws InterruptedException {
        Envelope e = q.poll(HANG_SECONDS, TimeUnit.SECONDS);
        assertThat(e).as("an event within %d s", HANG_SECONDS).isNotNull();
        return e;
    }

    @Test
    void snapshotCallsPublishInTheCallersNamespaceWithItsOwnKeys() throws Exception {
        BlockingQueue<Envelope> got = subscribe("topic~=\"^/snapshot/\"");
        Snapshotter sn = track(RemoteSnapshotter.builder(server.socket(), "native").namespace("k8s.io").connect());
        sn.prepare("work", "");
        sn.view("look", "");
        sn.commit("base", "work");
        sn.remove("look");
        assertThat(next(got)).satisfies(e -> {
            assertThat(e.namespace()).isEqualTo("k8s.io");
            assertThat(e.topic()).isEqualTo("/snapshot/prepare");
            assertThat(e.event()).isEqualTo(new Event.SnapshotPrepare("work", "", "native"));
        });
        assertThat(next(got).event()).isEqualTo(new Event.SnapshotCommit("work", "base", "native"));
        assertThat(next(got).event()).isEqualTo(new Event.SnapshotRemove("look", "native"));
        assertThat(got.poll()).isNull();
    }

    @Test
    void publishAndForwardReachSubscribersAndBadOnesAreRefused() throws Exception {
        BlockingQueue<Envelope> got = subscribe("namespace==team");
        RemoteEvents team = track(RemoteEvents.connect(server.socket(), "team"));
        team.publish("/images/delete", new Event.ImageDelete("app:1"));
        Envelope published = next(got);
        assertThat(published.topic()).isEqualTo("/images/delete");
        assertThat(published.event()).isEqualTo(new Event.ImageDelete("app:1"));

        Instant then = Instant.parse("2021-05-06T07:08:09.000000123Z");
        team.forward(new Envelope(0, then, "team", "/custom/thing", new Event.Opaque("example.com/x.Y", new byte[]{1, 2, 3})));
        Envelope forwarded = next(got);
        assertThat(forwarded.timestamp()).isEqualTo(then);
        assertThat(forwarded.event()).isEqualTo(new Event.Opaque("example.com/x.Y", new byte[]{1, 2, 3}));

        RemoteEvents noNamespace = track(RemoteEvents.connect(server.socket(), null));
        assertThatThrownBy(() -> noNamespace.publish("/images/delete", new Event.ImageDelete("x")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("namespace is required");
        assertThatThrownBy(() -> team.publish("images/delete", new Event.ImageDelete("x")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("must start with '/'");
        assertThatThrownBy(() -> team.subscribe(e -> false, List.of("topic==")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("parse error");
        assertThat(got.poll()).isNull();
    }

    @Test
    void shuttingDownEndsSubscriptionsWithinTheGracePeriod() throws Exception {
        subscribe();
        assertThat(server.shutdown(Duration.ofSeconds(HANG_SECONDS))).as("drained").isTrue();
    }

    @Test
    void strataWritesEventsAsContainerdsGeneratedCodeReadsThem() throws InvalidProtocolBufferException {
        Map<String, String> labels = Map.of("a", "1", "b", "");
        assertThat(SnapshotPrepare.parseFrom(EventCodec.encode(new Event.SnapshotPrepare("k", "p", "s"))))
                .isEqualTo(SnapshotPrepare.newBuilder().setKey("k").setParent("p").setSnapshotter("s").build());
        assertThat(SnapshotCommit.parseFrom(EventCodec.encode(new Event.SnapshotCommit("k", "n", "s"))))
                .isEqualTo(SnapshotCommit.newBuilder().setKey("k").setName("n").setSnapshotter("s").build());
        assertThat(SnapshotRemove.parseFrom(EventCodec.encode(new Event.SnapshotRemove("k", ""))))
                .isEqualTo(SnapshotRemove.newBuilder().setKey("k").build());
        assertThat(ImageCreate.parseFrom(EventCodec.encode(new Event.ImageCreate("i", labels))))
                .isEqualTo(ImageCreate.newBuilder().setName("i").putAllLabels(labels).build());
        assertThat(ImageUpdate.parseFrom(EventCodec.encode(new Event.ImageUpdate("i", labels))))
                .isEqualTo(ImageUpdate.newBuilder().setName("i").putAllLabels(labels).build());
        assertThat(ImageDelete.parseFrom(EventCodec.encode(new Event.ImageDelete("i"))))
                .isEqualTo(ImageDelete.newBuilder().setName("i").build());
        assertThat(ContentDelete.parseFrom(EventCodec.encode(new Event.ContentDelete("sha256:x"))))
                .isEqualTo(ContentDelete.newBuilder().setDigest("sha256:x").build());
        // and reads what the generated code writes
        assertThat(EventCodec.decode("containerd.services.images.v1.ImageUpdate",
                ImageUpdate.newBuilder().setName("i").putAllLabels(labels).build().toByteArray()))
                .isEqualTo(new Event.ImageUpdate("i", labels));
        assertThat(EventCodec.decode("containerd.events.SnapshotCommit",
                SnapshotCommit.newBuilder().setKey("k").setName("n").setSnapshotter("s").build().toByteArray()))
                .isEqualTo(new Event.SnapshotCommit("k", "n", "s"));
    }
}

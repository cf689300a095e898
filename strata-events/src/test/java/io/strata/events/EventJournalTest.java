package io.strata.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.InvalidArgumentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventJournalTest {
    private static final Duration HANG = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private EventJournal journal;

    @BeforeEach
    void open() {
        journal = EventJournal.openIn(dir);
    }

    @AfterEach
    void close() {
        journal.close();
    }

    @Test
    void everyKindOfEventComesBackAsStoredInOrder() {
        List<Event> events = List.of(
                new Event.SnapshotPrepare("extract-1", "sha256:abc", "overlayfs"),
                new Event.SnapshotCommit("extract-1", "sha256:def", "overlayfs"),
                new Event.SnapshotRemove("extract-1", "native"),
                new Event.ImageCreate("docker.io/library/app:1", Map.of("b", "2", "a", "1")),
                new Event.ImageUpdate("docker.io/library/app:1", Map.of()),
                new Event.ImageDelete("docker.io/library/app:1"),
                new Event.ContentDelete("sha256:" + "0".repeat(64)),
                new Event.Opaque("example.com/custom.Thing", new byte[]{8, 1, 0x12, 0}));
        long before = journal.latest();
        for (Event e : events) {
            journal.append("default", e instanceof Event.Opaque ? "/custom/thing" : e.topic(), e);
        }
        List<Envelope> read = journal.read(before, 100);
        assertThat(read).extracting(Envelope::event).containsExactlyElementsOf(events);
        assertThat(read).extracting(Envelope::topic).startsWith("/snapshot/prepare", "/snapshot/commit", "/snapshot/remove",
                "/images/create", "/images/update", "/images/delete", "/content/delete", "/custom/thing");
        assertThat(read).extracting(Envelope::sequence).isSorted().doesNotHaveDuplicates();
        assertThat(journal.latest()).isEqualTo(read.getLast().sequence());
    }

    @Test
    void badTopicsAndNamespacesAreRefusedAndNothingIsStored() {
        long before = journal.latest();
        Event e = new Event.ImageDelete("x");
        assertThatThrownBy(() -> journal.append("default", "images/delete", e))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("must start with '/'");
        assertThatThrownBy(() -> journal.append("default", "/images//delete", e))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("empty component");
        assertThatThrownBy(() -> journal.append("", "/images/delete", e))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("namespace must not be empty");
        assertThatThrownBy(() -> journal.append("bad ns", "/images/delete", e))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("namespace \"bad ns\"");
        assertThat(journal.latest()).isEqualTo(before);
    }

    @Test
    void forwardKeepsTheTimestampAndNamespaceGiven() {
        Instant then = Instant.parse("2020-01-02T03:04:05.123456789Z");
        Envelope stored = journal.forward(new Envelope(0, then, "k8s.io", "/images/delete", new Event.ImageDelete("x")));
        Envelope read = journal.read(stored.sequence() - 1, 1).getFirst();
        assertThat(read).isEqualTo(stored);
        assertThat(read.timestamp()).isEqualTo(then);
        assertThat(read.namespace()).isEqualTo("k8s.io");
    }

    @Test
    void aSubscriptionSeesOnlyNewMatchingEvents() throws Exception {
        journal.publish("default", new Event.SnapshotPrepare("old", "", "overlayfs"));
        try (Subscription sub = journal.subscribe(journal.latest(),
                Envelope.matching("topic~=\"^/snapshot/\",namespace==default", "event.labels.team==infra"))) {
            journal.publish("default", new Event.ImageCreate("skipped", Map.of("team", "web")));
            journal.publish("other", new Event.SnapshotPrepare("other-ns", "", "overlayfs"));
            journal.publish("default", new Event.SnapshotCommit("k", "n", "overlayfs"));
            journal.publish("other", new Event.ImageCreate("infra-image", Map.of("team", "infra")));
            assertThat(sub.next(HANG)).map(Envelope::event).contains(new Event.SnapshotCommit("k", "n", "overlayfs"));
            assertThat(sub.next(HANG)).map(Envelope::event).contains(new Event.ImageCreate("infra-image", Map.of("team", "infra")));
            assertThat(sub.next(Duration.ZERO)).isEmpty();
            assertThat(sub.position()).isEqualTo(journal.latest());
        }
    }

    @Test
    void eventsFilteredByPayloadFields() {
        var byKey = Envelope.matching("event.key==a");
        var byDigest = Envelope.matching("event.digest~=\"^sha256:\"");
        Envelope a = new Envelope(1, Instant.now(), "default", "/snapshot/remove", new Event.SnapshotRemove("a", "native"));
        Envelope d = new Envelope(2, Instant.now(), "default", "/content/delete", new Event.ContentDelete("sha256:1"));
        assertThat(byKey.test(a)).isTrue();
        assertThat(byKey.test(d)).isFalse();
        assertThat(byDigest.test(d)).isTrue();
        assertThat(byDigest.test(a)).isFalse();
        assertThatThrownBy(() -> Envelope.matching("topic=="))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void eventsAnotherProcessAppendsReachASubscriber() throws Exception {
        try (Subscription sub = journal.subscribe(journal.latest(), e -> true);
             EventJournal other = EventJournal.openIn(dir)) {
            other.publish("default", new Event.ImageDelete("from-elsewhere"));
            Optional<Envelope> got = sub.next(HANG);
            assertThat(got).map(Envelope::event).contains(new Event.ImageDelete("from-elsewhere"));
        }
    }

    @Test
    void closingTheJournalReleasesAWaitingSubscriber() throws Exception {
        Subscription sub = journal.subscribe(journal.latest(), e -> true);
        CountDownLatch waiting = new CountDownLatch(1);
        Optional<?>[] result = new Optional<?>[1];
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                waiting.countDown();
                result[0] = sub.next(Duration.ofHours(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiting.await();
        journal.close();
        assertThat(t.join(HANG)).as("subscriber returned").isTrue();
        assertThat(result[0]).isEmpty();
    }

    @Test
    void publishingToAClosedJournalDoesNotThrow() {
        journal.close();
        journal.publish("default", new Event.ImageDelete("x"));
    }

    @Test
    void onlyTheNewestEventsAreKept() throws Exception {
        try (EventJournal small = EventJournal.open(dir.resolve("small.db"), 10)) {
            for (int i = 0; i < 600; i++) {
                small.publish("default", new Event.ImageDelete("image-" + i));
            }
            List<Envelope> kept = small.read(0, 1000);
            assertThat(kept.getLast().sequence()).isEqualTo(600);
            assertThat(kept.size()).isLessThan(600 - 256).isGreaterThanOrEqualTo(10);
            for (int i = 1; i < kept.size(); i++) {
                assertThat(kept.get(i).sequence()).isEqualTo(kept.get(i - 1).sequence() + 1);
            }
        }
        assertThat(Files.exists(dir.resolve("small.db"))).isTrue();
    }
}

package io.strata.content;

import io.strata.oci.Digests;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.AlreadyExistsException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.NotFoundException;
import io.strata.api.UnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentStoreTest {
    @TempDir
    Path root;

    private static final byte[] HELLO = "hello, content".getBytes(UTF_8);
    private static final String HELLO_DIGEST = Digests.of(HELLO);

    @Test
    void ingestCommitsUnderItsDigestAndStreamsBack() throws IOException {
        try (ContentStore cs = ContentStore.open(root)) {
            try (Ingest w = cs.writer("r1", HELLO.length, Optional.of(HELLO_DIGEST))) {
                w.write(HELLO);
                ContentInfo info = w.commit(Map.of("a", "b"));
                assertThat(info.digest()).isEqualTo(HELLO_DIGEST);
                assertThat(info.size()).isEqualTo(HELLO.length);
            }
            assertThat(Files.readAllBytes(root.resolve("blobs/sha256/" + Digests.hex(HELLO_DIGEST)))).isEqualTo(HELLO);
            try (InputStream in = cs.open(HELLO_DIGEST, 7)) {
                assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("content");
            }
            assertThat(cs.list()).extracting(ContentInfo::digest).containsExactly(HELLO_DIGEST);
            assertThat(cs.listIngests()).isEmpty();
            assertThat(cs.info(HELLO_DIGEST).orElseThrow().labels()).containsEntry("a", "b");
        }
    }

    @Test
    void unknownDigestCommitsUnderComputedDigest() throws IOException {
        try (ContentStore cs = ContentStore.open(root); Ingest w = cs.writer("r", -1, Optional.empty())) {
            w.write(HELLO);
            assertThat(w.commit(Map.of()).digest()).isEqualTo(HELLO_DIGEST);
        }
    }

    @Test
    void secondWriterResumesAtOffset() throws IOException {
        try (ContentStore cs = ContentStore.open(root)) {
            try (Ingest w = cs.writer("resume", HELLO.length, Optional.of(HELLO_DIGEST))) {
                w.write(HELLO, 0, 5);
            } // closed without commit: data kept
            assertThat(cs.listIngests()).singleElement().satisfies(s -> {
                assertThat(s.ref()).isEqualTo("resume");
                assertThat(s.offset()).isEqualTo(5);
                assertThat(s.expectedDigest()).contains(HELLO_DIGEST);
            });
            try (Ingest w = cs.writer("resume", HELLO.length, Optional.of(HELLO_DIGEST))) {
                assertThat(w.offset()).isEqualTo(5);
                assertThat(w.openWritten().readAllBytes()).isEqualTo("hello".getBytes(UTF_8));
                w.write(HELLO, 5, HELLO.length - 5);
                assertThat(w.commit(Map.of()).digest()).isEqualTo(HELLO_DIGEST);
            }
        }
        // and across a reopen of the store (a new process)
        try (ContentStore cs = ContentStore.open(root)) {
            assertThat(cs.info(HELLO_DIGEST)).isPresent();
        }
    }

    @Test
    void digestMismatchIsRefusedNamingBothAndDeletesData() throws IOException {
        String wrong = Digests.of("other".getBytes(UTF_8));
        try (ContentStore cs = ContentStore.open(root); Ingest w = cs.writer("bad", -1, Optional.of(wrong))) {
            w.write(HELLO);
            assertThatThrownBy(() -> w.commit(Map.of())).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("expected " + wrong).hasMessageContaining("got " + HELLO_DIGEST);
            assertThat(cs.listIngests()).isEmpty();
            assertThat(cs.list()).isEmpty();
            assertThat(cs.info(HELLO_DIGEST)).isEmpty();
        }
    }

    @Test
    void sizeMismatchIsRefused() throws IOException {
        try (ContentStore cs = ContentStore.open(root); Ingest w = cs.writer("short", HELLO.length + 1, Optional.empty())) {
            w.write(HELLO);
            assertThatThrownBy(() -> w.commit(Map.of())).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("expected " + (HELLO.length + 1)).hasMessageContaining("got " + HELLO.length);
            assertThat(cs.list()).isEmpty();
            assertThat(cs.listIngests()).isEmpty();
        }
    }

    @Test
    void writingPastExpectedSizeFails() throws IOException {
        try (ContentStore cs = ContentStore.open(root); Ingest w = cs.writer("long", 3, Optional.empty())) {
            assertThatThrownBy(() -> w.write(HELLO)).isInstanceOf(IOException.class)
                    .hasCauseInstanceOf(InvalidArgumentException.class);
        }
    }

    @Test
    void oneWriterPerRefAtATime() throws Exception {
        try (ContentStore cs = ContentStore.open(root)) {
            int threads = 8;
            var start = new CountDownLatch(1);
            try (var pool = Executors.newFixedThreadPool(threads)) {
                var results = new java.util.ArrayList<Future<Ingest>>();
                for (int i = 0; i < threads; i++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return cs.writer("same", -1, Optional.empty());
                    }));
                }
                start.countDown();
                int won = 0;
                int refused = 0;
                Ingest winner = null;
                for (var f : results) {
                    try {
                        winner = f.get();
                        won++;
                    } catch (java.util.concurrent.ExecutionException e) {
                        assertThat(e.getCause()).isInstanceOf(UnavailableException.class).hasMessageContaining("same");
                        refused++;
                    }
                }
                assertThat(won).isEqualTo(1);
                assertThat(refused).isEqualTo(threads - 1);
                winner.close();
            }
            cs.writer("same", -1, Optional.empty()).close(); // free again after close
        }
    }

    @Test
    void committingExistingContentIsAlreadyExistsAndKeepsTheBlob() throws IOException {
        try (ContentStore cs = ContentStore.open(root)) {
            try (Ingest w = cs.writer("a", -1, Optional.empty())) {
                w.write(HELLO);
                w.commit(Map.of("keep", "me"));
            }
            assertThatThrownBy(() -> cs.writer("b", -1, Optional.of(HELLO_DIGEST)))
                    .isInstanceOf(AlreadyExistsException.class);
            try (Ingest w = cs.writer("c", -1, Optional.empty())) {
                w.write(HELLO);
                assertThatThrownBy(() -> w.commit(Map.of())).isInstanceOf(AlreadyExistsException.class);
            }
            assertThat(cs.info(HELLO_DIGEST).orElseThrow().labels()).containsEntry("keep", "me");
            assertThat(cs.listIngests()).isEmpty();
        }
    }

    @Test
    void deleteAndNotFound() throws IOException {
        try (ContentStore cs = ContentStore.open(root)) {
            try (Ingest w = cs.writer("a", -1, Optional.empty())) {
                w.write(HELLO);
                w.commit(Map.of("x", "y"));
            }
            InputStream open = cs.open(HELLO_DIGEST);
            cs.delete(HELLO_DIGEST);
            assertThat(open.readAllBytes()).isEqualTo(HELLO); // readers keep reading
            open.close();
            assertThat(cs.info(HELLO_DIGEST)).isEmpty();
            assertThatThrownBy(() -> cs.delete(HELLO_DIGEST)).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> cs.open(HELLO_DIGEST)).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> cs.updateLabels(HELLO_DIGEST, Map.of())).isInstanceOf(NotFoundException.class);
            // labels do not come back with the same content
            try (Ingest w = cs.writer("a", -1, Optional.empty())) {
                w.write(HELLO);
                assertThat(w.commit(Map.of()).labels()).isEmpty();
            }
        }
    }

    @Test
    void labelsSurviveReopenAndCanBeCleared() throws IOException {
        try (ContentStore cs = ContentStore.open(root); Ingest w = cs.writer("a", -1, Optional.empty())) {
            w.write(HELLO);
            w.commit(Map.of());
            cs.updateLabels(HELLO_DIGEST, Map.of("containerd.io/gc.root", "now", "k", "v"));
        }
        try (ContentStore cs = ContentStore.open(root)) {
            assertThat(cs.info(HELLO_DIGEST).orElseThrow().labels())
                    .containsExactlyInAnyOrderEntriesOf(Map.of("containerd.io/gc.root", "now", "k", "v"));
            assertThat(cs.updateLabels(HELLO_DIGEST, Map.of()).labels()).isEmpty();
        }
        try (ContentStore cs = ContentStore.open(root)) {
            assertThat(cs.info(HELLO_DIGEST).orElseThrow().labels()).isEmpty();
        }
    }

    @Test
    void abortIngestRemovesDataAndFreesTheRef() throws IOException {
        try (ContentStore cs = ContentStore.open(root)) {
            try (Ingest w = cs.writer("x", -1, Optional.empty())) {
                w.write(HELLO);
            }
            cs.abortIngest("x");
            assertThat(cs.listIngests()).isEmpty();
            assertThatThrownBy(() -> cs.abortIngest("x")).isInstanceOf(NotFoundException.class);
            try (Ingest w = cs.writer("x", -1, Optional.empty())) {
                assertThat(w.offset()).isZero();
            }
        }
    }

    @Test
    void resumingWithOtherExpectationsIsRefused() throws IOException {
        try (ContentStore cs = ContentStore.open(root)) {
            cs.writer("x", 10, Optional.empty()).close();
            assertThatThrownBy(() -> cs.writer("x", 11, Optional.empty())).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("abort it first");
        }
    }

    /**
     * Crash-safe publish order: a crash before the rename leaves only an ingest (no blob, so
     * nothing half-written is ever visible by digest); we simulate it by the state a crash leaves.
     */
    @Test
    void crashBeforePublishLeavesAResumableIngestAndNoBlob() throws IOException {
        try (ContentStore cs = ContentStore.open(root)) {
            Ingest w = cs.writer("crash", HELLO.length, Optional.of(HELLO_DIGEST));
            w.write(HELLO);
            w.flush();
            // "crash": the JVM dies without close; a new store instance (process) looks at the disk
            try (ContentStore after = ContentStore.open(root)) {
                assertThat(after.info(HELLO_DIGEST)).isEmpty();
                assertThat(after.list()).isEmpty();
                assertThat(after.listIngests()).singleElement().extracting(IngestStatus::offset)
                        .isEqualTo((long) HELLO.length);
            }
            w.close();
            // an orphan labels file (crash between labels and rename) is invisible and overwritten
            Files.writeString(root.resolve("labels/sha256/" + Digests.hex(HELLO_DIGEST)), "{\"labels\":{\"stale\":\"1\"}}");
            try (Ingest again = cs.writer("crash", HELLO.length, Optional.of(HELLO_DIGEST))) {
                assertThat(cs.list()).isEmpty();
                assertThat(again.commit(Map.of()).labels()).isEmpty();
            }
            assertThat(cs.open(HELLO_DIGEST).readAllBytes()).isEqualTo(HELLO);
        }
    }

    @Test
    void badDigestsAreInvalidArguments() {
        try (ContentStore cs = ContentStore.open(root)) {
            assertThatThrownBy(() -> cs.info("sha256:abc")).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> cs.info("sha512:" + "a".repeat(128))).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("only sha256");
            assertThatThrownBy(() -> cs.open("../../etc/passwd")).isInstanceOf(InvalidArgumentException.class);
        }
    }
}

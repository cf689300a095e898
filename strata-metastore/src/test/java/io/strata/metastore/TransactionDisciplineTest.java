package io.strata.metastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.InternalException;
import io.strata.api.Kind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the shared discipline does when the storage itself fails, which real stores rarely let a test provoke. */
class TransactionDisciplineTest {

    /** A memory-backed store whose commit or rollback can be made to fail. */
    static final class FailingStore extends BaseMetaStore {
        MemoryState state = MemoryState.EMPTY;
        boolean failCommit;
        boolean failRollback;

        FailingStore() {
            super(new TickingClock(Instant.EPOCH));
        }

        @Override
        ReadSession beginRead() {
            MemoryRecords records = new MemoryRecords(state);
            return new ReadSession() {
                @Override
                public Records records() {
                    return records;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        WriteSession beginWrite() {
            MemoryRecords records = new MemoryRecords(state);
            return new WriteSession() {
                @Override
                public Records.Writer records() {
                    return records;
                }

                @Override
                public void commit() {
                    if (failCommit) {
                        throw new InternalException("disk full");
                    }
                    state = records.toState();
                }

                @Override
                public void rollback() {
                    if (failRollback) {
                        throw new InternalException("rollback failed");
                    }
                }
            };
        }

        @Override
        void closeStorage() {
        }
    }

    @Test
    void failedCommitRunsUndoActionsAndReportsTheFailure() {
        FailingStore store = new FailingStore();
        store.failCommit = true;
        List<String> undone = new ArrayList<>();
        assertThatThrownBy(() -> store.write(tx -> {
            tx.create(Kind.ACTIVE, "a", "", Map.of());
            tx.onRollback(() -> undone.add("first"));
            tx.onRollback(() -> undone.add("second"));
            return null;
        })).isInstanceOf(InternalException.class).hasMessage("disk full");
        assertThat(undone).containsExactly("second", "first");
        assertThat(store.read(ReadTx::idMap)).isEmpty();
    }

    @Test
    void failedRollbackIsAttachedToTheOriginalError() {
        FailingStore store = new FailingStore();
        store.failRollback = true;
        IllegalStateException cause = new IllegalStateException("work failed");
        List<String> undone = new ArrayList<>();
        assertThatThrownBy(() -> store.write(tx -> {
            tx.onRollback(() -> undone.add("undo"));
            throw cause;
        })).isSameAs(cause);
        assertThat(cause.getSuppressed()).extracting(Throwable::getMessage).containsExactly("rollback failed");
        assertThat(undone).containsExactly("undo");
    }

    @Test
    void theWriteLockIsReleasedAfterAFailure() {
        FailingStore store = new FailingStore();
        store.failCommit = true;
        assertThatThrownBy(() -> store.write(tx -> null)).isInstanceOf(InternalException.class);
        store.failCommit = false;
        Long id = store.write(tx -> tx.create(Kind.ACTIVE, "a", "", Map.of()).id());
        assertThat(id).isEqualTo(1L);
    }
}

package io.strata.metastore;

import java.time.Clock;

/**
 * The in-memory twin of {@link SqliteMetaStore}, for fast tests: the same semantics, checks,
 * errors and key order, and nothing survives {@link #close()}.
 *
 * <p>Committed state is immutable and swapped atomically when a write commits, so reads never
 * wait and always see the last committed state; a rollback just drops the working copy. Writes
 * are serialised; each write transaction that changes something copies the state once.
 */
public final class MemoryMetaStore extends BaseMetaStore {
    private volatile MemoryState state = MemoryState.EMPTY;

    /** An empty store using the system clock. */
    public MemoryMetaStore() {
        this(Clock.systemUTC());
    }

    /** An empty store that takes created and updated times from {@code clock}. */
    public MemoryMetaStore(Clock clock) {
        super(clock);
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
                state = records.toState();
            }

            @Override
            public void rollback() {
            }
        };
    }

    @Override
    void closeStorage() {
        state = MemoryState.EMPTY;
    }
}

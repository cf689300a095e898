package io.strata.metastore;

import java.io.IOException;

/**
 * The transactional store of snapshot records that every backend shares, as containerd's
 * {@code storage.MetaStore}. Backends never see SQL: they run work inside {@link #read} or
 * {@link #write}.
 *
 * <p>A write transaction is serialised with every other write. It commits durably when
 * {@code work} returns and rolls back, as one unit, when {@code work} throws or the commit fails;
 * {@link WriteTx#onRollback} lets the backend undo file-system work done inside the transaction in
 * that case. Read transactions see a consistent snapshot and may run concurrently.
 *
 * <p>Implementations: {@code SqliteMetaStore} (durable: WAL, {@code synchronous=FULL}) and
 * {@code MemoryMetaStore} (its in-memory twin for fast tests). The same contract tests run on both.
 */
public interface MetaStore extends AutoCloseable {

    /** Work run inside a transaction; may do I/O. */
    @FunctionalInterface
    interface Work<X, T> {
        T run(X tx) throws IOException;
    }

    /** Runs {@code work} in a read-only transaction. */
    <T> T read(Work<ReadTx, T> work);

    /** Runs {@code work} in a write transaction that commits if it returns and rolls back if it throws. */
    <T> T write(Work<WriteTx, T> work);

    /** Closes the store; idempotent. Later calls throw {@link io.strata.api.UnavailableException}. */
    @Override
    void close();
}

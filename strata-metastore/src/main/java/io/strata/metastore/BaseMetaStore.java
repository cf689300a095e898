package io.strata.metastore;

import io.strata.api.InternalException;
import io.strata.api.IoErrors;
import io.strata.api.UnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The transaction discipline both stores share: writes serialised by one lock, commit when work
 * returns, rollback plus the registered undo actions (newest first) when work throws or the
 * commit fails, error mapping, and {@link UnavailableException} once closed. A store supplies
 * sessions over its storage.
 */
abstract class BaseMetaStore implements MetaStore {
    private static final System.Logger LOG = System.getLogger(MetaStore.class.getName());

    /** A consistent read view; close releases it. */
    interface ReadSession extends AutoCloseable {
        Records records();

        @Override
        void close();
    }

    /** An open write transaction on the storage. */
    interface WriteSession {
        Records.Writer records();

        /** Makes the changes durable; throws (an InternalException) if it cannot. */
        void commit();

        /** Drops the changes. */
        void rollback();
    }

    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Clock clock;

    BaseMetaStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    abstract ReadSession beginRead();

    abstract WriteSession beginWrite();

    /** Releases the storage; called once, holding the write lock. */
    abstract void closeStorage();

    @Override
    public final <T> T read(Work<ReadTx, T> work) {
        Objects.requireNonNull(work, "work");
        ensureOpen();
        try (ReadSession session = beginRead()) {
            ReadOps tx = new ReadOps(session.records());
            try {
                return work.run(tx);
            } catch (Throwable t) {
                throw fromWork(t);
            } finally {
                tx.end();
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if called from inside a write transaction on the same thread
     */
    @Override
    public final <T> T write(Work<WriteTx, T> work) {
        Objects.requireNonNull(work, "work");
        ensureOpen();
        if (writeLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("write transaction started inside a write transaction");
        }
        writeLock.lock();
        try {
            ensureOpen();
            WriteSession session = beginWrite();
            WriteOps tx = new WriteOps(session.records(), clock);
            T result;
            try {
                result = work.run(tx);
            } catch (Throwable t) {
                tx.end();
                abort(session, tx.rollbackActions(), t);
                throw fromWork(t);
            }
            tx.end();
            try {
                session.commit();
            } catch (RuntimeException e) {
                abort(session, tx.rollbackActions(), e);
                throw e;
            }
            return result;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public final void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        writeLock.lock(); // let a running write finish first
        try {
            closeStorage();
        } finally {
            writeLock.unlock();
        }
    }

    final void ensureOpen() {
        if (closed.get()) {
            throw new UnavailableException("metastore is closed");
        }
    }

    /** Runs {@code action} holding the write lock, so that no write is in progress. */
    final <T> T exclusively(Supplier<T> action) {
        ensureOpen();
        writeLock.lock();
        try {
            ensureOpen();
            return action.get();
        } finally {
            writeLock.unlock();
        }
    }

    private static void abort(WriteSession session, List<Runnable> undo, Throwable cause) {
        try {
            session.rollback();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
        for (int i = undo.size() - 1; i >= 0; i--) {
            try {
                undo.get(i).run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "metastore rollback action failed", e);
            }
        }
    }

    /**
     * StrataExceptions and other unchecked exceptions pass unchanged; I/O errors are classified as
     * everywhere else ({@link io.strata.api.IoErrors}).
     */
    private static RuntimeException fromWork(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        if (t instanceof UncheckedIOException u) {
            return IoErrors.classify("metastore transaction", u.getCause());
        }
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof IOException io) {
            return IoErrors.classify("metastore transaction", io);
        }
        return new InternalException("metastore transaction failed: " + t, t);
    }
}

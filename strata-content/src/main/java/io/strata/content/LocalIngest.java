package io.strata.content;

import io.strata.api.AlreadyExistsException;
import io.strata.api.FailedPreconditionException;
import io.strata.api.InvalidArgumentException;
import io.strata.codec.digest.Sha256;
import io.strata.oci.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** An ingest's writer: appends to {@code ingest/<h>/data} while hashing, holding the ref's lock. */
final class LocalIngest extends Ingest {
    private enum State { OPEN, DONE }

    private final LocalContentStore store;
    private final String ref;
    private final Path dir;
    private final Path data;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final long expectedSize;
    private final Optional<String> expectedDigest;
    private final FileChannel out;
    private final MessageDigest hasher = Sha256.newDigest();
    private long offset;
    private State state = State.OPEN;

    LocalIngest(LocalContentStore store, String ref, Path dir, FileChannel lockChannel, FileLock lock,
                long expectedSize, Optional<String> expectedDigest) throws IOException {
        this.store = store;
        this.ref = ref;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.expectedSize = expectedSize;
        this.expectedDigest = expectedDigest;
        this.out = FileChannel.open(data, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        // Resume: the digest must cover the earlier bytes too, so hash them again (as containerd does).
        long size = out.size();
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        long pos = 0;
        while (pos < size) {
            buf.clear();
            int n = out.read(buf, pos);
            if (n < 0) {
                break;
            }
            hasher.update(buf.array(), 0, n);
            pos += n;
        }
        this.offset = pos;
        out.position(pos);
    }

    @Override
    public String ref() {
        return ref;
    }

    @Override
    public synchronized long offset() {
        return offset;
    }

    @Override
    public long expectedSize() {
        return expectedSize;
    }

    @Override
    public Optional<String> expectedDigest() {
        return expectedDigest;
    }

    @Override
    public synchronized String currentDigest() {
        try {
            return Digests.finish((MessageDigest) hasher.clone());
        } catch (CloneNotSupportedException e) {
            throw new AssertionError("the JDK's SHA-256 is cloneable", e);
        }
    }

    @Override
    public InputStream openWritten() throws IOException {
        return Channels.newInputStream(FileChannel.open(data, StandardOpenOption.READ));
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        requireOpen();
        if (expectedSize >= 0 && offset + len > expectedSize) {
            throw new IOException(new InvalidArgumentException("ingest \"" + ref + "\": " + (offset + len)
                    + " bytes exceed the expected size " + expectedSize));
        }
        ByteBuffer buf = ByteBuffer.wrap(b, off, len);
        while (buf.hasRemaining()) {
            out.write(buf);
        }
        hasher.update(b, off, len);
        offset += len;
    }

    private void requireOpen() {
        if (state != State.OPEN) {
            throw new FailedPreconditionException("ingest \"" + ref + "\" is already committed, aborted or closed");
        }
    }

    @Override
    public synchronized ContentInfo commit(Map<String, String> labels) {
        requireOpen();
        String actual;
        try {
            out.force(true);
            actual = currentDigest();
            if (expectedSize >= 0 && offset != expectedSize) {
                discard();
                throw new InvalidArgumentException("ingest \"" + ref + "\": size mismatch: expected " + expectedSize
                        + " bytes, got " + offset + "; data deleted");
            }
            if (expectedDigest.isPresent() && !expectedDigest.get().equals(actual)) {
                discard();
                throw new InvalidArgumentException("ingest \"" + ref + "\": digest mismatch: expected "
                        + expectedDigest.get() + ", got " + actual + "; data deleted");
            }
            Path target = store.blobPath(actual);
            if (Files.exists(target)) {
                discard();
                throw new AlreadyExistsException("content " + actual + ": already exists");
            }
            // Labels before the blob: a crash between leaves a labels file without a blob, which
            // nothing reads and the next commit overwrites; the reverse would lose the labels.
            store.writeLabels(Digests.hex(actual), labels);
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("r--r--r--"));
            out.close();
            // The publish point: data was fsynced above, the rename is atomic, the dir fsync makes it durable.
            Files.move(data, target, StandardCopyOption.ATOMIC_MOVE);
            Durable.syncDir(store.blobsDir());
            discard();
        } catch (IOException e) {
            release();
            throw Durable.failure("cannot commit ingest \"" + ref + "\"", e);
        }
        return store.info(actual).orElseThrow();
    }

    @Override
    public synchronized void abort() {
        if (state == State.DONE) {
            return;
        }
        try {
            discard();
        } catch (IOException e) {
            throw Durable.failure("cannot abort ingest \"" + ref + "\"", e);
        }
    }

    /** Removes the ingest directory and releases the ref. */
    private void discard() throws IOException {
        out.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        release();
    }

    @Override
    public synchronized void close() {
        if (state == State.DONE) {
            return;
        }
        try {
            out.force(false);
            out.close();
        } catch (IOException e) {
            release();
            throw Durable.failure("cannot close ingest \"" + ref + "\"", e);
        }
        release();
    }

    private void release() {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException ignored) {
            // The lock dies with the channel; nothing durable depends on it.
        }
        store.released(this);
    }
}

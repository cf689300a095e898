package io.strata.fs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;

/**
 * A regular file being written under a {@link RootDir} ({@link RootDir#create}). Writes go
 * through the root's native buffer, so one file is written at a time per root; {@link #close()} closes the descriptor.
 */
public final class OutputFile implements AutoCloseable {
    private final MemorySegment buffer;
    private final int fd;
    private final byte[] rel;
    private boolean open = true;

    OutputFile(MemorySegment buffer, int fd, byte[] rel) {
        this.buffer = buffer;
        this.fd = fd;
        this.rel = rel;
    }

    /** Appends {@code len} bytes of {@code b} from {@code off}. */
    public void write(byte[] b, int off, int len) throws ErrnoException {
        while (len > 0) {
            int chunk = (int) Math.min(len, buffer.byteSize());
            MemorySegment.copy(b, off, buffer, JAVA_BYTE, 0, chunk);
            long done = 0;
            while (done < chunk) {
                long n = LibC.write(fd, buffer.asSlice(done), chunk - done);
                if (n < 0) {
                    if (LibC.errno() == ErrnoException.EINTR) {
                        continue;
                    }
                    throw LibC.error("write", RelPaths.display(rel));
                }
                done += n;
            }
            off += chunk;
            len -= chunk;
        }
    }

    /** Moves the write position to {@code offset}, leaving a hole behind it if it grows the file. */
    public void seek(long offset) throws ErrnoException {
        if (LibC.lseek(fd, offset, 0) < 0) {
            throw LibC.error("lseek", RelPaths.display(rel));
        }
    }

    /** Sets the file's length. */
    public void truncate(long size) throws ErrnoException {
        if (LibC.ftruncate(fd, size) != 0) {
            throw LibC.error("ftruncate", RelPaths.display(rel));
        }
    }

    /** Changes owner and group (which clears setuid/setgid: call {@link #chmod} after). */
    public void chown(int uid, int gid) throws ErrnoException {
        if (LibC.fchown(fd, uid, gid) != 0) {
            throw LibC.error("chown", RelPaths.display(rel));
        }
    }

    /** Sets the twelve permission bits exactly. */
    public void chmod(int mode) throws ErrnoException {
        if (LibC.fchmod(fd, mode & 07777) != 0) {
            throw LibC.error("chmod", RelPaths.display(rel));
        }
    }

    /** Sets an extended attribute. */
    public void setXattr(String name, byte[] value) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment v = f.raw(Math.max(1, value.length), 1);
            MemorySegment.copy(value, 0, v, JAVA_BYTE, 0, value.length);
            if (LibC.fsetxattr(fd, f.cstr(name), v, value.length, 0) != 0) {
                throw LibC.error("setxattr " + name, RelPaths.display(rel));
            }
        }
    }

    /** Sets access and modification times, in nanoseconds since the epoch. */
    public void setTimes(long atimeNanos, long mtimeNanos) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            if (LibC.futimens(fd, Sys.timespecs(f, atimeNanos, mtimeNanos)) != 0) {
                throw LibC.error("futimens", RelPaths.display(rel));
            }
        }
    }

    /** Flushes the file's data and metadata to disk. */
    public void fsync() throws ErrnoException {
        if (LibC.fsync(fd) != 0) {
            throw LibC.error("fsync", RelPaths.display(rel));
        }
    }

    @Override
    public void close() throws ErrnoException {
        if (open) {
            open = false;
            if (LibC.close(fd) != 0 && LibC.errno() != ErrnoException.EINTR) {
                throw LibC.error("close", RelPaths.display(rel));
            }
        }
    }
}

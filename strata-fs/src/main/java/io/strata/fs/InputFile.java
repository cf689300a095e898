package io.strata.fs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;

/** A regular file being read under a {@link RootDir} ({@link RootDir#openRead}), through the root's native buffer. */
public final class InputFile implements AutoCloseable {
    private final MemorySegment buffer;
    private final int fd;
    private final byte[] rel;
    private boolean open = true;

    InputFile(MemorySegment buffer, int fd, byte[] rel) {
        this.buffer = buffer;
        this.fd = fd;
        this.rel = rel;
    }

    /** Reads up to {@code len} bytes into {@code b}; -1 at the end of the file. */
    public int read(byte[] b, int off, int len) throws ErrnoException {
        int chunk = (int) Math.min(len, buffer.byteSize());
        while (true) {
            long n = LibC.read(fd, buffer, chunk);
            if (n < 0) {
                if (LibC.errno() == ErrnoException.EINTR) {
                    continue;
                }
                throw LibC.error("read", RelPaths.display(rel));
            }
            if (n == 0) {
                return len == 0 ? 0 : -1;
            }
            MemorySegment.copy(buffer, JAVA_BYTE, 0, b, off, (int) n);
            return (int) n;
        }
    }

    @Override
    public void close() {
        if (open) {
            open = false;
            LibC.close(fd);
        }
    }
}

package io.strata.archive;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Adds up the time spent in its source's reads, that source's own sources included. The applier
 * stacks one around each stage and takes differences to get each stage's own time.
 */
final class TimedInputStream extends FilterInputStream {
    private long nanos;

    TimedInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        long t = System.nanoTime();
        try {
            return in.read();
        } finally {
            nanos += System.nanoTime() - t;
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        long t = System.nanoTime();
        try {
            return in.read(b, off, len);
        } finally {
            nanos += System.nanoTime() - t;
        }
    }

    @Override
    public long skip(long n) throws IOException {
        long t = System.nanoTime();
        try {
            return in.skip(n);
        } finally {
            nanos += System.nanoTime() - t;
        }
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Nanoseconds spent reading so far; read it on the thread that reads, or after it is done. */
    long nanos() {
        return nanos;
    }
}

package io.strata.fs;

/** An open-addressing set of (dev, ino) pairs: no boxing, 17 bytes per slot. */
final class InodeSet {
    private long[] devs = new long[1024];
    private long[] inos = new long[1024];
    private boolean[] used = new boolean[1024];
    private int size;

    /** Adds the pair; true if it was not there yet. */
    boolean add(long dev, long ino) {
        if ((size + 1) * 2L > used.length) {
            grow();
        }
        int mask = used.length - 1;
        int i = hash(dev, ino) & mask;
        while (used[i]) {
            if (devs[i] == dev && inos[i] == ino) {
                return false;
            }
            i = (i + 1) & mask;
        }
        used[i] = true;
        devs[i] = dev;
        inos[i] = ino;
        size++;
        return true;
    }

    int size() {
        return size;
    }

    private static int hash(long dev, long ino) {
        long h = ino * 0x9E3779B97F4A7C15L ^ dev * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return (int) h;
    }

    private void grow() {
        long[] oldDevs = devs;
        long[] oldInos = inos;
        boolean[] oldUsed = used;
        int capacity = used.length * 2;
        devs = new long[capacity];
        inos = new long[capacity];
        used = new boolean[capacity];
        size = 0;
        for (int i = 0; i < oldUsed.length; i++) {
            if (oldUsed[i]) {
                add(oldDevs[i], oldInos[i]);
            }
        }
    }
}

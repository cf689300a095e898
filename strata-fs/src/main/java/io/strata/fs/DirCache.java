package io.strata.fs;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link RootDir}'s descriptors of recently used directories, each looked up inside the root with
 * {@code openat2(RESOLVE_IN_ROOT)}. The root drops them all whenever a directory may have been
 * removed, so a cached descriptor never names a deleted directory.
 */
final class DirCache {
    private static final int CACHED_DIRS = 64;
    private static final long OPEN_HOW_SIZE = 24; // struct open_how { u64 flags, mode, resolve; }

    private final int rootFd;
    private final LinkedHashMap<String, Integer> dirs = new LinkedHashMap<>(CACHED_DIRS * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            if (size() > CACHED_DIRS) {
                Sys.closeQuietly(eldest.getValue());
                return true;
            }
            return false;
        }
    };

    DirCache(int rootFd) {
        this.rootFd = rootFd;
    }

    /** The directory holding {@code rel}, whose last slash is at {@code slash} (-1: the root). */
    int parentOf(byte[] rel, int slash) throws ErrnoException {
        RelPaths.checkComponents(rel);
        if (slash < 0) {
            return rootFd;
        }
        return fd(Arrays.copyOf(rel, slash));
    }

    /** A descriptor of directory {@code rel}, from the cache or opened now. */
    int fd(byte[] rel) throws ErrnoException {
        RelPaths.checkComponents(rel);
        String key = new String(rel, StandardCharsets.ISO_8859_1);
        Integer cached = dirs.get(key);
        if (cached != null) {
            return cached;
        }
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment how = f.allocate(OPEN_HOW_SIZE, 8);
            how.set(JAVA_LONG, 0, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
            how.set(JAVA_LONG, 16, LibC.RESOLVE_IN_ROOT | LibC.RESOLVE_NO_MAGICLINKS);
            int fd;
            do {
                fd = LibC.openat2(rootFd, f.cstr(rel), how, OPEN_HOW_SIZE);
            } while (fd < 0 && LibC.errno() == ErrnoException.EAGAIN);
            if (fd < 0) {
                throw LibC.error("open directory", RelPaths.display(rel));
            }
            dirs.put(key, fd);
            return fd;
        }
    }

    /** Closes every cached descriptor. */
    void drop() {
        for (Iterator<Integer> it = dirs.values().iterator(); it.hasNext(); ) {
            Sys.closeQuietly(it.next());
            it.remove();
        }
    }
}

package io.strata.fs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/** Root-relative paths as {@link RootDir} takes them: byte strings, components split by {@code /}. */
final class RelPaths {
    private RelPaths() {
    }

    static int lastSlash(byte[] rel) {
        for (int i = rel.length - 1; i >= 0; i--) {
            if (rel[i] == '/') {
                return i;
            }
        }
        return -1;
    }

    static MemorySegment base(Scratch.Frame f, byte[] rel, int slash) {
        MemorySegment s = f.raw(rel.length - slash, 1);
        MemorySegment.copy(rel, slash + 1, s, JAVA_BYTE, 0, rel.length - slash - 1);
        s.set(JAVA_BYTE, rel.length - slash - 1, (byte) 0);
        return s;
    }

    /** Refuses empty, "." and ".." components and NUL bytes: the last component is used unresolved. */
    static void checkComponents(byte[] rel) {
        int start = 0;
        for (int i = 0; i <= rel.length; i++) {
            if (i == rel.length || rel[i] == '/') {
                int len = i - start;
                boolean bad = len == 0 && rel.length > 0
                        || len == 1 && rel[start] == '.'
                        || len == 2 && rel[start] == '.' && rel[start + 1] == '.';
                if (bad) {
                    throw new IllegalArgumentException("not a clean relative path: " + display(rel));
                }
                start = i + 1;
            } else if (rel[i] == 0) {
                throw new IllegalArgumentException("NUL byte in path: " + display(rel));
            }
        }
    }

    static String display(byte[] rel) {
        return new String(rel, StandardCharsets.UTF_8);
    }
}

package io.strata.fs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * File names as the kernel sees them: byte strings. The tree walkers keep child names as the
 * bytes getdents64 returned, so names that are not valid UTF-8 survive a copy.
 */
final class NativePath {
    private NativePath() {}

    static byte[] bytes(Path p) {
        return bytes(p.toString());
    }

    static byte[] bytes(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new io.strata.api.InvalidArgumentException("path contains NUL: " + s);
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code parent + "/" + name}. */
    static byte[] child(byte[] parent, byte[] name) {
        int slash = parent.length > 0 && parent[parent.length - 1] == '/' ? 0 : 1;
        byte[] out = new byte[parent.length + slash + name.length];
        System.arraycopy(parent, 0, out, 0, parent.length);
        if (slash == 1) {
            out[parent.length] = '/';
        }
        System.arraycopy(name, 0, out, parent.length + slash, name.length);
        return out;
    }

    /** A path for error messages. */
    static String display(Object path) {
        return path instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(path);
    }
}

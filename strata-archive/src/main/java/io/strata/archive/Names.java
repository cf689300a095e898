package io.strata.archive;

import io.strata.api.InvalidArgumentException;
import io.strata.codec.tar.Latin1;

/** Cleaning of tar entry names into paths relative to the layer root. */
final class Names {
    private Names() {}

    /**
     * The entry name as a clean relative path: "." and empty components dropped, ".." resolved
     * lexically; "" for the root itself. Absolute names, names that climb above the root and names
     * with NUL bytes are refused.
     */
    static String clean(String name, String what) {
        if (name.indexOf('\0') >= 0) {
            throw new InvalidArgumentException("invalid layer: " + what + " " + quote(name) + " contains a NUL byte");
        }
        if (name.startsWith("/")) {
            throw new InvalidArgumentException("invalid layer: " + what + " " + quote(name) + " is an absolute path");
        }
        StringBuilder out = new StringBuilder(name.length());
        int start = 0;
        int len = name.length();
        for (int i = 0; i <= len; i++) {
            if (i < len && name.charAt(i) != '/') {
                continue;
            }
            int n = i - start;
            if (n == 0 || n == 1 && name.charAt(start) == '.') {
                // empty or "."
            } else if (n == 2 && name.charAt(start) == '.' && name.charAt(start + 1) == '.') {
                int cut = out.lastIndexOf("/");
                if (out.isEmpty()) {
                    throw new InvalidArgumentException("invalid layer: " + what + " " + quote(name)
                            + " leads outside the root");
                }
                out.setLength(Math.max(cut, 0));
            } else {
                if (!out.isEmpty()) {
                    out.append('/');
                }
                out.append(name, start, i);
            }
            start = i + 1;
        }
        return out.toString();
    }

    static String parent(String rel) {
        int slash = rel.lastIndexOf('/');
        return slash < 0 ? "" : rel.substring(0, slash);
    }

    static String base(String rel) {
        return rel.substring(rel.lastIndexOf('/') + 1);
    }

    static String child(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    static String quote(String byteString) {
        return "\"" + Latin1.display(byteString) + "\"";
    }

    /**
     * Where symlink {@code target}, found in directory {@code dir}, leads when the root is "/":
     * absolute targets start at the root and ".." stops there.
     */
    static String resolveLink(String dir, String target) {
        StringBuilder out = new StringBuilder(target.startsWith("/") ? "" : dir);
        for (String part : target.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                out.setLength(Math.max(out.lastIndexOf("/"), 0));
            } else {
                if (!out.isEmpty()) {
                    out.append('/');
                }
                out.append(part);
            }
        }
        return out.toString();
    }

    /** Whether relative symlink {@code target} in directory {@code dir} climbs above the root. */
    static boolean climbsOut(String dir, String target) {
        if (target.startsWith("/")) {
            return false;
        }
        int depth = dir.isEmpty() ? 0 : (int) dir.chars().filter(c -> c == '/').count() + 1;
        for (String part : target.split("/")) {
            if (part.equals("..")) {
                if (--depth < 0) {
                    return true;
                }
            } else if (!part.isEmpty() && !part.equals(".")) {
                depth++;
            }
        }
        return false;
    }
}

package io.strata.fs;

import io.strata.api.InvalidArgumentException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * fstab-style options split the way containerd's Linux {@code parseMountOptions} does: words in
 * the flag table set or clear MS_* flags (later words win), propagation words go to a separate
 * call, {@code loop} asks for a loop device, and everything else is file-system data, kept in
 * order.
 */
record MountOptions(long flags, long propagation, List<String> data, boolean loop) {
    static final long MS_RDONLY = 1;
    static final long MS_NOSUID = 2;
    static final long MS_NODEV = 4;
    static final long MS_NOEXEC = 8;
    static final long MS_SYNCHRONOUS = 16;
    static final long MS_REMOUNT = 32;
    static final long MS_MANDLOCK = 64;
    static final long MS_DIRSYNC = 128;
    static final long MS_NOATIME = 1024;
    static final long MS_NODIRATIME = 2048;
    static final long MS_BIND = 4096;
    static final long MS_REC = 16384;
    static final long MS_UNBINDABLE = 1 << 17;
    static final long MS_PRIVATE = 1 << 18;
    static final long MS_SLAVE = 1 << 19;
    static final long MS_SHARED = 1 << 20;
    static final long MS_RELATIME = 1 << 21;
    static final long MS_STRICTATIME = 1 << 24;
    static final long MS_LAZYTIME = 1 << 25;

    /** Per-mount flags a bind mount only takes on a second, remounting call. */
    static final long BIND_REMOUNT_FLAGS = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME
            | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;

    private record Flag(boolean clear, long bits) {}

    private static final Map<String, Flag> FLAGS = Map.ofEntries(
            Map.entry("async", new Flag(true, MS_SYNCHRONOUS)),
            Map.entry("atime", new Flag(true, MS_NOATIME)),
            Map.entry("bind", new Flag(false, MS_BIND)),
            Map.entry("defaults", new Flag(false, 0)),
            Map.entry("dev", new Flag(true, MS_NODEV)),
            Map.entry("diratime", new Flag(true, MS_NODIRATIME)),
            Map.entry("dirsync", new Flag(false, MS_DIRSYNC)),
            Map.entry("exec", new Flag(true, MS_NOEXEC)),
            Map.entry("mand", new Flag(false, MS_MANDLOCK)),
            Map.entry("noatime", new Flag(false, MS_NOATIME)),
            Map.entry("nodev", new Flag(false, MS_NODEV)),
            Map.entry("nodiratime", new Flag(false, MS_NODIRATIME)),
            Map.entry("noexec", new Flag(false, MS_NOEXEC)),
            Map.entry("nomand", new Flag(true, MS_MANDLOCK)),
            Map.entry("norelatime", new Flag(true, MS_RELATIME)),
            Map.entry("nostrictatime", new Flag(true, MS_STRICTATIME)),
            Map.entry("nosuid", new Flag(false, MS_NOSUID)),
            Map.entry("rbind", new Flag(false, MS_BIND | MS_REC)),
            Map.entry("relatime", new Flag(false, MS_RELATIME)),
            Map.entry("remount", new Flag(false, MS_REMOUNT)),
            Map.entry("ro", new Flag(false, MS_RDONLY)),
            Map.entry("rw", new Flag(true, MS_RDONLY)),
            Map.entry("strictatime", new Flag(false, MS_STRICTATIME)),
            Map.entry("suid", new Flag(true, MS_NOSUID)),
            Map.entry("sync", new Flag(false, MS_SYNCHRONOUS)),
            Map.entry("lazytime", new Flag(false, MS_LAZYTIME)),
            Map.entry("nolazytime", new Flag(true, MS_LAZYTIME)));

    private static final Map<String, Long> PROPAGATION = Map.of(
            "private", MS_PRIVATE,
            "rprivate", MS_PRIVATE | MS_REC,
            "shared", MS_SHARED,
            "rshared", MS_SHARED | MS_REC,
            "slave", MS_SLAVE,
            "rslave", MS_SLAVE | MS_REC,
            "unbindable", MS_UNBINDABLE,
            "runbindable", MS_UNBINDABLE | MS_REC);

    MountOptions {
        data = List.copyOf(data);
    }

    static MountOptions parse(List<String> options) {
        long flags = 0;
        long propagation = 0;
        boolean loop = false;
        List<String> data = new ArrayList<>();
        for (String o : options) {
            if (o.startsWith("X-containerd.")) {
                throw new InvalidArgumentException("internal mount option " + o + " was not consumed by a mount manager");
            }
            if (o.startsWith("uidmap=") || o.startsWith("gidmap=")) {
                throw new InvalidArgumentException("id-mapped mounts are not supported: " + o);
            }
            Flag f = FLAGS.get(o);
            Long p = PROPAGATION.get(o);
            if (f != null) {
                flags = f.clear() ? flags & ~f.bits() : flags | f.bits();
            } else if (p != null) {
                propagation = p;
            } else if (o.equals("loop")) {
                loop = true;
            } else if (!o.isEmpty()) {
                data.add(o);
            }
        }
        return new MountOptions(flags, propagation, data, loop);
    }

    boolean has(long bits) {
        return (flags & bits) == bits;
    }

    String dataString() {
        return String.join(",", data);
    }
}

package io.strata.fs;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Mounts overlayfs through the new mount API (fsopen, fsconfig, fsmount, move_mount). Each lower
 * layer is passed on its own as {@code lowerdir+} (data-only layers after "::" as
 * {@code datadir+}), so the stack is not bounded by mount(2)'s one-page option string.
 */
final class OverlayMount {
    private static final int FSOPEN_CLOEXEC = 1;
    private static final int FSMOUNT_CLOEXEC = 1;
    private static final int FSCONFIG_SET_FLAG = 0;
    private static final int FSCONFIG_SET_STRING = 1;
    private static final int FSCONFIG_CMD_CREATE = 6;
    private static final int MOVE_MOUNT_F_EMPTY_PATH = 4;
    /** The kernel's OVL_MAX_STACK: more lower layers than this are refused with EINVAL. */
    static final int MAX_STACK = 500;

    static final int MOUNT_ATTR_RDONLY = 0x1;
    static final int MOUNT_ATTR_NOSUID = 0x2;
    static final int MOUNT_ATTR_NODEV = 0x4;
    static final int MOUNT_ATTR_NOEXEC = 0x8;
    static final int MOUNT_ATTR_NOATIME = 0x10;
    static final int MOUNT_ATTR_STRICTATIME = 0x20;
    static final int MOUNT_ATTR_NODIRATIME = 0x80;

    private OverlayMount() {}

    static void mount(String source, byte[] target, MountOptions opts) throws ErrnoException {
        int fsfd;
        try (Scratch.Frame f = Scratch.frame()) {
            fsfd = LibC.fsopen(f.cstr("overlay"), FSOPEN_CLOEXEC);
        }
        if (fsfd < 0) {
            throw LibC.error("fsopen overlay", target);
        }
        try {
            if (!source.isEmpty()) {
                setString(fsfd, "source", source, target);
            }
            for (String o : opts.data()) {
                int eq = o.indexOf('=');
                if (eq < 0) {
                    setFlag(fsfd, o, target);
                } else if (o.startsWith("lowerdir=")) {
                    setLowerdirs(fsfd, o.substring(eq + 1), target);
                } else {
                    setString(fsfd, o.substring(0, eq), o.substring(eq + 1), target);
                }
            }
            setSuperblockFlag(fsfd, opts, MountOptions.MS_SYNCHRONOUS, "sync", target);
            setSuperblockFlag(fsfd, opts, MountOptions.MS_DIRSYNC, "dirsync", target);
            setSuperblockFlag(fsfd, opts, MountOptions.MS_MANDLOCK, "mand", target);
            setSuperblockFlag(fsfd, opts, MountOptions.MS_LAZYTIME, "lazytime", target);
            if (LibC.fsconfig(fsfd, FSCONFIG_CMD_CREATE, MemorySegment.NULL, MemorySegment.NULL, 0) != 0) {
                throw LibC.error("fsconfig create overlay", target);
            }
            int mfd = LibC.fsmount(fsfd, FSMOUNT_CLOEXEC, attributes(opts.flags()));
            if (mfd < 0) {
                throw LibC.error("fsmount overlay", target);
            }
            try (Scratch.Frame f = Scratch.frame()) {
                if (LibC.moveMount(mfd, f.cstr(new byte[0]), LibC.AT_FDCWD, f.cstr(target),
                        MOVE_MOUNT_F_EMPTY_PATH) != 0) {
                    throw LibC.error("move_mount overlay", target);
                }
            } finally {
                LibC.close(mfd);
            }
        } finally {
            LibC.close(fsfd);
        }
    }

    /** MOUNT_ATTR_* for fsmount from the MS_* per-mount flags. */
    static int attributes(long flags) {
        int attrs = 0;
        if ((flags & MountOptions.MS_RDONLY) != 0) {
            attrs |= MOUNT_ATTR_RDONLY;
        }
        if ((flags & MountOptions.MS_NOSUID) != 0) {
            attrs |= MOUNT_ATTR_NOSUID;
        }
        if ((flags & MountOptions.MS_NODEV) != 0) {
            attrs |= MOUNT_ATTR_NODEV;
        }
        if ((flags & MountOptions.MS_NOEXEC) != 0) {
            attrs |= MOUNT_ATTR_NOEXEC;
        }
        if ((flags & MountOptions.MS_NOATIME) != 0) {
            attrs |= MOUNT_ATTR_NOATIME;
        } else if ((flags & MountOptions.MS_STRICTATIME) != 0) {
            attrs |= MOUNT_ATTR_STRICTATIME;
        }
        if ((flags & MountOptions.MS_NODIRATIME) != 0) {
            attrs |= MOUNT_ATTR_NODIRATIME;
        }
        return attrs;
    }

    private static void setLowerdirs(int fsfd, String value, byte[] target) throws ErrnoException {
        if (!kernelAtLeast(6, 8)) {
            // No lowerdir+ before 6.8: hand over the colon list in one piece.
            setString(fsfd, "lowerdir", value, target);
            return;
        }
        List<List<String>> groups = splitLowerdirs(value);
        int total = groups.stream().mapToInt(List::size).sum();
        int n = 0;
        for (int g = 0; g < groups.size(); g++) {
            String key = g == 0 ? "lowerdir+" : "datadir+";
            for (String layer : groups.get(g)) {
                n++;
                try {
                    setString(fsfd, key, layer, target);
                } catch (ErrnoException e) {
                    if (e.errno() == ErrnoException.EINVAL && n > MAX_STACK) {
                        throw new ErrnoException("fsconfig " + key + "=" + layer + " (layer " + n + " of " + total
                                + "; overlayfs stacks at most " + MAX_STACK + " lower layers) on",
                                NativePath.display(target), e.errno());
                    }
                    throw e;
                }
            }
        }
    }

    static boolean kernelAtLeast(int major, int minor) {
        String[] v = System.getProperty("os.version", "0.0").split("[.-]");
        try {
            int ma = Integer.parseInt(v[0]);
            int mi = v.length > 1 ? Integer.parseInt(v[1]) : 0;
            return ma > major || (ma == major && mi >= minor);
        } catch (NumberFormatException e) {
            return true;
        }
    }

    /**
     * Splits an overlay {@code lowerdir} value on unescaped colons, undoing backslash escapes.
     * The first group holds the regular layers; an empty element ("::") starts the data-only ones.
     */
    static List<List<String>> splitLowerdirs(String value) {
        List<List<String>> groups = new ArrayList<>();
        List<String> current = new ArrayList<>();
        groups.add(current);
        StringBuilder sb = new StringBuilder();
        boolean pendingEmpty = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                sb.append(value.charAt(++i));
            } else if (c == ':') {
                if (sb.isEmpty()) {
                    pendingEmpty = true;
                } else {
                    current.add(sb.toString());
                    sb.setLength(0);
                }
            } else {
                if (pendingEmpty) {
                    pendingEmpty = false;
                    if (groups.size() == 1) {
                        current = new ArrayList<>();
                        groups.add(current);
                    }
                }
                sb.append(c);
            }
        }
        if (!sb.isEmpty()) {
            current.add(sb.toString());
        }
        return groups;
    }

    private static void setSuperblockFlag(int fsfd, MountOptions opts, long bit, String name, byte[] target)
            throws ErrnoException {
        if ((opts.flags() & bit) != 0) {
            setFlag(fsfd, name, target);
        }
    }

    private static void setString(int fsfd, String key, String value, byte[] target) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            if (LibC.fsconfig(fsfd, FSCONFIG_SET_STRING, f.cstr(key), f.cstr(value), 0) != 0) {
                throw LibC.error("fsconfig " + key + "=" + value + " on", target);
            }
        }
    }

    private static void setFlag(int fsfd, String key, byte[] target) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            if (LibC.fsconfig(fsfd, FSCONFIG_SET_FLAG, f.cstr(key), MemorySegment.NULL, 0) != 0) {
                throw LibC.error("fsconfig " + key + " on", target);
            }
        }
    }
}

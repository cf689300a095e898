package io.strata.fs;

import io.strata.api.InvalidArgumentException;
import io.strata.api.Mount;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Performs and undoes {@link Mount}s the way containerd's Linux mount package does.
 *
 * <ul>
 *   <li>Options are split into MS_* flags and file-system data as containerd's
 *       {@code parseMountOptions} does; {@code loop} attaches the source to an auto-clearing loop
 *       device first; {@code uidmap}/{@code gidmap} and {@code X-containerd.*} are refused.
 *   <li>Bind mounts (type {@code bind}, or option {@code bind}/{@code rbind}) take their per-mount
 *       flags in a second, remounting call, so a read-only bind really is read-only; with
 *       {@code rbind,ro} the mounts below it are made read-only too.
 *   <li>{@code overlay} goes through fsopen/fsconfig/fsmount/move_mount, one {@code lowerdir+} per
 *       layer, so hundreds of layers mount; everything else through mount(2).
 *   <li>Propagation options (private, rshared, ...) are applied in a separate call afterwards.
 * </ul>
 *
 * If one mount of a list fails, the ones done before it are unmounted again (last first) and the
 * error is thrown. Errors are {@link ErrnoException}s naming the call, the option where one was
 * being applied, and the target; malformed input is an {@link InvalidArgumentException}.
 */
public final class Mounter {
    private static final int MNT_FORCE = 1;
    private static final int MNT_DETACH = 2;
    private static final int PAGE_SIZE = 4096;
    private static final int BUSY_RETRIES = 50;
    private static final long BUSY_SLEEP_MS = 50;

    /**
     * How the temporary directories of {@link #withMounted} are named. A mount on such a directory
     * that outlives the process that made it is a leftover of a crash, never a mount anyone uses.
     */
    public static final String TEMP_PREFIX = "strata-mount-";

    /** umount2 flags. */
    public enum UnmountFlag {
        /** MNT_DETACH: lazy; detaches now, cleans up once no longer busy. */
        DETACH,
        /** MNT_FORCE. */
        FORCE
    }

    /** Work to do on a mounted tree; the mounts are undone when it returns or throws. */
    @FunctionalInterface
    public interface MountedWork<T> {
        T run(Path root) throws IOException;
    }

    private Mounter() {}

    /**
     * Mounts each entry, in order, on {@code target.resolve(mount.target())} (a mount target must
     * stay below {@code target}).
     */
    public static void mountAll(List<Mount> mounts, Path target) throws IOException {
        List<Path> done = new ArrayList<>();
        for (Mount m : mounts) {
            Path where = resolve(target, m.target());
            try {
                mount(m, where);
            } catch (IOException | RuntimeException e) {
                // Exactly one layer per mount done, detached so that rbind submounts go too; a
                // mount that was on the target before mountAll stays.
                for (int i = done.size() - 1; i >= 0; i--) {
                    try {
                        unmount(done.get(i), UnmountFlag.DETACH);
                    } catch (IOException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
            done.add(where);
        }
    }

    private static Path resolve(Path root, String sub) {
        String rel = sub;
        while (rel.startsWith("/")) {
            rel = rel.substring(1);
        }
        if (rel.isEmpty()) {
            return root;
        }
        Path p = root.resolve(rel).normalize();
        if (!p.startsWith(root.normalize())) {
            throw new InvalidArgumentException("mount target " + sub + " leaves " + root);
        }
        return p;
    }

    /** Performs one mount on exactly {@code target}. */
    static void mount(Mount m, Path target) throws IOException {
        if (m.type().isEmpty()) {
            throw new InvalidArgumentException("mount of " + m.source() + " on " + target + " has no type");
        }
        if (m.type().startsWith("fuse.") || m.type().startsWith("fuse3.")) {
            throw new InvalidArgumentException("fuse mounts need a helper binary and are not supported: " + m.type());
        }
        MountOptions opts = MountOptions.parse(m.options());
        byte[] t = NativePath.bytes(target);
        boolean bind = "bind".equals(m.type()) || opts.has(MountOptions.MS_BIND);
        boolean remount = opts.has(MountOptions.MS_REMOUNT);
        if ("overlay".equals(m.type()) && !bind && !remount) {
            OverlayMount.mount(m.source(), t, opts);
        } else {
            long flags = bind ? opts.flags() | MountOptions.MS_BIND : opts.flags();
            classic(m, t, opts, flags);
            if (bind && !remount) {
                remountBind(t, flags);
            }
        }
        if (opts.propagation() != 0) {
            try {
                call(t, "mount propagation", f -> LibC.mount(MemorySegment.NULL, f.cstr(t), MemorySegment.NULL,
                        opts.propagation(), MemorySegment.NULL));
            } catch (ErrnoException e) {
                undo(t, remount);
                throw e;
            }
        }
    }

    private static void classic(Mount m, byte[] t, MountOptions opts, long flags) throws ErrnoException {
        String data = opts.dataString();
        if (data.length() >= PAGE_SIZE) {
            throw new InvalidArgumentException("mount options of " + m.type() + " are too long (" + data.length()
                    + " bytes, limit " + (PAGE_SIZE - 1) + ")");
        }
        String source = m.source();
        LoopDevice loop = opts.loop() ? LoopDevice.attach(source, opts.has(MountOptions.MS_RDONLY)) : null;
        try {
            String src = loop != null ? loop.path : source;
            call(t, "mount " + m.type() + " " + src + (data.isEmpty() ? "" : " -o " + data) + " on",
                    f -> LibC.mount(f.cstr(src), f.cstr(t), f.cstr(m.type()), flags,
                            data.isEmpty() ? MemorySegment.NULL : f.cstr(data)));
        } finally {
            if (loop != null) {
                loop.close();
            }
        }
    }

    /** A bind ignores per-mount flags on creation; apply them by remounting, and undo the bind if that fails. */
    private static void remountBind(byte[] t, long flags) throws ErrnoException {
        long perMount = flags & MountOptions.BIND_REMOUNT_FLAGS;
        if (perMount == 0) {
            return;
        }
        try {
            call(t, "mount remount,bind on", f -> LibC.mount(MemorySegment.NULL, f.cstr(t), MemorySegment.NULL,
                    MountOptions.MS_REMOUNT | MountOptions.MS_BIND | perMount, MemorySegment.NULL));
            if ((flags & (MountOptions.MS_REC | MountOptions.MS_RDONLY)) == (MountOptions.MS_REC | MountOptions.MS_RDONLY)) {
                recursiveReadOnly(t);
            }
        } catch (ErrnoException e) {
            undo(t, false);
            throw e;
        }
    }

    /** mount_setattr(AT_RECURSIVE, MOUNT_ATTR_RDONLY) so submounts of an rbind are read-only as well. */
    private static void recursiveReadOnly(byte[] t) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment attr = f.allocate(32, 8); // struct mount_attr
            attr.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, OverlayMount.MOUNT_ATTR_RDONLY);
            if (LibC.mountSetattr(LibC.AT_FDCWD, f.cstr(t), LibC.AT_RECURSIVE, attr, 32) != 0
                    && LibC.errno() != ErrnoException.ENOSYS) {
                throw LibC.error("mount_setattr recursive ro", t);
            }
        }
    }

    private static void undo(byte[] t, boolean wasRemount) {
        if (wasRemount) {
            return;
        }
        try (Scratch.Frame f = Scratch.frame()) {
            LibC.umount2(f.cstr(t), MNT_DETACH);
        }
    }

    @FunctionalInterface
    private interface Call {
        int apply(Scratch.Frame f) throws ErrnoException;
    }

    private static void call(byte[] path, String operation, Call call) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            if (call.apply(f) != 0) {
                throw LibC.error(operation, path);
            }
        }
    }

    /**
     * umount2(2) of {@code target}. Without {@link UnmountFlag#DETACH}, EBUSY is retried for up to
     * 2.5 s (50 tries 50 ms apart, as containerd does) before it is thrown.
     */
    public static void unmount(Path target, UnmountFlag... flags) throws ErrnoException {
        unmount(NativePath.bytes(target), umountFlags(flags));
    }

    private static int umountFlags(UnmountFlag... flags) {
        int f = 0;
        for (UnmountFlag flag : flags) {
            f |= flag == UnmountFlag.DETACH ? MNT_DETACH : MNT_FORCE;
        }
        return f;
    }

    private static void unmount(byte[] target, int flags) throws ErrnoException {
        for (int attempt = 0; ; attempt++) {
            try (Scratch.Frame f = Scratch.frame()) {
                if (LibC.umount2(f.cstr(target), flags) == 0) {
                    return;
                }
            }
            int e = LibC.errno();
            if (e != ErrnoException.EBUSY || (flags & MNT_DETACH) != 0 || attempt + 1 >= BUSY_RETRIES) {
                throw new ErrnoException("umount", NativePath.display(target), e);
            }
            try {
                Thread.sleep(BUSY_SLEEP_MS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new ErrnoException("umount", NativePath.display(target), e);
            }
        }
    }

    /**
     * Unmounts everything stacked on {@code target}, top first, until it is no mount point (EINVAL),
     * as containerd's UnmountAll. Nothing mounted, or no such path, is not an error.
     */
    public static void unmountAll(Path target, UnmountFlag... flags) throws ErrnoException {
        byte[] t = NativePath.bytes(target);
        int f = umountFlags(flags);
        while (true) {
            try {
                unmount(t, f);
            } catch (ErrnoException e) {
                if (e.errno() == ErrnoException.EINVAL || e.errno() == ErrnoException.ENOENT) {
                    return;
                }
                throw e;
            }
        }
    }

    /**
     * Unmounts every mount at or below {@code target}, deepest first (containerd's
     * UnmountRecursive), then whatever is still stacked on {@code target}. EBUSY is retried as in
     * {@link #unmount}; mounts that vanished meanwhile are skipped.
     */
    public static void unmountRecursive(Path target, UnmountFlag... flags) throws IOException {
        int f = umountFlags(flags);
        for (String mp : MountInfo.under(target)) {
            try {
                unmount(NativePath.bytes(mp), f);
            } catch (ErrnoException e) {
                if (e.errno() != ErrnoException.EINVAL && e.errno() != ErrnoException.ENOENT) {
                    throw e;
                }
            }
        }
        unmountAll(target, flags);
    }

    /**
     * Unmounts everything at or below {@code target}; detaches lazily what is busy, and everything
     * when the mount table cannot be read (no file descriptor left, say): a detach needs none and
     * takes the mounts below with it, so a temporary mount never outlives its work.
     */
    private static void unmountOrDetach(Path target) throws IOException {
        try {
            unmountRecursive(target);
        } catch (IOException e) {
            if (e instanceof ErrnoException x && x.errno() != ErrnoException.EBUSY) {
                throw e;
            }
            unmountAll(target, UnmountFlag.DETACH);
        }
    }

    /** {@link #withMounted(List, Path, MountedWork)} with the temporary directory under java.io.tmpdir. */
    public static <T> T withMounted(List<Mount> mounts, MountedWork<T> work) throws IOException {
        return withMounted(mounts, Path.of(System.getProperty("java.io.tmpdir")), work);
    }

    /**
     * Mounts {@code mounts} on a fresh temporary directory under {@code parent}, runs {@code work}
     * on it and then, whether the work returned or threw, unmounts everything there (detaching
     * lazily if it is still busy) and removes the directory. A cleanup failure after a failed work
     * is added to the work's exception as suppressed.
     */
    public static <T> T withMounted(List<Mount> mounts, Path parent, MountedWork<T> work) throws IOException {
        Path dir = Files.createTempDirectory(parent, TEMP_PREFIX);
        Throwable failure = null;
        try {
            mountAll(mounts, dir);
            return work.run(dir);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            try {
                unmountOrDetach(dir);
                Files.deleteIfExists(dir);
            } catch (IOException | RuntimeException cleanup) {
                if (failure == null) {
                    throw cleanup;
                }
                failure.addSuppressed(cleanup);
            }
        }
    }
}

package io.strata.fs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A loop device bound to a backing file with LO_FLAGS_AUTOCLEAR: once the device has been
 * mounted, closing this handle leaves it to the kernel, which detaches it when the last mount
 * goes away; if the mount failed, closing detaches it at once.
 */
final class LoopDevice implements AutoCloseable {
    private static final long LOOP_CTL_GET_FREE = 0x4C82;
    private static final long LOOP_CONFIGURE = 0x4C0A;
    private static final long LOOP_GET_STATUS64 = 0x4C05;
    private static final long INFO64_SIZE = 232; // struct loop_info64
    private static final int LO_FLAGS_READ_ONLY = 1;
    private static final int LO_FLAGS_AUTOCLEAR = 4;
    private static final long CONFIG_SIZE = 304; // struct loop_config
    private static final long FLAGS_OFFSET = 8 + 52; // info.lo_flags
    private static final long NAME_OFFSET = 8 + 56; // info.lo_file_name[64]

    final String path;
    private final int fd;

    private LoopDevice(String path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    static LoopDevice attach(String file, boolean readOnly) throws ErrnoException {
        int mode = readOnly ? LibC.O_RDONLY : LibC.O_RDWR;
        int ctl = Sys.open(NativePath.bytes("/dev/loop-control"), LibC.O_RDWR, 0);
        try {
            for (int attempt = 0; ; attempt++) {
                int n = LibC.ioctl(ctl, LOOP_CTL_GET_FREE, 0);
                if (n < 0) {
                    throw LibC.error("ioctl LOOP_CTL_GET_FREE", "/dev/loop-control");
                }
                String dev = "/dev/loop" + n;
                int dfd = Sys.open(NativePath.bytes(dev), mode, 0);
                try {
                    if (configure(dfd, dev, file, mode, readOnly)) {
                        return new LoopDevice(dev, dfd);
                    }
                } catch (ErrnoException e) {
                    LibC.close(dfd);
                    throw e;
                }
                LibC.close(dfd);
                if (attempt >= 20) {
                    throw new ErrnoException("ioctl LOOP_CONFIGURE " + file + " on", dev, ErrnoException.EBUSY);
                }
            }
        } finally {
            LibC.close(ctl);
        }
    }

    /** False when another process took the free device first (EBUSY). */
    private static boolean configure(int dfd, String dev, String file, int mode, boolean readOnly) throws ErrnoException {
        int ffd = Sys.open(NativePath.bytes(file), mode, 0);
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment cfg = f.allocate(CONFIG_SIZE, 8);
            cfg.set(JAVA_INT, 0, ffd);
            cfg.set(JAVA_INT, FLAGS_OFFSET, LO_FLAGS_AUTOCLEAR | (readOnly ? LO_FLAGS_READ_ONLY : 0));
            byte[] name = file.getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(name, 0, cfg, JAVA_BYTE, NAME_OFFSET, Math.min(name.length, 63));
            if (LibC.ioctl(dfd, LOOP_CONFIGURE, cfg) != 0) {
                if (LibC.errno() == ErrnoException.EBUSY) {
                    return false;
                }
                throw LibC.error("ioctl LOOP_CONFIGURE " + file + " on", dev);
            }
            return true;
        } finally {
            LibC.close(ffd);
        }
    }

    /** The device and inode numbers of the file a loop device reads and writes. */
    record Backing(long dev, long ino) {
    }

    /**
     * What loop device {@code dev} (for example {@code /dev/loop3}) is bound to, from
     * LOOP_GET_STATUS64 ({@code lo_device}, {@code lo_inode}); empty when it is bound to nothing
     * or has gone away.
     */
    static Optional<Backing> backing(String dev) throws ErrnoException {
        int fd;
        try {
            fd = Sys.open(NativePath.bytes(dev), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        } catch (ErrnoException e) {
            if (e.errno() == ErrnoException.ENOENT || e.errno() == ErrnoException.ENXIO) {
                return Optional.empty();
            }
            throw e;
        }
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment info = f.allocate(INFO64_SIZE, 8);
            if (LibC.ioctl(fd, LOOP_GET_STATUS64, info) != 0) {
                if (LibC.errno() == ErrnoException.ENXIO) {
                    return Optional.empty();
                }
                throw LibC.error("ioctl LOOP_GET_STATUS64", dev);
            }
            return Optional.of(new Backing(info.get(JAVA_LONG, 0), info.get(JAVA_LONG, 8)));
        } finally {
            LibC.close(fd);
        }
    }

    @Override
    public void close() {
        LibC.close(fd);
    }
}

package io.strata.fs;

import java.io.IOException;

/**
 * A system call failed. Carries the errno number ({@link #errno()}), its symbolic name
 * ({@link #errnoName()}, for example {@code ENOENT}), the operation (the syscall, sometimes with
 * the option being applied) and the path it was applied to, if any. The message reads like
 * {@code "mount /mnt/x: EBUSY (Device or resource busy)"}.
 */
public final class ErrnoException extends IOException implements io.strata.api.IoErrors.WithErrno {
    private static final long serialVersionUID = 1L;

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int ENOTBLK = 15;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOTTY = 25;
    public static final int ETXTBSY = 26;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int ESPIPE = 29;
    public static final int EROFS = 30;
    public static final int EMLINK = 31;
    public static final int EPIPE = 32;
    public static final int ERANGE = 34;
    public static final int EDEADLK = 35;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;
    public static final int ELOOP = 40;
    public static final int ENODATA = 61;
    public static final int EOVERFLOW = 75;
    public static final int EOPNOTSUPP = 95;
    public static final int ESTALE = 116;
    public static final int EDQUOT = 122;

    private final int errno;
    private final String operation;
    private final String path;

    /**
     * @param operation what failed, e.g. {@code "mount"} or {@code "fsconfig lowerdir+"}
     * @param path the path the operation was applied to, or null
     * @param errno the errno value
     */
    public ErrnoException(String operation, String path, int errno) {
        super(message(operation, path, errno));
        this.errno = errno;
        this.operation = operation;
        this.path = path;
    }

    private static String message(String operation, String path, int errno) {
        String where = path == null ? "" : " " + path;
        return operation + where + ": " + name(errno) + " (" + LibC.strerror(errno) + ")";
    }

    public int errno() {
        return errno;
    }

    /** The symbolic name, e.g. {@code "ENOENT"}, or {@code "errno N"} for ones not in the table. */
    public String errnoName() {
        return name(errno);
    }

    public String operation() {
        return operation;
    }

    /** The path the failed call was applied to, or null. */
    public String path() {
        return path;
    }

    /** The symbolic name of an errno value, e.g. {@code name(2)} is {@code "ENOENT"}. */
    public static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case 3 -> "ESRCH";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case ENXIO -> "ENXIO";
            case E2BIG -> "E2BIG";
            case 8 -> "ENOEXEC";
            case EBADF -> "EBADF";
            case 10 -> "ECHILD";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case ENOTBLK -> "ENOTBLK";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case EXDEV -> "EXDEV";
            case ENODEV -> "ENODEV";
            case ENOTDIR -> "ENOTDIR";
            case EISDIR -> "EISDIR";
            case EINVAL -> "EINVAL";
            case ENFILE -> "ENFILE";
            case EMFILE -> "EMFILE";
            case ENOTTY -> "ENOTTY";
            case ETXTBSY -> "ETXTBSY";
            case EFBIG -> "EFBIG";
            case ENOSPC -> "ENOSPC";
            case ESPIPE -> "ESPIPE";
            case EROFS -> "EROFS";
            case EMLINK -> "EMLINK";
            case EPIPE -> "EPIPE";
            case 33 -> "EDOM";
            case ERANGE -> "ERANGE";
            case EDEADLK -> "EDEADLK";
            case ENAMETOOLONG -> "ENAMETOOLONG";
            case 37 -> "ENOLCK";
            case ENOSYS -> "ENOSYS";
            case ENOTEMPTY -> "ENOTEMPTY";
            case ELOOP -> "ELOOP";
            case ENODATA -> "ENODATA";
            case EOVERFLOW -> "EOVERFLOW";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case 110 -> "ETIMEDOUT";
            case ESTALE -> "ESTALE";
            case 117 -> "EUCLEAN";
            case EDQUOT -> "EDQUOT";
            default -> "errno " + errno;
        };
    }
}

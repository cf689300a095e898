package io.strata.api;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.Optional;

/**
 * The one classifier from I/O failures to Strata's errors. A failure that is the environment's
 * fault, not the data's (the disk full or over quota, a read-only file system, no file descriptors
 * left) is {@link UnavailableException}, naming the resource, so that a caller can tell "try again
 * later" from a broken store; every other I/O failure is {@link InternalException}.
 *
 * <p>It reads the errno of a failed system call ({@link WithErrno}, which Strata's own syscalls
 * throw), the reason of the JDK's {@link FileSystemException}s, and last the message of a plain
 * {@link IOException} (the JDK's channels report ENOSPC only there, as the kernel's words).
 */
public final class IoErrors {
    /** Linux errno values of exhausted resources. */
    private static final int EMFILE = 24;
    private static final int ENFILE = 23;
    private static final int ENOSPC = 28;
    private static final int EROFS = 30;
    private static final int EDQUOT = 122;

    private IoErrors() {
    }

    /** An I/O failure that knows the errno of the system call behind it. */
    public interface WithErrno {
        /** The errno the system call set. */
        int errno();
    }

    /**
     * The exhausted or refused resource behind {@code e} or one of its causes: "no space left",
     * "read-only file system" or "too many open files"; empty for anything else.
     */
    public static Optional<String> exhausted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof WithErrno x) {
                return byErrno(x.errno());
            }
            String words = t instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason()
                    : t instanceof IOException ? t.getMessage() : null;
            Optional<String> r = byWords(words);
            if (r.isPresent()) {
                return r;
            }
        }
        return Optional.empty();
    }

    /** The error for {@code e}, raised while {@code doing} something ("writing blob sha256:…"). */
    public static StrataException classify(String doing, IOException e) {
        return exhausted(e).<StrataException>map(what -> new UnavailableException(doing + ": " + what + ": " + e.getMessage(), e))
                .orElseGet(() -> new InternalException(doing + ": " + e.getMessage(), e));
    }

    private static Optional<String> byErrno(int errno) {
        return switch (errno) {
            case ENOSPC, EDQUOT -> Optional.of("no space left");
            case EROFS -> Optional.of("read-only file system");
            case EMFILE, ENFILE -> Optional.of("too many open files");
            default -> Optional.empty();
        };
    }

    // The kernel's strerror words, which is all the JDK passes on.
    private static Optional<String> byWords(String words) {
        if (words == null) {
            return Optional.empty();
        }
        if (words.contains("No space left on device") || words.contains("Disk quota exceeded")) {
            return byErrno(ENOSPC);
        }
        if (words.contains("Read-only file system")) {
            return byErrno(EROFS);
        }
        if (words.contains("Too many open files")) {
            return byErrno(EMFILE);
        }
        return Optional.empty();
    }
}

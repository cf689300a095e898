package io.strata.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

class IoErrorsTest {
    /** As Strata's syscalls throw: the errno, with words that say nothing of it. */
    static final class Failed extends IOException implements IoErrors.WithErrno {
        private final int errno;

        Failed(int errno) {
            super("openat /x: errno " + errno);
            this.errno = errno;
        }

        @Override
        public int errno() {
            return errno;
        }
    }

    @Test
    void theEnvironmentsFaultsAreUnavailableAndNameTheResource() {
        assertThat(IoErrors.classify("writing", new Failed(28))).isInstanceOf(UnavailableException.class)
                .hasMessage("writing: no space left: openat /x: errno 28");
        assertThat(IoErrors.exhausted(new Failed(122))).contains("no space left");
        assertThat(IoErrors.exhausted(new Failed(30))).contains("read-only file system");
        assertThat(IoErrors.exhausted(new Failed(24))).contains("too many open files");
        assertThat(IoErrors.exhausted(new Failed(23))).contains("too many open files");
        // The JDK's own exceptions: the reason, not the file name, decides.
        assertThat(IoErrors.exhausted(new FileSystemException("/No space left on device", null, "Read-only file system")))
                .contains("read-only file system");
        assertThat(IoErrors.exhausted(new IOException("No space left on device"))).contains("no space left");
        assertThat(IoErrors.exhausted(new UncheckedIOException(new IOException("x", new Failed(28))))).contains("no space left");
    }

    @Test
    void everythingElseIsInternal() {
        assertThat(IoErrors.classify("reading", new Failed(5))).isInstanceOf(InternalException.class)
                .hasMessage("reading: openat /x: errno 5");
        // An errno decides even when a cause further down says otherwise.
        assertThat(IoErrors.exhausted(new Failed(2))).isEmpty();
        assertThat(IoErrors.exhausted(new FileSystemException("/a", null, "No such file or directory"))).isEmpty();
        // Words in a message that is not an I/O failure's are not the kernel's.
        assertThat(IoErrors.exhausted(new IllegalStateException("No space left on device"))).isEmpty();
    }
}

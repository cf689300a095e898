package io.strata.grpc;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/** The file of a unix socket a server listens on: made ready before bind, tightened after, removed after close. */
final class SocketFiles {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private SocketFiles() {
    }

    /**
     * Creates the parent directory and removes a socket file left by a server that is gone.
     *
     * @throws BindException              if a server still accepts connections on it
     * @throws FileAlreadyExistsException if something other than a socket is there
     */
    static void prepare(Path socket) throws IOException {
        Files.createDirectories(socket.toAbsolutePath().getParent());
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new FileAlreadyExistsException(socket.toString(), null, "exists and is not a socket; not replacing it");
        }
        if (answers(socket)) {
            throw new BindException("another server is listening on " + socket);
        }
        Files.delete(socket);
    }

    private static boolean answers(Path socket) throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (ConnectException refused) {
            return false;
        }
    }

    /**
     * A name for binding in {@code socket}'s directory, to be {@linkplain #publish published} under
     * {@code socket}'s name once serving. Unique per process; a leftover one from a process with the
     * same pid (a crash, then pid reuse) is removed.
     */
    static Path temporaryBeside(Path socket) throws IOException {
        Path tmp = socket.resolveSibling("." + ProcessHandle.current().pid() + ".sock.tmp");
        if (tmp.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
            throw new IOException("socket path too long for its temporary twin (unix sockets allow 107 bytes): " + tmp);
        }
        Files.deleteIfExists(tmp);
        return tmp;
    }

    /**
     * Puts the listening socket bound at {@code bound} in place as {@code socket}: restricts it to
     * owner and group (connecting needs write permission), checks that a client gets through, and
     * renames it over whatever stale socket is there, so the path never lacks an answering server.
     *
     * @return the identity of the published socket file, for {@link #removeIfSame}
     */
    static Object publish(Path bound, Path socket) throws IOException {
        Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-rw----"));
        if (!answers(bound)) {
            throw new ConnectException("the server does not answer on " + bound + " after binding it");
        }
        Files.move(bound, socket, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return identity(socket);
    }

    /** Removes a temporary socket left by a start that failed; {@code null} is nothing to do. */
    static void deleteQuietly(Path bound) {
        if (bound != null) {
            try {
                Files.deleteIfExists(bound);
            } catch (IOException ignored) {
                // best effort: the next start with this pid removes it
            }
        }
    }

    /** Removes the socket file if it is still the one identified by {@code identity} (not a successor's). */
    static void removeIfSame(Path socket, Object identity) throws IOException {
        if (identity != null && Files.exists(socket, LinkOption.NOFOLLOW_LINKS) && identity.equals(identity(socket))) {
            Files.deleteIfExists(socket);
        }
    }

    private static Object identity(Path socket) throws IOException {
        return Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }
}

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

    /** Lets owner and group connect, nobody else (connecting needs write permission). */
    static Object restrict(Path socket) throws IOException {
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
        return identity(socket);
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

package io.strata.daemon;

import io.strata.api.InvalidArgumentException;
import io.strata.fs.ErrnoException;
import io.strata.fs.UnixSockets;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.util.Map;
import java.util.Optional;

/**
 * systemd's socket activation ({@code sd_listen_fds(3)}): when {@code $LISTEN_PID} is this
 * process and {@code $LISTEN_FDS} is at least 1, descriptor 3 is a listening socket the service
 * manager bound and keeps open across restarts. Serving on it means containerd's connects wait in
 * the backlog while the daemon starts or restarts, instead of being refused.
 *
 * <p>The JDK adopts a listening unix socket only as its inherited channel, on descriptor 0, so
 * descriptor 3 is moved there (a daemon reads nothing from standard input); the JDK then puts
 * {@code /dev/null} back on 0. Only the first of several passed sockets is served.
 */
public final class SocketActivation {
    static final int SD_LISTEN_FDS_START = 3;

    private SocketActivation() {
    }

    /**
     * The socket passed by the service manager, if this process was socket-activated.
     *
     * @throws InvalidArgumentException if the passed descriptor is not a listening unix socket
     */
    public static Optional<ServerSocketChannel> listener(Map<String, String> env) throws IOException {
        String pid = env.get("LISTEN_PID");
        String fds = env.get("LISTEN_FDS");
        if (pid == null || fds == null || !pid.strip().equals(Long.toString(ProcessHandle.current().pid()))) {
            return Optional.empty();
        }
        int count;
        try {
            count = Integer.parseInt(fds.strip());
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException("LISTEN_FDS is not a number: \"" + fds + "\"");
        }
        if (count < 1) {
            return Optional.empty();
        }
        try {
            UnixSockets.moveDescriptor(SD_LISTEN_FDS_START, 0);
        } catch (ErrnoException e) {
            throw new InvalidArgumentException("socket activation: descriptor 3 is not usable: " + e.getMessage());
        }
        Channel inherited = System.inheritedChannel();
        if (inherited instanceof ServerSocketChannel server
                && server.getLocalAddress() instanceof UnixDomainSocketAddress) {
            return Optional.of(server);
        }
        if (inherited != null) {
            inherited.close();
        }
        throw new InvalidArgumentException("socket activation: descriptor 3 is not a listening unix stream socket"
                + " (strata.socket needs ListenStream=/path)");
    }
}

package io.strata.daemon;

import io.strata.fs.UnixSockets;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * systemd's readiness protocol ({@code sd_notify(3)}) without libsystemd: one datagram of
 * newline-separated {@code KEY=VALUE} lines to the socket named by {@code $NOTIFY_SOCKET} (a
 * path, or an abstract name starting with {@code @}). Without the variable, as outside
 * {@code Type=notify} units, every call is a no-op. A notification that cannot be sent is logged
 * and otherwise ignored: the service manager's timeout, not this process, decides what follows.
 */
public final class SdNotify {
    private static final System.Logger LOG = System.getLogger("io.strata.daemon");
    private final Optional<String> socket;

    private SdNotify(Optional<String> socket) {
        this.socket = socket;
    }

    /** The notifier this process's environment asks for. */
    public static SdNotify fromEnvironment() {
        return from(System.getenv());
    }

    /** The notifier {@code env} asks for (for tests). */
    public static SdNotify from(Map<String, String> env) {
        return new SdNotify(Optional.ofNullable(env.get("NOTIFY_SOCKET")).filter(s -> !s.isEmpty()));
    }

    /** {@code READY=1}: the socket is serving. */
    public void ready(String status) {
        send("READY=1\nSTATUS=" + status + "\nMAINPID=" + ProcessHandle.current().pid());
    }

    /** {@code STOPPING=1}: draining calls before exit. */
    public void stopping() {
        send("STOPPING=1\nSTATUS=draining");
    }

    private void send(String message) {
        if (socket.isEmpty()) {
            return;
        }
        try {
            UnixSockets.sendDatagram(socket.get(), message.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "sd_notify to {0} failed: {1}", socket.get(), e.getMessage());
        }
    }
}

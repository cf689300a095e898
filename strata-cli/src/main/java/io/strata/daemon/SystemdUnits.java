package io.strata.daemon;

import java.nio.file.Path;

/**
 * The systemd units {@code strata daemon --print-systemd-units} prints: {@code strata.socket}
 * holds the listening socket (so containerd's connects queue in its backlog across daemon
 * restarts, and it exists before containerd starts), {@code strata.service} runs the daemon as a
 * {@code Type=notify} service that reports ready once it answers on that socket.
 *
 * @param execStart the command that runs {@code strata} (the launcher, or {@code java … -jar …})
 * @param address   the socket path
 * @param root      the state root
 */
public record SystemdUnits(String execStart, Path address, Path root) {

    /** {@code strata.socket}. */
    public String socketUnit() {
        return """
                [Unit]
                Description=Strata snapshotter socket (containerd proxy plugin)
                Before=containerd.service
                PartOf=strata.service

                [Socket]
                ListenStream=%s
                SocketMode=0660
                DirectoryMode=0755
                # containerd dials without waiting for readiness: queue its connects while Strata (re)starts.
                Backlog=4096

                [Install]
                WantedBy=sockets.target
                """.formatted(address);
    }

    /** {@code strata.service}. */
    public String serviceUnit() {
        return """
                [Unit]
                Description=Strata container snapshotter (containerd proxy plugin)
                Requires=strata.socket
                After=strata.socket local-fs.target
                Before=containerd.service

                [Service]
                Type=notify
                NotifyAccess=main
                ExecStart=%s daemon --address %s --root %s
                # SIGTERM drains in-flight calls; the socket stays with systemd, so callers wait, not fail.
                KillMode=mixed
                TimeoutStopSec=30
                Restart=always
                RestartSec=1
                LimitNOFILE=1048576
                OOMScoreAdjust=-999

                [Install]
                WantedBy=multi-user.target
                """.formatted(execStart, address, root);
    }

    /** Both units, each under a comment naming its file, as the command prints them. */
    public String print() {
        return "# /etc/systemd/system/strata.socket\n" + socketUnit()
                + "\n# /etc/systemd/system/strata.service\n" + serviceUnit()
                + "\n# then: systemctl daemon-reload && systemctl enable --now strata.socket strata.service\n";
    }
}

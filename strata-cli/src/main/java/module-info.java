/**
 * The {@code strata} command line and daemon. Exports nothing: its interface is the command
 * line, the socket and the systemd units.
 */
module io.strata.cli {
    requires io.strata.api;
    requires io.strata.backend;
    requires io.strata.service;
    requires io.strata.grpc;
    requires io.strata.image;
    requires io.strata.archive;
    requires io.strata.codec;
    requires io.strata.fs;
    requires info.picocli;
    requires java.logging;
    requires java.management; // the JVM start time, for pull --timings
    requires jdk.httpserver; // the AOT training run's registry
    requires jdk.unsupported; // sun.misc.Signal: SIGTERM and SIGHUP handling

    // picocli sets options on the command objects reflectively.
    opens io.strata.cli to info.picocli;
    opens io.strata.daemon to info.picocli;
}

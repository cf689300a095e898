package io.strata.cli;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Another process that keeps one core busy while a test runs: a machine under load is a normal
 * machine, and a daemon must answer on time there too. A shell loop, so that it competes with the
 * daemon as a separate process would, not as a thread of the test's JVM.
 */
final class BusyCore implements AutoCloseable {
    private final Process spinner;

    private BusyCore(Process spinner) {
        this.spinner = spinner;
    }

    static BusyCore start() throws IOException {
        return new BusyCore(new ProcessBuilder("/bin/sh", "-c", "while :; do :; done")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start());
    }

    @Override
    public void close() throws InterruptedException {
        spinner.destroyForcibly();
        spinner.waitFor(10, TimeUnit.SECONDS);
    }
}

package io.strata.service;

import io.strata.api.ForwardingSnapshotter;
import io.strata.api.Snapshotter;

/** A snapshotter handed on with a close of its own: nothing (the owner closes the backend), or what its holder owns. */
final class Forwarding extends ForwardingSnapshotter {
    private final Snapshotter backend;
    private final Runnable onClose;

    Forwarding(Snapshotter backend, Runnable onClose) {
        this.backend = backend;
        this.onClose = onClose;
    }

    @Override
    protected Snapshotter delegate() {
        return backend;
    }

    @Override
    public void close() {
        onClose.run();
    }
}

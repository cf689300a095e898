package io.strata.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.Snapshotter;
import io.strata.api.UnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeferredSnapshotterTest {

    @Test
    void closingBeforeTheOpeningStartedCallsItOffInsteadOfWaiting() {
        List<Runnable> queued = new ArrayList<>();
        AtomicInteger opened = new AtomicInteger();
        DeferredSnapshotter sn = DeferredSnapshotter.open("native", Set.of(), () -> {
            opened.incrementAndGet();
            throw new AssertionError("must not open after close");
        }, queued::add);
        assertThat(queued).hasSize(1);
        sn.close(); // returns at once: the daemon failed to serve before its backends were let open
        queued.forEach(Runnable::run);
        assertThat(opened).hasValue(0);
        assertThatThrownBy(() -> sn.stat("k")).isInstanceOf(UnavailableException.class)
                .hasMessageContaining("closed before it opened");
    }

    @Test
    void capabilitiesAreKnownBeforeTheBackendOpens() {
        DeferredSnapshotter sn = DeferredSnapshotter.open("overlayfs", Set.of(Snapshotter.REBASE), () -> {
            throw new AssertionError("not opened in this test");
        }, task -> { });
        assertThat(sn.capabilities()).containsExactly(Snapshotter.REBASE);
        sn.close();
    }
}

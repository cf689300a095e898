package io.strata.image;

import io.strata.image.unpack.Unpacker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every layer's outcome, in the order the unpacker finished them. */
final class RecordingListener implements Unpacker.Listener {
    final List<Unpacker.Outcome> outcomes = new CopyOnWriteArrayList<>();

    @Override
    public void finished(int index, Unpacker.Outcome outcome) {
        outcomes.add(outcome);
    }

    /** Per layer: the compression the applier found, or "skipped". */
    List<String> compressions() {
        return outcomes.stream().map(o -> o.applied().map(r -> r.compression()).orElse("skipped")).toList();
    }

    /** The top chain ID. */
    String top() {
        return outcomes.getLast().chainId();
    }
}

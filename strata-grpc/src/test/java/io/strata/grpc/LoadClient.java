package io.strata.grpc;

import io.strata.api.FailedPreconditionException;
import io.strata.api.Info;
import io.strata.api.Kind;
import io.strata.api.NotFoundException;
import io.strata.api.Snapshotter;
import io.strata.api.StrataException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;

/**
 * One client of a load test: prepares, commits, stats, walks, lists and removes snapshots named
 * {@code c<id>-…} in a random order until a deadline, and keeps a ledger of what exists because of
 * it. It builds on other clients' committed snapshots too, which gives the races the test allows:
 * a parent removed before the prepare on it ({@code NOT_FOUND}), a snapshot that got a child before
 * its removal ({@code FAILED_PRECONDITION}). Anything else that fails, and any disagreement between
 * what the server lists of this client's snapshots and the ledger, is recorded as an error.
 */
final class LoadClient implements Runnable {
    /** More than this many snapshots of its own, and the client prefers removing. */
    private static final int MAX_LIVE = 20;

    private final int id;
    private final String prefix;
    private final Snapshotter remote;
    private final Random random;
    private final long deadlineNanos;
    private final IntFunction<LoadClient> others;
    private final int clients;

    private final Latencies latencies = new Latencies();
    private final Set<String> live = new HashSet<>();
    private final List<String> active = new ArrayList<>();
    private final List<String> committed = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private volatile List<String> published = List.of();
    private volatile String doing = "not started";
    private int races;
    private int made;
    private int preparedCount;
    private int committedCount;
    private int removedActive;
    private int removedCommitted;

    /**
     * @param others the client of each id, for parents made by others
     */
    LoadClient(int id, int clients, Snapshotter remote, long seed, long deadlineNanos, IntFunction<LoadClient> others) {
        this.id = id;
        this.clients = clients;
        this.prefix = "c" + id + "-";
        this.remote = remote;
        this.random = new Random(seed);
        this.deadlineNanos = deadlineNanos;
        this.others = others;
    }

    @Override
    public void run() {
        try {
            while (System.nanoTime() < deadlineNanos) {
                step();
            }
            doing = "done";
        } catch (RuntimeException | Error e) {
            errors.add("client " + id + " stopped while " + doing + ": " + e);
            doing = "failed";
        }
    }

    private void step() {
        int roll = random.nextInt(100);
        if (live.size() > MAX_LIVE || (roll < 20 && !live.isEmpty())) {
            remove();
        } else if (roll < 45 || active.isEmpty()) {
            prepare();
        } else if (roll < 65) {
            commit();
        } else if (roll < 85) {
            stat();
        } else if (roll < 95) {
            walkOwn();
        } else {
            listCommitted();
        }
    }

    private void prepare() {
        String key = prefix + "a" + made++;
        String parent = switch (random.nextInt(3)) {
            case 0 -> "";
            case 1 -> committed.isEmpty() ? "" : pick(committed);
            default -> othersSnapshot();
        };
        try {
            timed("prepare", () -> remote.prepare(key, parent));
            active.add(key);
            live.add(key);
            preparedCount++;
        } catch (NotFoundException e) {
            raceUnlessOwn(parent, e);
        }
    }

    private void commit() {
        String key = active.get(random.nextInt(active.size()));
        String name = prefix + "s" + made++;
        timed("commit", () -> {
            remote.commit(name, key);
            return null;
        });
        active.remove(key);
        live.remove(key);
        committed.add(name);
        live.add(name);
        committedCount++;
        publish();
    }

    private void stat() {
        boolean own = !live.isEmpty() && random.nextBoolean();
        String key = own ? pick(new ArrayList<>(live)) : othersSnapshot();
        if (key.isEmpty()) {
            return;
        }
        try {
            Info info = timed("stat", () -> remote.stat(key));
            Kind expected = !own || committed.contains(key) ? Kind.COMMITTED : Kind.ACTIVE;
            if (info.kind() != expected || !info.name().equals(key)) {
                errors.add("stat " + key + " gave " + info + ", expected kind " + expected);
            }
        } catch (NotFoundException e) {
            raceUnlessOwn(own ? key : "", e);
        }
    }

    /** Walks this client's snapshots: they must be exactly the ledger's, since no one else makes or removes them. */
    private void walkOwn() {
        Set<String> seen = new TreeSet<>();
        timed("walk", () -> {
            remote.walk(info -> seen.add(info.name()), "name~=\"^" + prefix + "\"");
            return null;
        });
        if (!seen.equals(new TreeSet<>(live))) {
            errors.add("walk of " + prefix + "* listed " + seen + " but the ledger has " + new TreeSet<>(live));
        }
    }

    /** Lists every committed snapshot; this client's must all be there, once. */
    private void listCommitted() {
        List<Info> all = timed("list", () -> remote.list("kind==committed"));
        List<String> mine = all.stream().map(Info::name).filter(n -> n.startsWith(prefix)).sorted().toList();
        if (!mine.equals(committed.stream().sorted().toList())) {
            errors.add("list of committed has " + mine + " of " + prefix + "* but the ledger has " + committed);
        }
    }

    private void remove() {
        boolean removeActive = !active.isEmpty() && (committed.isEmpty() || random.nextBoolean());
        String key = removeActive ? pick(active) : pick(committed);
        if (!removeActive) {
            // Withdrawn first, so others stop picking it; put back if it turns out to have children.
            committed.remove(key);
            publish();
        }
        try {
            timed("remove", () -> {
                remote.remove(key);
                return null;
            });
            if (removeActive) {
                active.remove(key);
                removedActive++;
            } else {
                removedCommitted++;
            }
            live.remove(key);
        } catch (FailedPreconditionException e) {
            if (removeActive) {
                errors.add("remove of active " + key + ": " + e.getMessage());
            } else {
                races++;
                committed.add(key);
                publish();
            }
        }
    }

    private void raceUnlessOwn(String own, StrataException e) {
        if (own.startsWith(prefix)) {
            errors.add(doing + ": " + e.getMessage());
        } else {
            races++;
        }
    }

    /** A committed snapshot another client has published, or "" when the one asked has none. */
    private String othersSnapshot() {
        List<String> theirs = others.apply(random.nextInt(clients)).published;
        return theirs.isEmpty() ? "" : pick(theirs);
    }

    private void publish() {
        published = List.copyOf(committed);
    }

    private <T> T timed(String op, java.util.function.Supplier<T> call) {
        doing = op;
        long start = System.nanoTime();
        T result = call.get();
        latencies.record(op, System.nanoTime() - start);
        doing = "between calls";
        return result;
    }

    private <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    Latencies latencies() {
        return latencies;
    }

    /** What exists because of this client, by the ledger. */
    Set<String> live() {
        return live;
    }

    List<String> errors() {
        return errors;
    }

    int races() {
        return races;
    }

    /** How many snapshots a client prepared, committed, and removed while active or once committed. */
    record Counts(int prepared, int committed, int removedActive, int removedCommitted) {
        static final Counts NONE = new Counts(0, 0, 0, 0);

        Counts plus(Counts o) {
            return new Counts(prepared + o.prepared, committed + o.committed, removedActive + o.removedActive,
                    removedCommitted + o.removedCommitted);
        }
    }

    Counts counts() {
        return new Counts(preparedCount, committedCount, removedActive, removedCommitted);
    }

    /** What it is doing now: a call's name while inside one, for the report of a hang. */
    String doing() {
        return "client " + id + ": " + doing;
    }
}

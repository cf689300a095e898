package io.strata.grpc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Requests made by chance from a seeded {@link Random}, so a failure can be replayed: random bytes,
 * well-formed requests with a few bytes changed or cut short, and requests that parse but whose
 * fields are drawn from hostile values ({@link HostileValues}).
 */
final class FuzzedRequests {
    private final Random random;
    private final List<String> snapshotters;

    /** Requests seeded with {@code seed}; the well-formed ones name {@code snapshotters} in turn. */
    FuzzedRequests(long seed, List<String> snapshotters) {
        this.random = new Random(seed);
        this.snapshotters = List.copyOf(snapshotters);
    }

    /** {@code perMethod} arrays of random bytes for each method: most short, some up to 4 KiB. */
    List<Probe> randomBytes(int perMethod) {
        List<Probe> probes = new ArrayList<>();
        for (String method : SnapshotRequests.METHODS) {
            for (int i = 0; i < perMethod; i++) {
                byte[] b = new byte[random.nextInt(10) < 8 ? random.nextInt(64) : random.nextInt(4096)];
                random.nextBytes(b);
                probes.add(Probe.anything("random bytes", SnapshotRequests.full(method), b));
            }
        }
        return probes;
    }

    /** {@code perMethod} well-formed requests for each method with one to three bytes changed, added or cut. */
    List<Probe> mutated(int perMethod) {
        List<Probe> probes = new ArrayList<>();
        for (String method : SnapshotRequests.METHODS) {
            for (int i = 0; i < perMethod; i++) {
                byte[] b = SnapshotRequests.own(method, snapshotters.get(i % snapshotters.size()), i);
                for (int n = 1 + random.nextInt(3); n > 0; n--) {
                    b = mutate(b);
                }
                probes.add(Probe.anything("mutated", SnapshotRequests.full(method), b));
            }
        }
        return probes;
    }

    /** Every proper prefix of a well-formed request for each method. */
    List<Probe> truncated() {
        List<Probe> probes = new ArrayList<>();
        for (String method : SnapshotRequests.METHODS) {
            byte[] whole = SnapshotRequests.own(method, snapshotters.getFirst(), 1_000_000);
            for (int cut = 1; cut < whole.length; cut++) {
                probes.add(Probe.anything("truncated", SnapshotRequests.full(method), Arrays.copyOf(whole, cut)));
            }
        }
        return probes;
    }

    /** {@code perMethod} requests for each method that parse, with every field a hostile value. */
    List<Probe> structured(int perMethod) {
        HostileValues values = new HostileValues(random, snapshotters);
        List<Probe> probes = new ArrayList<>();
        for (String method : SnapshotRequests.METHODS) {
            for (int i = 0; i < perMethod; i++) {
                probes.add(Probe.anything("structured", SnapshotRequests.full(method), values.request(method)));
            }
        }
        return probes;
    }

    private byte[] mutate(byte[] b) {
        if (b.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        int at = random.nextInt(b.length);
        return switch (random.nextInt(6)) {
            case 0 -> {
                byte[] c = b.clone();
                c[at] ^= (byte) (1 << random.nextInt(8));
                yield c;
            }
            case 1 -> {
                byte[] c = b.clone();
                c[at] = (byte) random.nextInt(256);
                yield c;
            }
            case 2 -> splice(b, at, 0, new byte[] {(byte) random.nextInt(256)});
            case 3 -> splice(b, at, 1, new byte[0]);
            case 4 -> Arrays.copyOf(b, at);
            default -> {
                byte[] tail = new byte[1 + random.nextInt(16)];
                random.nextBytes(tail);
                yield splice(b, b.length, 0, tail);
            }
        };
    }

    /** {@code b} with {@code remove} bytes at {@code at} replaced by {@code insert}. */
    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] c = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(insert, 0, c, at, insert.length);
        System.arraycopy(b, at + remove, c, at + insert.length, b.length - at - remove);
        return c;
    }
}

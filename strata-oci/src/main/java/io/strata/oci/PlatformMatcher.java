package io.strata.oci;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Chooses platforms from an index, as containerd's {@code platforms.MatchComparer}: a predicate
 * plus a preference order. Thread-safe and immutable.
 */
public sealed interface PlatformMatcher {

    /** Whether a manifest for {@code p} may be used. */
    boolean matches(Platform p);

    /** Lower is better; only meaningful for platforms that {@link #matches}. */
    int rank(Platform p);

    /** For messages: the platform asked for ({@code linux/arm64}), or {@code all platforms}. */
    String describe();

    /**
     * containerd's {@code platforms.Only(p)} (its default matcher is {@code Only(host)}): the
     * platform itself, then what runs on it, best first: {@code amd64/vN} → {@code amd64/vN-1} …
     * {@code amd64} → {@code 386}; {@code arm/vN} → {@code arm/vN-1} … {@code arm/v5};
     * {@code arm64} → {@code arm/v8} … {@code arm/v5}. (containerd's arm64 {@code v8.x} minor
     * variants are not modelled.)
     */
    static PlatformMatcher only(Platform p) {
        return new Ordered(vector(p));
    }

    /** {@link #only} for {@link Platform#host()}. */
    static PlatformMatcher host() {
        return only(Platform.host());
    }

    /** Exactly this platform (after normalization), nothing compatible. */
    static PlatformMatcher exact(Platform p) {
        return new Ordered(List.of(p));
    }

    /** Every platform, all equal. */
    static PlatformMatcher all() {
        return new All();
    }

    /** containerd's {@code platformVector}. */
    private static List<Platform> vector(Platform p) {
        Objects.requireNonNull(p, "platform");
        var out = new ArrayList<Platform>();
        out.add(p);
        switch (p.architecture()) {
            case "amd64" -> {
                int v = version(p.variant());
                for (int i = v - 1; i >= 1; i--) {
                    out.add(new Platform(p.os(), "amd64", "v" + i));
                }
                out.add(new Platform(p.os(), "386", ""));
            }
            case "arm" -> {
                int v = version(p.variant());
                for (int i = v - 1; i >= 5; i--) {
                    out.add(new Platform(p.os(), "arm", "v" + i));
                }
            }
            case "arm64" -> {
                for (int i = 8; i >= 5; i--) {
                    out.add(new Platform(p.os(), "arm", "v" + i));
                }
            }
            default -> { }
        }
        return List.copyOf(out);
    }

    private static int version(String variant) {
        try {
            return variant.startsWith("v") ? Integer.parseInt(variant.substring(1)) : (variant.isEmpty() ? 1 : -1);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Matches any of a list, preferring earlier entries. */
    record Ordered(List<Platform> preference) implements PlatformMatcher {
        @Override
        public boolean matches(Platform p) {
            return preference.contains(p);
        }

        @Override
        public int rank(Platform p) {
            int i = preference.indexOf(p);
            return i < 0 ? Integer.MAX_VALUE : i;
        }

        @Override
        public String describe() {
            return preference.getFirst().toString();
        }
    }

    /** Matches everything. */
    record All() implements PlatformMatcher {
        @Override
        public boolean matches(Platform p) {
            return true;
        }

        @Override
        public int rank(Platform p) {
            return 0;
        }

        @Override
        public String describe() {
            return "all platforms";
        }
    }
}

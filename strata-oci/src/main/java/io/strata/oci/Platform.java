package io.strata.oci;

import io.strata.api.InvalidArgumentException;
import java.util.Locale;
import java.util.Objects;

/**
 * An OCI platform: os, architecture and variant, always stored normalized as containerd's
 * {@code platforms.Normalize} does ({@code x86_64}→{@code amd64}, {@code aarch64}→{@code arm64},
 * {@code arm64/v8}→{@code arm64} with empty variant, {@code arm}→{@code arm/v7},
 * {@code armhf}→{@code arm/v7}, {@code armel}→{@code arm/v6}, {@code i386}→{@code 386},
 * {@code amd64/v1}→{@code amd64}). Two platforms that mean the same thing are therefore equal.
 * {@code os.version} and {@code os.features} are not modelled (Windows only).
 *
 * @param os           e.g. {@code linux}; lowercase, non-empty
 * @param architecture e.g. {@code amd64}; lowercase, non-empty
 * @param variant      e.g. {@code v7}; empty when none
 */
public record Platform(String os, String architecture, String variant) {
    public Platform {
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(variant, "variant");
        os = os.toLowerCase(Locale.ROOT);
        if (os.equals("macos")) {
            os = "darwin";
        }
        if (os.isEmpty() || architecture.isEmpty()) {
            throw new InvalidArgumentException("platform needs an os and an architecture: \"" + os + "/" + architecture + "\"");
        }
        String a = architecture.toLowerCase(Locale.ROOT);
        String v = variant.toLowerCase(Locale.ROOT);
        switch (a) {
            case "i386" -> { a = "386"; v = ""; }
            case "x86_64", "x86-64", "amd64" -> { a = "amd64"; if (v.equals("v1")) { v = ""; } }
            case "aarch64", "arm64" -> {
                a = "arm64";
                v = switch (v) {
                    case "8", "v8", "v8.0" -> "";
                    case "9", "9.0", "v9.0" -> "v9";
                    default -> v;
                };
            }
            case "armhf" -> { a = "arm"; v = "v7"; }
            case "armel" -> { a = "arm"; v = "v6"; }
            case "arm" -> {
                if (v.isEmpty() || v.equals("7")) {
                    v = "v7";
                } else if (v.equals("5") || v.equals("6") || v.equals("8")) {
                    v = "v" + v;
                }
            }
            default -> { }
        }
        architecture = a;
        variant = v;
    }

    /** The platform this JVM runs on (normalized); arm's variant defaults to v7. */
    public static Platform host() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        if (os.startsWith("mac")) {
            os = "darwin";
        } else if (os.startsWith("windows")) {
            os = "windows";
        }
        return new Platform(os, System.getProperty("os.arch"), "");
    }

    /**
     * Parses containerd's platform specifier: {@code os}, {@code arch}, {@code os/arch} or
     * {@code os/arch/variant} (e.g. {@code linux/arm64/v8}). A single component that is a known
     * OS keeps the host architecture when it is the host OS; otherwise it is an architecture on
     * the host OS.
     *
     * @throws InvalidArgumentException if malformed
     */
    public static Platform parse(String specifier) {
        Objects.requireNonNull(specifier, "specifier");
        String[] parts = specifier.split("/", -1);
        for (String p : parts) {
            if (!p.matches("[A-Za-z0-9_.-]+")) {
                throw new InvalidArgumentException("invalid platform \"" + specifier + "\": expected os[/arch[/variant]]");
            }
        }
        Platform host = host();
        return switch (parts.length) {
            case 1 -> isKnownOs(parts[0])
                    ? new Platform(parts[0], parts[0].equalsIgnoreCase(host.os) ? host.architecture : "amd64",
                            parts[0].equalsIgnoreCase(host.os) ? host.variant : "")
                    : new Platform(host.os, parts[0], "");
            case 2 -> new Platform(parts[0], parts[1], "");
            case 3 -> new Platform(parts[0], parts[1], parts[2]);
            default -> throw new InvalidArgumentException("invalid platform \"" + specifier + "\": too many components");
        };
    }

    private static boolean isKnownOs(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "linux", "windows", "darwin", "macos", "freebsd", "netbsd", "openbsd", "solaris", "illumos", "aix",
                 "android", "ios", "js", "wasip1", "plan9", "dragonfly" -> true;
            default -> false;
        };
    }

    /** {@code os/arch[/variant]}, as {@link #parse} reads it. */
    @Override
    public String toString() {
        return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
    }
}

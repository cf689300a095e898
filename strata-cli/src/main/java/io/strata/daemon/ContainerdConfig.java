package io.strata.daemon;

import io.strata.api.InvalidArgumentException;
import io.strata.backend.Backends;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of containerd's {@code config.toml} that makes Strata containerd's snapshotter, written
 * as a file of its own that containerd can load through {@code imports}, for the config version the
 * installed containerd reads:
 * <ul>
 *   <li>{@code [proxy_plugins]}: one {@code strata-<backend>} per backend, with its
 *       {@code capabilities} (containerd 2.x reads them; 2.2's unpacker rebases layers applied in
 *       parallel onto snapshotters that declare {@code rebase}).</li>
 *   <li>version 3 only: the transfer service's {@code unpack_config}, without which containerd 2.x's
 *       {@code ctr images pull} and {@code import} refuse to unpack into a proxy snapshotter ("no
 *       unpack platforms defined"). The list replaces containerd's default, so overlayfs stays on it.</li>
 *   <li>the CRI's snapshotter ({@code io.containerd.grpc.v1.cri} in version 2,
 *       {@code io.containerd.cri.v1.images} in version 3), so Kubernetes' images land on Strata.</li>
 *   <li>with {@code differ}: {@code [proxy_plugins.strata-diff]} of type {@code diff}, first in the diff
 *       service's order before containerd's {@code walking} (client-side unpacking, {@code ctr
 *       --local}, and containerd 1.7), and the differ of every {@code unpack_config} entry (the
 *       transfer service takes one differ per entry and tries no other). containerd 1.6 loads no
 *       proxy differ and refuses to start with such an order, so a config for it goes without.</li>
 * </ul>
 * Each backend gets exactly one containerd name: containerd's garbage collector removes every
 * snapshot of a snapshotter that its own records for that name do not hold, so two names for one
 * backend would remove each other's snapshots.
 */
public record ContainerdConfig(Format format, String address, List<String> backends, String platform, boolean differ) {
    /** The name containerd knows Strata's differ by. */
    public static final String DIFFER = "strata-diff";

    /** A containerd release's major and minor version. */
    public record Version(int major, int minor) {
    }

    /** containerd's config versions: 2 for containerd 1.x, 3 for 2.x. */
    public enum Format {
        V2, V3;

        /** Parses {@code v2} or {@code v3} (also {@code 2}, {@code 3}). */
        public static Format parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "v2", "2" -> V2;
                case "v3", "3" -> V3;
                default -> throw new InvalidArgumentException("unknown containerd config format \"" + s
                        + "\" (want v2 for containerd 1.x or v3 for containerd 2.x)");
            };
        }

        /** The format for a containerd of this major version. */
        public static Format forMajor(int major) {
            return major >= 2 ? V3 : V2;
        }
    }

    public ContainerdConfig {
        backends = List.copyOf(backends);
    }

    /** The snapshotter name containerd knows backend {@code backend} by. */
    public static String snapshotterName(String backend) {
        return "strata-" + backend;
    }

    private static final Pattern VERSION = Pattern.compile("^containerd\\s+\\S+\\s+v?(\\d+)\\.(\\d+)");

    /** The major version in {@code containerd --version}'s output, if it has one. */
    public static Optional<Integer> majorVersion(String versionOutput) {
        return version(versionOutput).map(Version::major);
    }

    /** The version in {@code containerd --version}'s output, if it has one. */
    public static Optional<Version> version(String versionOutput) {
        Matcher m = VERSION.matcher(versionOutput.strip());
        return m.find() ? Optional.of(new Version(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))))
                : Optional.empty();
    }

    /** Runs {@code containerd --version} as found on {@code PATH}; empty when that fails. */
    public static Optional<String> installedVersion() {
        try {
            Process p = new ProcessBuilder("containerd", "--version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The config text: comments saying where it goes, then TOML containerd loads as it is. */
    public String print() {
        List<String> l = new ArrayList<>();
        String file = "/etc/containerd/conf.d/strata.toml";
        if (format == Format.V3) {
            l.add("# containerd 2.x (config version 3). Save as " + file + ", add");
        } else {
            l.add("# containerd 1.x (config version 2). Save as " + file + ", add");
        }
        l.add("#   imports = [\"/etc/containerd/conf.d/*.toml\"]");
        l.add("# at the top of /etc/containerd/config.toml and restart containerd. An imported file replaces");
        l.add("# whole plugin sections: options of the plugins below set in config.toml belong here instead.");
        l.add("# Then ctr, nerdctl and the CRI (Kubernetes) use --snapshotter " + snapshotterName(backends.getFirst())
                + (backends.size() > 1 ? " (or " + String.join(", ", backends.stream().skip(1).map(ContainerdConfig::snapshotterName).toList()) + ")" : "")
                + ".");
        l.add("version = " + (format == Format.V3 ? 3 : 2));
        l.add("");
        l.add("[proxy_plugins]");
        for (String b : backends) {
            l.add("  [proxy_plugins." + snapshotterName(b) + "]");
            l.add("    type = \"snapshot\"");
            l.add("    address = " + quote(address));
            Set<String> caps = new TreeSet<>(Backends.capabilities(b));
            if (!caps.isEmpty()) {
                l.add("    capabilities = [" + String.join(", ", caps.stream().map(ContainerdConfig::quote).toList()) + "]");
            }
        }
        if (differ) {
            l.add("  # Strata unpacks layers for containerd, into Strata's snapshots and into containerd's own.");
            l.add("  [proxy_plugins." + DIFFER + "]");
            l.add("    type = \"diff\"");
            l.add("    address = " + quote(address));
            l.add("");
            l.add("[plugins.\"io.containerd.service.v1.diff-service\"]");
            l.add("  default = [" + quote(DIFFER) + ", \"walking\"]");
        }
        if (format == Format.V3) {
            l.add("");
            l.add("# The transfer service (ctr images pull and import) unpacks only into the snapshotters listed here.");
            for (String sn : unpackTargets()) {
                l.add("[[plugins.\"io.containerd.transfer.v1.local\".unpack_config]]");
                l.add("  platform = " + quote(platform));
                l.add("  snapshotter = " + quote(sn));
                l.add("  differ = " + quote(differ ? DIFFER : "walking"));
            }
            l.add("");
            l.add("[plugins.\"io.containerd.cri.v1.images\"]");
        } else {
            l.add("");
            l.add("[plugins.\"io.containerd.grpc.v1.cri\".containerd]");
        }
        l.add("  snapshotter = " + quote(snapshotterName(backends.getFirst())));
        return String.join("\n", l) + "\n";
    }

    private List<String> unpackTargets() {
        List<String> targets = new ArrayList<>();
        targets.add("overlayfs"); // containerd's default entry, which this list replaces
        backends.forEach(b -> targets.add(snapshotterName(b)));
        return targets;
    }

    /** A TOML basic string. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}

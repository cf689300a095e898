package io.strata.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Properties;

/**
 * Which Strata this is: the release and the source revision it was built from, as
 * {@code strata version} prints them and the daemon's Version service answers them (the two
 * fields of containerd's {@code VersionResponse}).
 *
 * @param version  the release, e.g. {@code 0.1.0}; never empty
 * @param revision the git commit the build was made from, with {@code -dirty} when the tree had
 *                 changes; {@code unknown} for a build made outside a git checkout
 */
public record StrataVersion(String version, String revision) {
    private static final String UNKNOWN = "unknown";

    public StrataVersion {
        version = orUnknown(version);
        revision = orUnknown(revision);
    }

    /** This build's version, read once from the build's {@code build.properties}. */
    public static StrataVersion current() {
        return Holder.CURRENT;
    }

    private static String orUnknown(String s) {
        // An unfiltered placeholder means the build had no value for it (no git, say).
        return s == null || s.isBlank() || s.contains("${") ? UNKNOWN : s.strip();
    }

    private static final class Holder {
        static final StrataVersion CURRENT = read();

        private static StrataVersion read() {
            Properties p = new Properties();
            try (InputStream in = StrataVersion.class.getResourceAsStream("build.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // unknown, below
            }
            return new StrataVersion(Objects.requireNonNullElse(p.getProperty("version"), UNKNOWN), p.getProperty("revision"));
        }
    }
}

package io.strata.api;

import java.util.List;
import java.util.Objects;

/**
 * One mount to perform, as in containerd's {@code types.Mount}: {@code type} (bind, overlay, ...),
 * {@code source}, an optional {@code target} relative to the mount point ("" for the mount point
 * itself) and the comma-free list of {@code options} (for example {@code ro}, {@code rbind},
 * {@code lowerdir=...}).
 */
public record Mount(String type, String source, String target, List<String> options) {
    public Mount {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        options = List.copyOf(options);
    }

    public Mount(String type, String source, List<String> options) {
        this(type, source, "", options);
    }

    /** True when the options make this mount read-only. */
    public boolean readOnly() {
        return options.contains("ro");
    }
}

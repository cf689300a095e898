package io.strata.api.filter;

import java.util.List;
import java.util.Optional;

/**
 * Maps a field path of a filter onto an object, as containerd's {@code filters.Adaptor}: the
 * field's value, or empty when the object has no such field.
 *
 * <p>An absent field compares as the empty string for {@code !=} and {@code ~=}, as in containerd.
 */
@FunctionalInterface
public interface Adaptor {
    /**
     * The value at {@code fieldPath} (never empty itself: a filter's field path has at least one
     * element), or {@link Optional#empty()} when the field is not present.
     */
    Optional<String> field(List<String> fieldPath);
}

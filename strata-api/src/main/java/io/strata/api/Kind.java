package io.strata.api;

import java.util.Locale;

/**
 * The kind of a snapshot, as in containerd's {@code snapshots.Kind}.
 *
 * <p>{@link #toString()} gives the lower-case form used by filters ({@code kind==committed}) and
 * by the command line; {@link #parse(String)} reads it back.
 */
public enum Kind {
    /** Read-only snapshot of a committed parent; never committable. */
    VIEW,
    /** Writable snapshot; may be committed once. */
    ACTIVE,
    /** Immutable snapshot; the only kind that can be a parent. */
    COMMITTED;

    /**
     * Parses {@code view}, {@code active} or {@code committed}, ignoring case.
     *
     * @throws InvalidArgumentException for any other text
     */
    public static Kind parse(String text) {
        for (Kind k : values()) {
            if (k.name().equalsIgnoreCase(text)) {
                return k;
            }
        }
        throw new InvalidArgumentException("unknown snapshot kind \"" + text + "\" (want view, active or committed)");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

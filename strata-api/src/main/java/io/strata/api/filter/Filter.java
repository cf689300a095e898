package io.strata.api.filter;

/** A parsed filter (see {@link Filters}); stateless and safe to share between threads. */
@FunctionalInterface
public interface Filter {
    /** The filter that matches everything, as containerd's {@code filters.Always}. */
    Filter ALWAYS = adaptor -> true;

    /** Whether the object behind {@code adaptor} matches. */
    boolean match(Adaptor adaptor);
}

package io.strata.service;

/**
 * What the server does with the {@code containerd-namespace} header of a request.
 *
 * <p>Behind containerd (a {@code proxy_plugins} entry of type {@code snapshot}) use {@link #IGNORE}:
 * containerd's metadata layer already puts the namespace into every key it sends
 * ({@code <namespace>/<id>/<key>}), and its garbage collector calls Walk, Remove and Cleanup with no
 * namespace header at all, so it must see the whole key space.
 */
public enum NamespaceMode {
    /**
     * Each namespace named by the header has a key space of its own: keys, names and parents are
     * stored as {@code <namespace>/<key>}, the prefix is removed from everything returned, and List
     * shows only that namespace's snapshots (filters apply to the names as the client sees them). A
     * request without the header addresses the stored keys as they are, every namespace included.
     * Namespace names must be containerd identifiers (so they never contain '/').
     */
    ISOLATE,
    /** The header is ignored: every request addresses the stored keys as they are. */
    IGNORE
}

package io.strata.service;

import io.strata.api.Namespaces;

/**
 * How a namespace's snapshot key is stored in a shared backend: {@code <namespace>/<key>}. A stored
 * key that does not start with a valid namespace name and '/' is a legacy key, made before
 * namespaces isolated keys in process; it belongs to {@value Namespaces#DEFAULT} under its own
 * name (ADR 0014). What garbage collection needs to follow references between namespaces.
 */
public final class StoredKeys {
    private StoredKeys() {
    }

    /** The key {@code key} of namespace {@code namespace} as a new snapshot stores it. */
    public static String stored(String namespace, String key) {
        return namespace + "/" + key;
    }

    /**
     * The stored key of existing snapshot {@code name} of {@code namespace}: its prefixed key, or in
     * the default namespace its legacy key when only that exists ({@code exists} tells). The
     * prefixed key when neither exists.
     */
    public static String existing(String namespace, String name, java.util.function.Predicate<String> exists) {
        String prefixed = stored(namespace, name);
        if (namespace.equals(Namespaces.DEFAULT) && isLegacy(name) && !exists.test(prefixed) && exists.test(name)) {
            return name;
        }
        return prefixed;
    }

    /** Whether {@code stored} is a legacy key, which belongs to the default namespace as it is. */
    public static boolean isLegacy(String stored) {
        int slash = stored.indexOf('/');
        return slash < 0 || !Namespaces.isValid(stored.substring(0, slash));
    }

    /** The namespace a stored key belongs to. */
    public static String namespaceOf(String stored) {
        return isLegacy(stored) ? Namespaces.DEFAULT : stored.substring(0, stored.indexOf('/'));
    }

    /** The name a stored key has in its namespace. */
    public static String nameOf(String stored) {
        return isLegacy(stored) ? stored : stored.substring(stored.indexOf('/') + 1);
    }
}

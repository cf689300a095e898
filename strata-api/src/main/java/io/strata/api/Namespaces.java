package io.strata.api;

import java.util.regex.Pattern;

/**
 * containerd's namespaces: names as {@code identifiers.Validate} checks them, and the namespace a
 * caller that names none is in. Every part of Strata that takes a namespace (snapshots, images,
 * leases, events, the gRPC header) checks it here, so a name one of them stores the others accept.
 */
public final class Namespaces {
    /** The namespace of a caller that names none, as containerd's {@code namespaces.Default}. */
    public static final String DEFAULT = "default";

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*");
    private static final int MAX_LENGTH = 76;

    private Namespaces() {
    }

    /**
     * Checks a namespace name as containerd's {@code identifiers.Validate} does, and returns it.
     *
     * @throws InvalidArgumentException if it is null, empty, longer than 76 characters or not made
     *                                  of alphanumerics joined by single '.', '_' or '-'
     */
    public static String validate(String namespace) {
        if (namespace == null || namespace.isEmpty()) {
            throw new InvalidArgumentException("namespace must not be empty");
        }
        return identifier("namespace", namespace);
    }

    /** Whether {@link #validate} accepts {@code namespace}. */
    public static boolean isValid(String namespace) {
        return namespace != null && namespace.length() <= MAX_LENGTH && IDENTIFIER.matcher(namespace).matches();
    }

    /**
     * Checks one identifier (a namespace, or a component of an event topic) as containerd does.
     *
     * @param what how the error names it
     * @throws InvalidArgumentException if it is longer than 76 characters or not made of
     *                                  alphanumerics joined by single '.', '_' or '-'
     */
    public static String identifier(String what, String s) {
        if (s.length() > MAX_LENGTH) {
            throw new InvalidArgumentException(what + " \"" + s + "\" greater than maximum length (" + MAX_LENGTH + " characters)");
        }
        if (!IDENTIFIER.matcher(s).matches()) {
            throw new InvalidArgumentException(what + " \"" + s + "\" must match " + IDENTIFIER.pattern());
        }
        return s;
    }
}

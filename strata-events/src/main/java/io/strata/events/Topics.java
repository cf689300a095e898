package io.strata.events;

import io.strata.api.InvalidArgumentException;
import java.util.regex.Pattern;

/** containerd's rules for namespaces and topics ({@code identifiers.Validate}), checked before anything is stored. */
public final class Topics {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*");
    private static final int MAX_LENGTH = 76;

    private Topics() {
    }

    /**
     * A namespace name, checked as containerd's {@code identifiers.Validate} does.
     *
     * @throws InvalidArgumentException if it is empty, longer than 76 characters or not made of
     *                                  alphanumerics joined by single '.', '_' or '-'
     */
    public static String checkNamespace(String namespace) {
        if (namespace == null || namespace.isEmpty()) {
            throw new InvalidArgumentException("namespace must not be empty");
        }
        return identifier("namespace", namespace);
    }

    /** A topic: {@code /} and one or more identifiers separated by {@code /}, as containerd's exchange checks it. */
    public static String checkTopic(String topic) {
        if (topic == null || topic.isEmpty()) {
            throw new InvalidArgumentException("must not have an empty topic");
        }
        if (!topic.startsWith("/")) {
            throw new InvalidArgumentException("topic \"" + topic + "\" must start with '/'");
        }
        for (String part : topic.substring(1).split("/", -1)) {
            if (part.isEmpty()) {
                throw new InvalidArgumentException("topic \"" + topic + "\" has an empty component");
            }
            identifier("topic component", part);
        }
        return topic;
    }

    private static String identifier(String what, String s) {
        if (s.length() > MAX_LENGTH) {
            throw new InvalidArgumentException(what + " \"" + s + "\" greater than maximum length (" + MAX_LENGTH + " characters)");
        }
        if (!IDENTIFIER.matcher(s).matches()) {
            throw new InvalidArgumentException(what + " \"" + s + "\" must match " + IDENTIFIER.pattern());
        }
        return s;
    }
}

package io.strata.events;

import io.strata.api.InvalidArgumentException;
import java.util.regex.Pattern;

/** containerd's rules for topics and namespaces, checked before anything is stored. */
public final class Topics {
    // containerd's identifiers: alphanumerics separated by single '.', '_' or '-', at most 76 long.
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*");
    private static final int MAX_IDENTIFIER = 76;

    private Topics() {
    }

    /** A topic: {@code /} followed by one or more identifiers separated by {@code /}. */
    public static String checkTopic(String topic) {
        if (topic == null || topic.isEmpty()) {
            throw new InvalidArgumentException("must not have an empty topic");
        }
        if (!topic.startsWith("/")) {
            throw new InvalidArgumentException("topic \"" + topic + "\" must start with '/'");
        }
        String[] parts = topic.substring(1).split("/", -1);
        for (String part : parts) {
            if (!identifier(part)) {
                throw new InvalidArgumentException("topic \"" + topic + "\": component \"" + part
                        + "\" is not a valid identifier (letters and digits separated by '.', '_' or '-', at most 76)");
            }
        }
        return topic;
    }

    /** A namespace name: a containerd identifier. */
    public static String checkNamespace(String namespace) {
        if (namespace == null || namespace.isEmpty()) {
            throw new InvalidArgumentException("namespace is required");
        }
        if (!identifier(namespace)) {
            throw new InvalidArgumentException("namespace \"" + namespace
                    + "\" is not a valid identifier (letters and digits separated by '.', '_' or '-', at most 76)");
        }
        return namespace;
    }

    private static boolean identifier(String s) {
        return !s.isEmpty() && s.length() <= MAX_IDENTIFIER && IDENTIFIER.matcher(s).matches();
    }
}

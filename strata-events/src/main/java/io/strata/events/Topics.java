package io.strata.events;

import io.strata.api.InvalidArgumentException;
import io.strata.api.Namespaces;

/** containerd's rules for event topics, checked before anything is stored; namespaces are checked by {@link Namespaces}. */
public final class Topics {
    private Topics() {
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
            Namespaces.identifier("topic component", part);
        }
        return topic;
    }
}

package io.strata.cli;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Sets a command's options from arguments that are nothing but options from a fixed table, written
 * {@code --name value} or {@code --name=value}, without picocli. Building picocli's
 * model, or even reading its annotations (each one is a dynamic proxy class), costs the daemon a
 * quarter of a second on a cold two-core machine; picocli's Java 5 class files are never AOT-linked,
 * and a restarted daemon has about a second to answer before containerd gives up on the reconnect.
 * Anything else (help, a flag, an unknown or repeated option, a missing value) answers empty, and picocli
 * then parses the arguments and says what is wrong. {@code DaemonCommandTest} checks the table
 * against the command's {@code @Option} fields.
 */
final class PlainOptions {
    private PlainOptions() {
    }

    /** One option, written {@code --name value} or {@code --name=value}, and how its value is set on the command. */
    record Plain<T>(String name, BiConsumer<T, String> set) {
        static <T> Plain<T> value(String name, BiConsumer<T, String> set) {
            return new Plain<>(name, set);
        }
    }

    /** Fills {@code command}'s options from {@code args}; empty if picocli must parse them instead. */
    static <T> Optional<T> parse(T command, String[] args, List<Plain<T>> table) {
        Map<String, Plain<T>> byName = new HashMap<>();
        for (Plain<T> p : table) {
            byName.put(p.name(), p);
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            int eq = a.indexOf('=');
            String name = eq > 0 ? a.substring(0, eq) : a;
            Plain<T> p = byName.get(name);
            if (p == null || !seen.add(name)) {
                return Optional.empty();
            }
            String value;
            if (eq > 0) {
                value = a.substring(eq + 1);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("-")) {
                value = args[++i];
            } else {
                return Optional.empty();
            }
            try {
                p.set().accept(command, value);
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
        return Optional.of(command);
    }
}

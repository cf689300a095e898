package io.strata.cli;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Sets a command's {@link Option} fields from arguments that are nothing but those options, written
 * {@code --name value}, {@code --name=value} or {@code --flag}, without building picocli's model of
 * the command. That model costs the daemon a quarter of a second on a cold two-core machine (picocli's
 * Java 5 class files are never AOT-linked), and a restarted daemon has about a second to answer
 * before containerd 1.6 gives up on the reconnect. Anything else (help, an unknown or repeated option,
 * a value that does not parse, an option listed in {@code picocliOnly}) answers empty, and picocli then
 * parses the arguments and says what is wrong.
 */
final class PlainOptions {
    private PlainOptions() {
    }

    /** Fills {@code command}'s options from {@code args}; empty if picocli must parse them instead. */
    static <T> Optional<T> parse(T command, String[] args, List<String> picocliOnly) {
        Map<String, Field> byName = new HashMap<>();
        for (Field f : command.getClass().getDeclaredFields()) {
            Option o = f.getAnnotation(Option.class);
            if (o != null && !o.usageHelp() && !o.versionHelp()) {
                for (String n : o.names()) {
                    byName.put(n, f);
                }
            }
        }
        java.util.Set<Field> seen = new java.util.HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            int eq = a.indexOf('=');
            String name = eq > 0 ? a.substring(0, eq) : a;
            Field f = byName.get(name);
            if (f == null || picocliOnly.contains(name) || !seen.add(f)) {
                return Optional.empty();
            }
            try {
                f.setAccessible(true);
                if (f.getType() == boolean.class) {
                    if (eq > 0) {
                        return Optional.empty();
                    }
                    f.setBoolean(command, true);
                    continue;
                }
                String value;
                if (eq > 0) {
                    value = a.substring(eq + 1);
                } else if (i + 1 < args.length && !args[i + 1].startsWith("-")) {
                    value = args[++i];
                } else {
                    return Optional.empty();
                }
                Object parsed = convert(f, value);
                if (parsed == null) {
                    return Optional.empty();
                }
                f.set(command, parsed);
            } catch (IllegalAccessException | RuntimeException e) {
                return Optional.empty();
            }
        }
        return Optional.of(command);
    }

    private static Object convert(Field f, String value) {
        Class<?> t = f.getType();
        if (t == String.class) {
            return value;
        }
        if (t == Path.class) {
            return Path.of(value);
        }
        if (t == List.class) {
            String split = f.getAnnotation(Option.class).split();
            return split.isEmpty() ? List.of(value) : Arrays.asList(value.split(split, -1));
        }
        return null;
    }
}

package io.strata.cli;

import io.strata.api.InvalidArgumentException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The daemon's optional config file: a flat TOML subset, one {@code key = value} a line, values
 * quoted strings or lists of them, {@code #} comments. Keys: {@code root}, {@code address},
 * {@code log_level}, {@code namespaces}, {@code snapshotters}, {@code block_scratch_size},
 * {@code containerd_root}, {@code containerd_address}. Unknown keys are an error naming
 * them, so a typo does not pass silently.
 */
record DaemonConfig(Map<String, List<String>> values) {
    static final List<String> KEYS = List.of("root", "address", "log_level", "namespaces", "snapshotters", "block_scratch_size",
            "containerd_root", "containerd_address");

    static DaemonConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new InvalidArgumentException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, List<String>> values = new LinkedHashMap<>();
        int n = 0;
        for (String raw : text.lines().toList()) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw bad(file, n, "expected key = value");
            }
            String key = line.substring(0, eq).strip();
            if (!KEYS.contains(key)) {
                throw bad(file, n, "unknown key \"" + key + "\" (known: " + String.join(", ", KEYS) + ")");
            }
            values.put(key, parseValue(line.substring(eq + 1).strip(), file, n));
        }
        return new DaemonConfig(values);
    }

    private static List<String> parseValue(String v, Path file, int n) {
        List<String> out = new ArrayList<>();
        if (v.startsWith("[")) {
            if (!v.endsWith("]")) {
                throw bad(file, n, "unterminated list");
            }
            String inner = v.substring(1, v.length() - 1).strip();
            if (!inner.isEmpty()) {
                for (String item : inner.split(",")) {
                    out.add(unquote(item.strip(), file, n));
                }
            }
        } else {
            out.add(unquote(v, file, n));
        }
        return out;
    }

    private static String unquote(String s, Path file, int n) {
        if (s.length() < 2 || !s.startsWith("\"") || !s.endsWith("\"")) {
            throw bad(file, n, "expected a quoted string, got " + s);
        }
        return s.substring(1, s.length() - 1);
    }

    private static InvalidArgumentException bad(Path file, int line, String why) {
        return new InvalidArgumentException("config file " + file + " line " + line + ": " + why);
    }

    String get(String key, String fallback) {
        List<String> v = values.get(key);
        return v == null || v.isEmpty() ? fallback : v.getFirst();
    }

    List<String> list(String key, List<String> fallback) {
        return values.getOrDefault(key, fallback);
    }
}

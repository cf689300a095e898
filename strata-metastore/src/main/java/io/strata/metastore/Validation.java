package io.strata.metastore;

import io.strata.api.InvalidArgumentException;
import io.strata.api.Limits;
import java.util.Map;
import java.util.Objects;

/** The input checks both stores share, so they refuse exactly the same input. */
final class Validation {
    private Validation() {
    }

    /** {@link Limits#checkKey}, and text that UTF-8 can carry (SQLite would turn a lone surrogate into '?'). */
    static String key(String what, String key) {
        Limits.checkKey(what, key);
        if (!wellFormed(key)) {
            throw new InvalidArgumentException(what + " is not valid Unicode (unpaired surrogate)");
        }
        return key;
    }

    /** {@link Limits#checkLabels}, and keys and values that UTF-8 can carry. */
    static Map<String, String> labels(Map<String, String> labels) {
        Objects.requireNonNull(labels, "labels");
        Limits.checkLabels(labels);
        for (var e : labels.entrySet()) {
            if (!wellFormed(e.getKey()) || !wellFormed(e.getValue())) {
                throw new InvalidArgumentException("label " + quote(e.getKey()) + " is not valid Unicode (unpaired surrogate)");
            }
        }
        return labels;
    }

    static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** Go's {@code %q} for the messages containerd formats that way. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (cp < 0x20 || cp == 0x7F) {
                        b.append(String.format("\\x%02x", cp));
                    } else {
                        b.appendCodePoint(cp);
                    }
                }
            }
        });
        return b.append('"').toString();
    }
}

package io.strata.api;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Validation of keys and labels shared by every snapshotter, so they all refuse the same input. */
public final class Limits {
    /** containerd's limit on one label: key and value together, in bytes. */
    public static final int MAX_LABEL_BYTES = 4096;
    /** Longest key or name accepted, in bytes of UTF-8. */
    public static final int MAX_KEY_BYTES = 4096;

    private Limits() {
    }

    /**
     * Checks a key or name: not empty, at most {@link #MAX_KEY_BYTES} bytes, no NUL.
     *
     * @param what what the key is, for the message ("key", "name", "parent")
     */
    public static String checkKey(String what, String key) {
        if (key == null || key.isEmpty()) {
            throw new InvalidArgumentException(what + " must not be empty");
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_KEY_BYTES) {
            throw new InvalidArgumentException(what + " is " + bytes + " bytes long, more than the limit of "
                    + MAX_KEY_BYTES + " bytes");
        }
        if (key.indexOf('\0') >= 0) {
            throw new InvalidArgumentException(what + " must not contain a NUL character");
        }
        return key;
    }

    /** Checks every label as containerd does: key plus value at most {@link #MAX_LABEL_BYTES} bytes. */
    public static Map<String, String> checkLabels(Map<String, String> labels) {
        for (var e : labels.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty()) {
                throw new InvalidArgumentException("label key must not be empty");
            }
            if (e.getValue() == null) {
                throw new InvalidArgumentException("label " + e.getKey() + " has no value");
            }
            int total = e.getKey().getBytes(StandardCharsets.UTF_8).length
                    + e.getValue().getBytes(StandardCharsets.UTF_8).length;
            if (total > MAX_LABEL_BYTES) {
                String k = e.getKey().length() > 64 ? e.getKey().substring(0, 64) : e.getKey();
                throw new InvalidArgumentException("label key and value length (" + total
                        + " bytes) greater than maximum size (" + MAX_LABEL_BYTES + " bytes), key: " + k);
            }
        }
        return labels;
    }
}

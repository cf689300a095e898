package io.strata.oci.json;

import io.strata.api.InvalidArgumentException;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Typed, checked access to a parsed JSON object; every wrong type names the field and the
 * document ({@code what}). Not public API.
 */
public record JsonObject(String what, Map<String, Object> map) {

    /** Wraps a parsed value that must be an object. */
    @SuppressWarnings("unchecked")
    public static JsonObject of(String what, Object value) {
        if (!(value instanceof Map)) {
            throw new InvalidArgumentException(what + ": expected a JSON object");
        }
        return new JsonObject(what, (Map<String, Object>) value);
    }

    public boolean has(String key) {
        Object v = map.get(key);
        return v != null && v != Json.NULL;
    }

    public String string(String key) {
        return optString(key).orElseThrow(() -> missing(key));
    }

    public Optional<String> optString(String key) {
        Object v = map.get(key);
        if (v == null || v == Json.NULL) {
            return Optional.empty();
        }
        if (v instanceof String str) {
            return Optional.of(str);
        }
        throw wrong(key, "a string");
    }

    public long longValue(String key) {
        Object v = map.get(key);
        if (v instanceof Long n) {
            return n;
        }
        if (v == null || v == Json.NULL) {
            throw missing(key);
        }
        if (v instanceof BigInteger) {
            throw new InvalidArgumentException(what + ": field \"" + key + "\" out of range");
        }
        throw wrong(key, "an integer");
    }

    public Optional<Long> optLong(String key) {
        return has(key) ? Optional.of(longValue(key)) : Optional.empty();
    }

    public Optional<JsonObject> optObject(String key) {
        Object v = map.get(key);
        if (v == null || v == Json.NULL) {
            return Optional.empty();
        }
        if (v instanceof Map) {
            return Optional.of(of(what + "." + key, v));
        }
        throw wrong(key, "an object");
    }

    public JsonObject object(String key) {
        return optObject(key).orElseThrow(() -> missing(key));
    }

    /** A list field; absent or null gives an empty list. */
    public List<Object> list(String key) {
        Object v = map.get(key);
        if (v == null || v == Json.NULL) {
            return List.of();
        }
        if (v instanceof List<?> l) {
            return List.copyOf(l);
        }
        throw wrong(key, "an array");
    }

    /** A list of strings; absent gives an empty list. */
    public List<String> strings(String key) {
        return list(key).stream().map(o -> {
            if (o instanceof String str) {
                return str;
            }
            throw wrong(key, "an array of strings");
        }).toList();
    }

    /** A string → string map (annotations, labels); absent gives an empty map. Sorted by key. */
    public Map<String, String> stringMap(String key) {
        var out = new TreeMap<String, String>();
        optObject(key).ifPresent(o -> o.map.forEach((k, v) -> {
            if (!(v instanceof String str)) {
                throw wrong(key + "." + k, "a string");
            }
            out.put(k, str);
        }));
        return Map.copyOf(out);
    }

    private InvalidArgumentException missing(String key) {
        return new InvalidArgumentException(what + ": missing field \"" + key + "\"");
    }

    private InvalidArgumentException wrong(String key, String type) {
        return new InvalidArgumentException(what + ": field \"" + key + "\" must be " + type);
    }
}

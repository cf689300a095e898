package io.strata.oci.json;

import io.strata.api.InvalidArgumentException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON reader and writer for image metadata (manifests, indexes, configs,
 * {@code index.json}). Not part of the public API: other modules use the typed model in
 * {@code io.strata.oci}.
 *
 * <p>Values map to Java as: object → unmodifiable {@code Map<String,Object>} in document order,
 * array → unmodifiable {@code List<Object>}, string → {@code String}, integral number →
 * {@code Long} (or {@code BigInteger} beyond long), other number → {@code BigDecimal},
 * {@code true/false} → {@code Boolean}, {@code null} → {@link #NULL}.
 *
 * <p>Strict on purpose: duplicate object keys, trailing data, invalid UTF-8 escapes, control
 * characters in strings and nesting deeper than {@value #MAX_DEPTH} are rejected with
 * {@link InvalidArgumentException}. Duplicate keys matter: two readers that pick different
 * duplicates would see different layers behind one digest.
 */
public final class Json {
    /** The JSON {@code null} value; never a Java null. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** Deepest nesting accepted; image metadata needs far less. */
    public static final int MAX_DEPTH = 128;

    private final String s;
    private int pos;

    private Json(String s) {
        this.s = s;
    }

    /** Parses a UTF-8 JSON document. */
    public static Object parse(byte[] utf8) {
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            return parse(decoder.decode(java.nio.ByteBuffer.wrap(utf8)).toString());
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new InvalidArgumentException("invalid JSON: not UTF-8", e);
        }
    }

    /** Parses a JSON document. */
    public static Object parse(String text) {
        Json p = new Json(text);
        p.ws();
        Object v = p.value(0);
        p.ws();
        if (p.pos != p.s.length()) {
            throw p.error("trailing data");
        }
        return v;
    }

    /** Parses a document that must be an object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(byte[] utf8) {
        Object v = parse(utf8);
        if (!(v instanceof Map)) {
            throw new InvalidArgumentException("invalid JSON: expected an object at the top level");
        }
        return (Map<String, Object>) v;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
        if (pos >= s.length()) {
            throw error("unexpected end");
        }
        char c = s.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Map<String, Object> object(int depth) {
        pos++;
        var map = new LinkedHashMap<String, Object>();
        ws();
        if (peek() == '}') {
            pos++;
            return Collections.unmodifiableMap(map);
        }
        while (true) {
            ws();
            if (peek() != '"') {
                throw error("expected a key");
            }
            String key = string();
            ws();
            expect(':');
            ws();
            Object v = value(depth + 1);
            if (map.putIfAbsent(key, v) != null) {
                throw error("duplicate key \"" + key + "\"");
            }
            ws();
            char c = next();
            if (c == '}') {
                return Collections.unmodifiableMap(map);
            }
            if (c != ',') {
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) {
        pos++;
        var list = new ArrayList<Object>();
        ws();
        if (peek() == ']') {
            pos++;
            return Collections.unmodifiableList(list);
        }
        while (true) {
            ws();
            list.add(value(depth + 1));
            ws();
            char c = next();
            if (c == ']') {
                return Collections.unmodifiableList(list);
            }
            if (c != ',') {
                throw error("expected ',' or ']'");
            }
        }
    }

    private String string() {
        expect('"');
        var sb = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                throw error("control character in string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) {
                        throw error("short \\u escape");
                    }
                    try {
                        sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u escape");
                    }
                    pos += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (digit()) {
            while (digit()) {
                pos++;
            }
        } else {
            throw error("bad number");
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!digit()) {
                throw error("bad number");
            }
            while (digit()) {
                pos++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!digit()) {
                throw error("bad number");
            }
            while (digit()) {
                pos++;
            }
        }
        String text = s.substring(start, pos);
        if (!integral) {
            return new BigDecimal(text);
        }
        BigInteger bi = new BigInteger(text);
        return bi.bitLength() < 64 ? (Object) bi.longValue() : bi;
    }

    private boolean digit() {
        char c = peek();
        return c >= '0' && c <= '9';
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, pos)) {
            throw error("bad literal");
        }
        pos += word.length();
        return v;
    }

    private void ws() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private char next() {
        if (pos >= s.length()) {
            throw error("unexpected end");
        }
        return s.charAt(pos++);
    }

    private void expect(char c) {
        if (next() != c) {
            throw error("expected '" + c + "'");
        }
    }

    private InvalidArgumentException error(String what) {
        return new InvalidArgumentException("invalid JSON at offset " + pos + ": " + what);
    }

    // ---- writing ----

    /** Writes a value (the types {@link #parse} returns, plus Integer and any Map/List) compactly. */
    public static String write(Object value) {
        var sb = new StringBuilder();
        write(sb, value);
        return sb.toString();
    }

    /** {@link #write} as UTF-8 bytes. */
    public static byte[] writeBytes(Object value) {
        return write(value).getBytes(StandardCharsets.UTF_8);
    }

    private static void write(StringBuilder sb, Object v) {
        switch (v) {
            case null -> throw new IllegalArgumentException("Java null in JSON tree; use Json.NULL");
            case String str -> quote(sb, str);
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (var e : m.entrySet()) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    quote(sb, (String) e.getKey());
                    sb.append(':');
                    write(sb, e.getValue());
                }
                sb.append('}');
            }
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    write(sb, l.get(i));
                }
                sb.append(']');
            }
            case Boolean b -> sb.append(b);
            case Long n -> sb.append(n);
            case Integer n -> sb.append(n);
            case BigInteger n -> sb.append(n);
            case BigDecimal n -> sb.append(n.toString());
            default -> {
                if (v == NULL) {
                    sb.append("null");
                } else {
                    throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
                }
            }
        }
    }

    private static void quote(StringBuilder sb, String str) {
        sb.append('"');
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}

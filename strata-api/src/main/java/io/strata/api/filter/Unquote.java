package io.strata.api.filter;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * containerd's {@code unquote} ({@code pkg/filters/quote.go}): Go string-literal unquoting that
 * also accepts {@code /} and {@code |} as double-quote characters.
 *
 * <p>Go strings are bytes, so {@code \xNN} and octal escapes produce single bytes; here the bytes
 * are decoded as UTF-8 at the end ({@code "\xc3\xa9"} is {@code "é"}), and a byte sequence that is
 * not UTF-8 becomes U+FFFD where Go would keep the raw bytes.
 */
final class Unquote {
    /** Go's {@code errQuoteSyntax}. */
    static final class SyntaxError extends Exception {
        SyntaxError() {
            super("quote syntax error", null, false, false);
        }
    }

    private Unquote() {
    }

    static String unquote(String s) throws SyntaxError {
        int n = s.length();
        if (n < 2) {
            throw new SyntaxError();
        }
        char quote = s.charAt(0);
        if (quote != s.charAt(n - 1)) {
            throw new SyntaxError();
        }
        String body = s.substring(1, n - 1);
        if (quote == '`') {
            if (body.indexOf('`') >= 0) {
                throw new SyntaxError();
            }
            return body.replace("\r", "");
        }
        if (quote != '"' && quote != '\'' && quote != '|' && quote != '/') {
            throw new SyntaxError();
        }
        if (body.indexOf('\n') >= 0) {
            throw new SyntaxError();
        }
        if (body.indexOf('\\') < 0 && body.indexOf(quote) < 0) {
            if (quote != '\'') {
                return body;
            }
            if (body.codePointCount(0, body.length()) == 1) {
                return body;
            }
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream(body.length() + 8);
        int i = 0;
        while (i < body.length()) {
            i = unquoteChar(body, i, quote, buf);
            if (quote == '\'' && i < body.length()) {
                throw new SyntaxError(); // a single-quoted literal holds one character
            }
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    /** Decodes the character or escape at {@code i} into {@code out}; returns the index after it. */
    private static int unquoteChar(String s, int i, char quote, ByteArrayOutputStream out) throws SyntaxError {
        char c = s.charAt(i);
        if (c == quote) {
            throw new SyntaxError();
        }
        if (c >= 0x80) {
            int cp = s.codePointAt(i);
            writeRune(out, cp);
            return i + Character.charCount(cp);
        }
        if (c != '\\') {
            out.write(c);
            return i + 1;
        }
        if (i + 1 >= s.length()) {
            throw new SyntaxError();
        }
        c = s.charAt(i + 1);
        i += 2;
        switch (c) {
            case 'a' -> out.write(0x07);
            case 'b' -> out.write('\b');
            case 'f' -> out.write('\f');
            case 'n' -> out.write('\n');
            case 'r' -> out.write('\r');
            case 't' -> out.write('\t');
            case 'v' -> out.write(0x0B);
            case 'x', 'u', 'U' -> {
                int digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
                if (s.length() - i < digits) {
                    throw new SyntaxError();
                }
                long v = 0;
                for (int j = 0; j < digits; j++) {
                    int d = Character.digit(s.charAt(i + j), 16);
                    if (d < 0 || s.charAt(i + j) >= 0x80) {
                        throw new SyntaxError();
                    }
                    v = v << 4 | d;
                }
                i += digits;
                if (c == 'x') {
                    out.write((int) v); // one byte, possibly not UTF-8
                } else {
                    if (v > Character.MAX_CODE_POINT) {
                        throw new SyntaxError();
                    }
                    writeRune(out, (int) v);
                }
            }
            case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                if (s.length() - i < 2) {
                    throw new SyntaxError();
                }
                int v = c - '0';
                for (int j = 0; j < 2; j++) {
                    int x = s.charAt(i + j) - '0';
                    if (x < 0 || x > 7) {
                        throw new SyntaxError();
                    }
                    v = v << 3 | x;
                }
                i += 2;
                if (v > 255) {
                    throw new SyntaxError();
                }
                out.write(v);
            }
            case '\\' -> out.write('\\');
            case '\'', '"', '|', '/' -> {
                if (c != quote) {
                    throw new SyntaxError();
                }
                out.write(c);
            }
            default -> throw new SyntaxError();
        }
        return i;
    }

    /** Go's {@code utf8.EncodeRune}: surrogate halves encode as U+FFFD. */
    private static void writeRune(ByteArrayOutputStream out, int cp) {
        if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
            cp = 0xFFFD;
        }
        out.writeBytes(Character.toString(cp).getBytes(StandardCharsets.UTF_8));
    }
}

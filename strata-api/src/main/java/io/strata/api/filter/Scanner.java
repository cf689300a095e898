package io.strata.api.filter;

/**
 * The tokenizer of containerd's filter language ({@code pkg/filters/scanner.go}), rune for rune.
 *
 * <p>Positions are {@code char} indexes into the input; containerd counts UTF-8 bytes, so the two
 * agree for ASCII input only.
 */
final class Scanner {
    /** What {@link #next} and {@link #peek} return at the end of the input. */
    static final int EOF = -1;
    /** What {@link #next} and {@link #peek} return for a NUL or an invalid character. */
    static final int ILLEGAL = -7;

    enum Kind { EOF, QUOTED, VALUE, FIELD, SEPARATOR, OPERATOR, ILLEGAL, CHAR }

    /**
     * One token. {@code rune} is the character of a {@link Kind#CHAR} token (one the grammar has no
     * use for); text is empty for CHAR, EOF and an illegal single character, as in containerd.
     */
    record Token(int pos, Kind kind, String text, int rune) {
    }

    private final String input;
    private int pos;
    private int ppos;
    private boolean value;
    private String err = "";
    private boolean escapeLegal;

    Scanner(String input) {
        this.input = input;
    }

    /** The first error the scanner met, or "" (containerd keeps only the first). */
    String error() {
        return err;
    }

    /** The position just after the last consumed character. */
    int ppos() {
        return ppos;
    }

    int next() {
        if (pos >= input.length()) {
            return EOF;
        }
        pos = ppos;
        if (ppos >= input.length()) {
            return EOF;
        }
        int r = input.codePointAt(ppos);
        ppos += Character.charCount(r);
        // Go decodes an unpaired surrogate and a literal U+FFFD alike as utf8.RuneError.
        if (r == 0xFFFD || Character.isSurrogate((char) r) && Character.charCount(r) == 1) {
            error("rune error");
            return ILLEGAL;
        }
        if (r == 0) {
            error("unexpected null");
            return ILLEGAL;
        }
        return r;
    }

    int peek() {
        int savedPos = pos;
        int savedPpos = ppos;
        int ch = next();
        pos = savedPos;
        ppos = savedPpos;
        return ch;
    }

    Token scan() {
        int ch = next();
        int start = pos;
        while (true) {
            if (ch == EOF) {
                return new Token(pos, Kind.EOF, "", ch);
            }
            if (ch == ILLEGAL) {
                return new Token(pos, Kind.ILLEGAL, "", ch);
            }
            if (isQuoteRune(ch)) {
                boolean ok = scanQuoted(ch);
                return new Token(start, ok ? Kind.QUOTED : Kind.ILLEGAL, input.substring(start, ppos), ch);
            }
            if (isSeparatorRune(ch)) {
                value = false;
                return new Token(start, Kind.SEPARATOR, input.substring(start, ppos), ch);
            }
            if (isOperatorRune(ch)) {
                scanOperator();
                value = true;
                return new Token(start, Kind.OPERATOR, input.substring(start, ppos), ch);
            }
            if (isSpace(ch)) {
                ch = next();
                start = pos;
                continue;
            }
            if (value) {
                scanValue();
                value = false;
                return new Token(start, Kind.VALUE, input.substring(start, ppos), ch);
            }
            if (isFieldRune(ch)) {
                scanField();
                return new Token(start, Kind.FIELD, input.substring(start, ppos), ch);
            }
            return new Token(pos, Kind.CHAR, "", ch);
        }
    }

    private void scanField() {
        while (isFieldRune(peek())) {
            next();
        }
    }

    private void scanOperator() {
        while (isOperatorRune(peek())) {
            next();
        }
    }

    private void scanValue() {
        while (isValueRune(peek())) {
            next();
        }
    }

    private boolean scanQuoted(int quote) {
        boolean illegal = false;
        int ch = next();
        while (ch != quote) {
            if (ch == '\n' || ch < 0) {
                error("quoted literal not terminated");
                return false;
            }
            if (ch == '\\') {
                ch = scanEscape(quote);
                illegal |= !escapeLegal;
            } else {
                ch = next();
            }
        }
        return !illegal;
    }

    /** Scans the escape after a backslash; returns the next character and sets {@link #escapeLegal}. */
    private int scanEscape(int quote) {
        int ch = next();
        escapeLegal = true;
        switch (ch) {
            case 'a', 'b', 'f', 'n', 'r', 't', 'v', '\\' -> {
                return next();
            }
            case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                return scanDigits(ch, 8, 3);
            }
            case 'x' -> {
                return scanDigits(next(), 16, 2);
            }
            case 'u' -> {
                return scanDigits(next(), 16, 4);
            }
            case 'U' -> {
                return scanDigits(next(), 16, 8);
            }
            default -> {
                if (ch == quote) {
                    return next();
                }
                error("illegal escape sequence");
                escapeLegal = false;
                return ch;
            }
        }
    }

    private int scanDigits(int ch, int base, int n) {
        while (n > 0 && digitVal(ch) < base) {
            ch = next();
            n--;
        }
        if (n > 0) {
            error("illegal numeric escape sequence");
            escapeLegal = false;
        }
        return ch;
    }

    private void error(String msg) {
        if (err.isEmpty()) {
            err = msg;
        }
    }

    private static int digitVal(int ch) {
        if (ch >= '0' && ch <= '9') {
            return ch - '0';
        }
        if (ch >= 'a' && ch <= 'f') {
            return ch - 'a' + 10;
        }
        if (ch >= 'A' && ch <= 'F') {
            return ch - 'A' + 10;
        }
        return 16;
    }

    static boolean isFieldRune(int r) {
        return r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9';
    }

    static boolean isOperatorRune(int r) {
        return r == '=' || r == '!' || r == '~';
    }

    static boolean isQuoteRune(int r) {
        return r == '/' || r == '|' || r == '"';
    }

    static boolean isSeparatorRune(int r) {
        return r == ',' || r == '.';
    }

    /** Go's {@code unicode.IsSpace}: Latin-1 spaces plus the Unicode White_Space property. */
    static boolean isSpace(int r) {
        return switch (r) {
            case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> r >= 0x2000 && r <= 0x200A;
        };
    }

    /** Go's test: not a comma or space, and a letter, mark, number, punctuation or symbol. */
    static boolean isValueRune(int r) {
        if (r < 0 || r == ',' || isSpace(r)) {
            return false;
        }
        return switch (Character.getType(r)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER,
                 Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
                 Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER,
                 Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                 Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION,
                 Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                 Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }
}

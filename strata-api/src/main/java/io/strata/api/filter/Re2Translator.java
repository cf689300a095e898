package io.strata.api.filter;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * Rewrites a Go (RE2) regular expression into a {@code java.util.regex} pattern that matches the
 * same strings, or refuses it where RE2 would.
 *
 * <p>What it does: {@code $} outside multi-line mode becomes {@code \z} (RE2's {@code $} does not
 * match before a final newline); {@code \v}, {@code \s}, {@code \S} get RE2's ASCII meaning;
 * {@code [[:alpha:]]} POSIX classes, octal escapes, {@code \p{Greek}} script names and
 * {@code \pN} are translated; inside brackets {@code [} and {@code &} are literal; a {@code {}
 * that does not start a repetition is literal; named groups become plain groups; the {@code U}
 * (ungreedy) flag is dropped since greediness never changes whether a match exists. What it
 * refuses, as RE2 does: look-around, atomic groups, back-references, possessive and other nested
 * repetitions, unknown escapes and flags. What stays different: RE2's limit of 1000 on a
 * repetition count is not enforced, and {@code \C} (any byte) is refused.
 */
final class Re2Translator {
    private static final Map<String, String> POSIX = Map.ofEntries(
            Map.entry("alnum", "Alnum"), Map.entry("alpha", "Alpha"), Map.entry("ascii", "ASCII"),
            Map.entry("blank", "Blank"), Map.entry("cntrl", "Cntrl"), Map.entry("digit", "Digit"),
            Map.entry("graph", "Graph"), Map.entry("lower", "Lower"), Map.entry("print", "Print"),
            Map.entry("punct", "Punct"), Map.entry("space", "Space"), Map.entry("upper", "Upper"),
            Map.entry("xdigit", "XDigit"));
    private static final Set<String> CATEGORIES = Set.of(
            "C", "Cc", "Cf", "Co", "Cs", "L", "LC", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn",
            "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm",
            "So", "Z", "Zl", "Zp", "Zs");
    private static final String SPACE = "\\t\\n\\f\\r ";

    private final String re;
    private final StringBuilder out = new StringBuilder();
    private final Deque<Boolean> multilineStack = new ArrayDeque<>();
    private boolean multiline;
    private int i;

    private Re2Translator(String re) {
        this.re = re;
    }

    /** The Java pattern for {@code re}; compile it with {@code UNIX_LINES | UNICODE_CASE}. */
    static String translate(String re) {
        return new Re2Translator(re).run();
    }

    private String run() {
        boolean afterRepeat = false;
        while (i < re.length()) {
            char c = re.charAt(i);
            boolean repeat = false;
            switch (c) {
                case '\\' -> escape(false);
                case '[' -> charClass();
                case '(' -> group();
                case ')' -> {
                    if (!multilineStack.isEmpty()) {
                        multiline = multilineStack.pop();
                    }
                    out.append(')');
                    i++;
                }
                case '$' -> {
                    out.append(multiline ? "$" : "\\z");
                    i++;
                }
                case '*', '+', '?' -> {
                    if (afterRepeat) {
                        throw error("invalid nested repetition operator");
                    }
                    out.append(c);
                    i++;
                    lazySuffix();
                    repeat = true;
                }
                case '{' -> {
                    int end = repetitionEnd(i);
                    if (end < 0) {
                        out.append("\\{");
                        i++;
                    } else {
                        if (afterRepeat) {
                            throw error("invalid nested repetition operator");
                        }
                        out.append(re, i, end);
                        i = end;
                        lazySuffix();
                        repeat = true;
                    }
                }
                default -> {
                    int cp = re.codePointAt(i);
                    out.appendCodePoint(cp);
                    i += Character.charCount(cp);
                }
            }
            afterRepeat = repeat;
        }
        return out.toString();
    }

    private void lazySuffix() {
        if (i < re.length() && re.charAt(i) == '?') {
            out.append('?');
            i++;
        }
    }

    /** The index after a valid {@code {n}}, {@code {n,}} or {@code {n,m}} at {@code at}, or -1. */
    private int repetitionEnd(int at) {
        int j = at + 1;
        int digits = j;
        while (j < re.length() && Character.isDigit(re.charAt(j)) && re.charAt(j) < 0x80) {
            j++;
        }
        if (j == digits || j >= re.length()) {
            return -1;
        }
        if (re.charAt(j) == ',') {
            j++;
            while (j < re.length() && re.charAt(j) >= '0' && re.charAt(j) <= '9') {
                j++;
            }
        }
        return j < re.length() && re.charAt(j) == '}' ? j + 1 : -1;
    }

    private void group() {
        multilineStack.push(multiline);
        i++;
        if (i >= re.length() || re.charAt(i) != '?') {
            out.append('(');
            return;
        }
        i++;
        if (re.startsWith("P<", i) || re.startsWith("<", i) && !re.startsWith("<=", i) && !re.startsWith("<!", i)) {
            int nameStart = re.indexOf('<', i) + 1;
            int close = re.indexOf('>', nameStart);
            if (close < 0 || close == nameStart || !re.substring(nameStart, close).chars().allMatch(Scanner::isFieldRune)) {
                throw error("invalid named capture");
            }
            out.append('('); // names never change whether a match exists
            i = close + 1;
            return;
        }
        StringBuilder flags = new StringBuilder();
        boolean negate = false;
        boolean newMultiline = multiline;
        while (true) {
            if (i >= re.length()) {
                throw error("missing closing )");
            }
            char c = re.charAt(i++);
            switch (c) {
                case 'i', 's' -> flags.append(c);
                case 'm' -> {
                    flags.append(c);
                    newMultiline = !negate;
                }
                case 'U' -> {
                    // ungreedy: no effect on whether a match exists, and Java's (?U) means something else
                }
                case '-' -> {
                    if (negate) {
                        throw error("invalid or unsupported Perl syntax");
                    }
                    negate = true;
                    flags.append('-');
                }
                case ':' -> {
                    out.append("(?").append(trimDash(flags)).append(':');
                    multiline = newMultiline;
                    return;
                }
                case ')' -> {
                    multilineStack.pop(); // a flag group opens no scope of its own
                    multiline = newMultiline;
                    String f = trimDash(flags);
                    if (!f.isEmpty()) {
                        out.append("(?").append(f).append(')');
                    }
                    return;
                }
                default -> throw error("invalid or unsupported Perl syntax");
            }
        }
    }

    private static String trimDash(StringBuilder flags) {
        String f = flags.toString();
        return f.endsWith("-") ? f.substring(0, f.length() - 1) : f;
    }

    private void charClass() {
        out.append('[');
        i++;
        if (i < re.length() && re.charAt(i) == '^') {
            out.append('^');
            i++;
        }
        boolean first = true;
        while (true) {
            if (i >= re.length()) {
                throw error("missing closing ]");
            }
            char c = re.charAt(i);
            if (c == ']' && !first) {
                out.append(']');
                i++;
                return;
            }
            if (c == ']') {
                out.append("\\]");
                i++;
            } else if (c == '[' && re.startsWith("[:", i)) {
                posixClass();
            } else if (c == '[' || c == '&') {
                out.append('\\').append(c);
                i++;
            } else if (c == '\\') {
                escape(true);
            } else {
                int cp = re.codePointAt(i);
                out.appendCodePoint(cp);
                i += Character.charCount(cp);
            }
            first = false;
        }
    }

    private void posixClass() {
        int end = re.indexOf(":]", i + 2);
        if (end < 0) {
            out.append("\\[");
            i++;
            return;
        }
        String name = re.substring(i + 2, end);
        boolean negated = name.startsWith("^");
        if (negated) {
            name = name.substring(1);
        }
        if (name.equals("word")) {
            out.append(negated ? "\\W" : "\\w");
        } else if (POSIX.containsKey(name)) {
            out.append(negated ? "\\P{" : "\\p{").append(POSIX.get(name)).append('}');
        } else {
            throw error("invalid character class range");
        }
        i = end + 2;
    }

    private void escape(boolean inClass) {
        if (i + 1 >= re.length()) {
            throw error("trailing backslash at end of expression");
        }
        char c = re.charAt(i + 1);
        i += 2;
        switch (c) {
            case '1', '2', '3', '4', '5', '6', '7', '0' -> {
                if (c != '0' && !isOctal(i)) {
                    throw error("invalid escape sequence"); // a back-reference
                }
                int v = c - '0';
                for (int n = 1; n < 3 && isOctal(i); n++) {
                    v = v * 8 + re.charAt(i++) - '0';
                }
                out.append("\\x{").append(Integer.toHexString(v)).append('}');
            }
            case 'a' -> out.append("\\x07");
            case 'v' -> out.append("\\x0B");
            case 'f', 't', 'n', 'r', 'd', 'D', 'w', 'W' -> out.append('\\').append(c);
            case 'b', 'B', 'A', 'z' -> {
                if (inClass) {
                    throw error("invalid escape sequence");
                }
                out.append('\\').append(c);
            }
            case 's' -> out.append(inClass ? SPACE : "[" + SPACE + "]");
            case 'S' -> out.append("[^" + SPACE + "]");
            case 'x' -> hexEscape();
            case 'p', 'P' -> property(c == 'P');
            case 'Q' -> {
                if (inClass) {
                    throw error("invalid escape sequence");
                }
                int end = re.indexOf("\\E", i);
                String literal = end < 0 ? re.substring(i) : re.substring(i, end);
                i = end < 0 ? re.length() : end + 2;
                literal.codePoints().forEach(cp -> out.append("\\x{").append(Integer.toHexString(cp)).append('}'));
            }
            default -> {
                if (c < 0x80 && !Character.isLetterOrDigit(c)) {
                    out.append('\\').append(c);
                } else {
                    throw error("invalid escape sequence");
                }
            }
        }
    }

    private boolean isOctal(int at) {
        return at < re.length() && re.charAt(at) >= '0' && re.charAt(at) <= '7';
    }

    private void hexEscape() {
        int end;
        if (i < re.length() && re.charAt(i) == '{') {
            end = re.indexOf('}', i);
            if (end < 0) {
                throw error("invalid escape sequence");
            }
            end++;
        } else {
            end = i + 2;
        }
        if (end > re.length()) {
            throw error("invalid escape sequence");
        }
        out.append("\\x").append(re, i, end);
        i = end;
    }

    private void property(boolean negated) {
        String name;
        if (i < re.length() && re.charAt(i) == '{') {
            int end = re.indexOf('}', i);
            if (end < 0) {
                throw error("invalid character class range");
            }
            name = re.substring(i + 1, end);
            i = end + 1;
        } else if (i < re.length()) {
            int cp = re.codePointAt(i);
            name = Character.toString(cp);
            i += Character.charCount(cp);
        } else {
            throw error("invalid character class range");
        }
        if (name.startsWith("^")) {
            negated = !negated;
            name = name.substring(1);
        }
        if (name.equals("Any")) {
            out.append(negated ? "[^\\x{0}-\\x{10FFFF}]" : "[\\x{0}-\\x{10FFFF}]");
            return;
        }
        if (name.isEmpty() || !name.chars().allMatch(Scanner::isFieldRune)) {
            throw error("invalid character class range");
        }
        out.append(negated ? "\\P{" : "\\p{").append(CATEGORIES.contains(name) ? name : "Is" + name).append('}');
    }

    private PatternSyntaxException error(String description) {
        return new PatternSyntaxException(description, re, Math.min(i, re.length()));
    }
}

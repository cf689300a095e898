package io.strata.api.filter;

import io.strata.api.InvalidArgumentException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/** containerd's recursive-descent filter parser ({@code pkg/filters/parser.go}). */
final class Parser {
    private final String input;
    private final Scanner scanner;

    private Parser(String input) {
        this.input = input;
        this.scanner = new Scanner(input);
    }

    static Filter parse(String input) {
        return new Parser(input).selectors();
    }

    private Filter selectors() {
        List<Filter> all = new ArrayList<>();
        all.add(selector());
        while (true) {
            int ch = scanner.peek();
            if (ch == ',') {
                scanner.scan();
                all.add(selector());
            } else if (ch == Scanner.EOF) {
                return new Combined.All(all);
            } else {
                // Go prints its negative sentinel runes as U+FFFD.
                String shown = ch < 0 ? "\uFFFD" : Character.toString(ch);
                throw error(scanner.ppos(), "unexpected input: " + shown);
            }
        }
    }

    private Selector selector() {
        List<String> fieldPath = fieldPath();
        int ch = scanner.peek();
        if (ch == ',' || ch == Scanner.EOF) {
            return new Selector(fieldPath, Selector.Operator.PRESENT, "", null);
        }
        Selector.Operator op = operator();
        Scanner.Token token = scanner.scan();
        String value = value(token, op == Selector.Operator.MATCHES);
        GoRegex regex = null;
        if (op == Selector.Operator.MATCHES) {
            try {
                regex = GoRegex.compile(value);
            } catch (PatternSyntaxException e) {
                // containerd compiles at match time and then matches nothing; refusing is clearer.
                throw error(token.pos(), "error parsing regexp: " + e.getDescription() + ": `" + value + "`");
            }
        }
        return new Selector(fieldPath, op, value, regex);
    }

    private List<String> fieldPath() {
        List<String> fields = new ArrayList<>();
        fields.add(field());
        while (scanner.peek() == '.') {
            scanner.scan();
            fields.add(field());
        }
        return fields;
    }

    private String field() {
        Scanner.Token t = scanner.scan();
        return switch (t.kind()) {
            case FIELD -> t.text();
            case QUOTED -> unquote(t, false);
            case ILLEGAL -> throw error(t.pos(), scanner.error());
            default -> throw error(t.pos(), "expected field or quoted");
        };
    }

    private Selector.Operator operator() {
        Scanner.Token t = scanner.scan();
        return switch (t.kind()) {
            case OPERATOR -> switch (t.text()) {
                case "==" -> Selector.Operator.EQUAL;
                case "!=" -> Selector.Operator.NOT_EQUAL;
                case "~=" -> Selector.Operator.MATCHES;
                default -> throw error(t.pos(), "unsupported operator \"" + t.text() + "\"");
            };
            case ILLEGAL -> throw error(t.pos(), scanner.error());
            default -> throw error(t.pos(), "expected an operator (\"==\"|\"!=\"|\"~=\")");
        };
    }

    private String value(Scanner.Token t, boolean allowAltQuotes) {
        return switch (t.kind()) {
            case VALUE, FIELD -> t.text();
            case QUOTED -> unquote(t, allowAltQuotes);
            case ILLEGAL -> throw error(t.pos(), scanner.error());
            default -> throw error(t.pos(), "expected value or quoted");
        };
    }

    private String unquote(Scanner.Token t, boolean allowAlts) {
        char quote = t.text().charAt(0);
        if (!allowAlts && quote != '\'' && quote != '"') {
            throw error(t.pos(), "invalid quote encountered");
        }
        try {
            return Unquote.unquote(t.text());
        } catch (Unquote.SyntaxError e) {
            throw error(t.pos(), "unquoting failed: " + e.getMessage());
        }
    }

    /** containerd's message: the input with the offending character marked, then the reason. */
    private InvalidArgumentException error(int pos, String msg) {
        String where;
        if (pos < input.length()) {
            int end = pos + Character.charCount(input.codePointAt(pos));
            where = input.substring(0, pos) + " >|" + input.substring(pos, end) + "|< " + input.substring(end);
        } else {
            where = input;
        }
        return new InvalidArgumentException("filters: parse error: [" + where + "]: " + msg);
    }
}

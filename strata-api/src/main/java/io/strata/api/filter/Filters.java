package io.strata.api.filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * containerd's filter language ({@code pkg/filters}), with its grammar, semantics and error
 * messages.
 *
 * <pre>
 * selectors := selector ("," selector)*
 * selector  := fieldpath (operator value)?
 * fieldpath := field ("." field)*
 * field     := quoted | [A-Za-z0-9_]+
 * operator  := "==" | "!=" | "~="
 * value     := quoted | [^\s,]+
 * quoted    := a Go double-quoted string; after "~=" also /.../ or |...|
 * </pre>
 *
 * <p>Semantics, per selector: a bare field path matches when the field is present;
 * {@code ==} when it is present and equal; {@code !=} when its value, or "" if absent, differs;
 * {@code ~=} when the Go regular expression matches anywhere in its value, or in "" if absent.
 * The selectors of one filter are ANDed; {@link #parseAll} ORs whole filters. The empty filter,
 * and no filters at all, match everything. Spaces between tokens are skipped, but a trailing space
 * after a value is an error, as in containerd.
 *
 * <p>Differences from containerd: an invalid regular expression is a parse error here (containerd
 * logs it and matches nothing); regular expressions run on java.util.regex after the translation
 * described in {@code Re2Translator}, with a step budget instead of RE2's linear-time guarantee;
 * error positions count UTF-16 chars rather than UTF-8 bytes; {@code \xNN} escapes that do not
 * form UTF-8 decode to U+FFFD.
 */
public final class Filters {
    private Filters() {
    }

    /**
     * Parses one filter; "" matches everything.
     *
     * @throws io.strata.api.InvalidArgumentException naming the input, the position and the
     *         problem, such as {@code filters: parse error: [name==foo,]: expected field or quoted}
     */
    public static Filter parse(String filter) {
        Objects.requireNonNull(filter, "filter");
        if (filter.isEmpty()) {
            return Filter.ALWAYS;
        }
        return Parser.parse(filter);
    }

    /**
     * Parses several filters into one that matches when any of them does; none at all (or a null
     * array) matches everything.
     *
     * @throws io.strata.api.InvalidArgumentException for the first filter that does not parse
     */
    public static Filter parseAll(String... filters) {
        if (filters == null || filters.length == 0) {
            return Filter.ALWAYS;
        }
        List<Filter> parsed = new ArrayList<>(filters.length);
        for (String f : filters) {
            parsed.add(parse(f));
        }
        return parsed.size() == 1 ? parsed.getFirst() : new Combined.Any(parsed);
    }
}

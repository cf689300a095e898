package io.strata.api.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.InvalidArgumentException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** containerd's filter_test.go: its corpus, adaptor and table, plus cases it leaves out. */
class FiltersTest {

    record Entry(String name, String other, Map<String, String> labels) {
    }

    static final List<Entry> CORPUS = List.of(
            new Entry("foo", "", Map.of("foo", "true")),
            new Entry("bar", "", Map.of()),
            new Entry("foo", "", Map.of("foo", "present", "more complex label", "present")),
            new Entry("bar", "", Map.of("bar", "true")),
            new Entry("fooer", "", Map.of("more complex label with \\ and \"", "present")),
            new Entry("fooer", "", Map.of("more complex label with \\ and \".post", "present")),
            new Entry("baz", "too complex, yo", Map.of()),
            new Entry("bazo", "abc", Map.of()),
            new Entry("compound", "", Map.of("foo", "omg_asdf.asdf-qwer")));

    /** The adaptor of containerd's test: name and other are present when not empty. */
    static Adaptor adapt(Entry e) {
        return path -> switch (path.getFirst()) {
            case "name" -> e.name().isEmpty() ? Optional.empty() : Optional.of(e.name());
            case "other" -> e.other().isEmpty() ? Optional.empty() : Optional.of(e.other());
            case "labels" -> Optional.ofNullable(e.labels().get(String.join(".", path.subList(1, path.size()))));
            default -> Optional.empty();
        };
    }

    static List<Integer> matches(Filter f) {
        return IntStream.range(0, CORPUS.size()).filter(i -> f.match(adapt(CORPUS.get(i)))).boxed().toList();
    }

    static List<Integer> all() {
        return IntStream.range(0, CORPUS.size()).boxed().toList();
    }

    static Stream<Arguments> matching() {
        return Stream.of(
                Arguments.of("Empty", "", all()),
                Arguments.of("Present", "name", all()),
                Arguments.of("LabelPresent", "labels.foo", List.of(0, 2, 8)),
                Arguments.of("NameAndLabelPresent", "labels.foo,name", List.of(0, 2, 8)),
                Arguments.of("LabelValue", "labels.foo==true", List.of(0)),
                Arguments.of("LabelValuePunctuated", "labels.foo==omg_asdf.asdf-qwer", List.of(8)),
                Arguments.of("Name", "name==bar", List.of(1, 3)),
                Arguments.of("NameNotEqual", "name!=bar", List.of(0, 2, 4, 5, 6, 7, 8)),
                Arguments.of("NameAndLabelPresent2", "name==bar,labels.bar", List.of(3)),
                Arguments.of("QuotedValue", "other==\"too complex, yo\"", List.of(6)),
                Arguments.of("RegexpValue", "other~=[abc]+,name!=foo", List.of(6, 7)),
                Arguments.of("RegexpQuotedValue", "other~=/[abc]+/,name!=foo", List.of(6, 7)),
                Arguments.of("RegexpQuotedValue2", "other~=/[abc]{1,2}/,name!=foo", List.of(6, 7)),
                Arguments.of("RegexpQuotedValueGarbage", "other~=/[abc]{0,1}\"\\//,name!=foo", List.of()),
                Arguments.of("NameAndLabelValue", "name==bar,labels.bar==true", List.of(3)),
                Arguments.of("NameAndLabelValueNoMatch", "name==bar,labels.bar==wrong", List.of()),
                Arguments.of("LabelQuotedFieldPathPresent", "name==foo,labels.\"more complex label\"", List.of(2)),
                Arguments.of("LabelQuotedFieldPathPresentWithQuoted",
                        "labels.\"more complex label with \\\\ and \\\"\"==present", List.of(4)),
                Arguments.of("LabelQuotedFieldPathPresentWithQuotedEmbed",
                        "labels.\"more complex label with \\\\ and \\\"\".post==present", List.of(5)),
                // Beyond containerd's table:
                Arguments.of("NotEqualMatchesAbsentField", "other!=abc", List.of(0, 1, 2, 3, 4, 5, 6, 8)),
                Arguments.of("NotEqualEmptyNeverMatchesAbsent", "other!=\"\"", List.of(6, 7)),
                Arguments.of("EqualNeverMatchesAbsent", "labels.nope==\"\"", List.of()),
                Arguments.of("RegexMatchesAbsentAsEmpty", "labels.nope~=^$", all()),
                Arguments.of("RegexIsUnanchored", "name~=oo", List.of(0, 2, 4, 5)),
                Arguments.of("RegexAnchored", "name~=^ba.$", List.of(1, 3, 6)),
                Arguments.of("RegexPipeQuoted", "name~=|^foo(er)?$|", List.of(0, 2, 4, 5)),
                Arguments.of("SpacesAroundOperator", "name == bar", List.of(1, 3)),
                Arguments.of("SpacesAfterComma", "name==foo,  labels.foo==true", List.of(0)),
                Arguments.of("QuotedFirstField", "\"name\"==baz", List.of(6)),
                Arguments.of("UnknownField", "nope", List.of()),
                Arguments.of("UnicodeEscapeInValue", "other==\"\\x61b\\u0063\"", List.of(7)),
                Arguments.of("OctalEscapeInValue", "other==\"\\141bc\"", List.of(7)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("matching")
    void matchesLikeContainerd(String name, String input, List<Integer> expected) {
        assertThat(matches(Filters.parse(input))).isEqualTo(expected);
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("LabelValueNoAltQuoting", "labels.|foo|==omg_asdf.asdf-qwer",
                        "filters: parse error: [labels. >|||< foo|==omg_asdf.asdf-qwer]: invalid quote encountered"),
                Arguments.of("LabelQuotedFieldPathPresentWithQuotedEmbedInvalid",
                        "labels.?\"more complex label with \\\\ and \\\"\".post==present",
                        "filters: parse error: [labels. >|?|< \"more complex label with \\\\ and \\\"\".post==present]:"
                                + " expected field or quoted"),
                Arguments.of("TrailingComma", "name==foo,", "filters: parse error: [name==foo,]: expected field or quoted"),
                Arguments.of("TrailingFieldSeparator", "labels.", "filters: parse error: [labels.]: expected field or quoted"),
                Arguments.of("MissingValue", "image~=,id?=?fbaq",
                        "filters: parse error: [image~= >|,|< id?=?fbaq]: expected value or quoted"),
                Arguments.of("FieldQuotedLiteralNotTerminated", "labels.ns/key==value",
                        "filters: parse error: [labels.ns >|/|< key==value]: quoted literal not terminated"),
                Arguments.of("ValueQuotedLiteralNotTerminated", "labels.key==/value",
                        "filters: parse error: [labels.key== >|/|< value]: quoted literal not terminated"),
                // Beyond containerd's table, with the messages its parser gives:
                Arguments.of("OnlySpace", " ", "filters: parse error: [ ]: expected field or quoted"),
                Arguments.of("TrailingSpaceAfterValue", "name==bar ",
                        "filters: parse error: [name==bar >| |< ]: unexpected input:  "),
                Arguments.of("SingleEquals", "name=bar", "filters: parse error: [name >|=|< bar]: unsupported operator \"=\""),
                Arguments.of("TripleEquals", "name===bar", "filters: parse error: [name >|=|< ==bar]: unsupported operator \"===\""),
                Arguments.of("OperatorWithoutValue", "name==", "filters: parse error: [name==]: expected value or quoted"),
                Arguments.of("NoOperator", "name bar",
                        "filters: parse error: [name  >|b|< ar]: expected an operator (\"==\"|\"!=\"|\"~=\")"),
                Arguments.of("ValueAfterQuoted", "name==\"a\"b", "filters: parse error: [name==\"a\" >|b|< ]: unexpected input: b"),
                Arguments.of("AltQuoteOnlyAfterMatch", "name==/a/", "filters: parse error: [name== >|/|< a/]: invalid quote encountered"),
                Arguments.of("IllegalEscape", "name==\"\\q\"", "filters: parse error: [name== >|\"|< \\q\"]: illegal escape sequence"),
                Arguments.of("OctalOutOfRange", "name==\"\\400\"",
                        "filters: parse error: [name== >|\"|< \\400\"]: unquoting failed: quote syntax error"),
                Arguments.of("Null", "name\u0000", "filters: parse error: [name >|\u0000|< ]: unexpected null"),
                Arguments.of("InvalidRegex", "name~=[abc",
                        "filters: parse error: [name~= >|[|< abc]: error parsing regexp: missing closing ]: `[abc`"),
                Arguments.of("BackReferenceRefused", "name~=(a)\\1",
                        "filters: parse error: [name~= >|(|< a)\\1]: error parsing regexp: invalid escape sequence: `(a)\\1`"),
                Arguments.of("LookaheadRefused", "name~=/a(?=b)/",
                        "filters: parse error: [name~= >|/|< a(?=b)/]: error parsing regexp: invalid or unsupported Perl syntax: `a(?=b)`"),
                Arguments.of("PossessiveRefused", "name~=a*+",
                        "filters: parse error: [name~= >|a|< *+]: error parsing regexp: invalid nested repetition operator: `a*+`"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("errors")
    void refusesLikeContainerd(String name, String input, String message) {
        assertThatThrownBy(() -> Filters.parse(input))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void parseAllOrsFiltersAndMatchesAllWhenEmpty() {
        assertThat(matches(Filters.parseAll("name==bar", "labels.foo==true"))).containsExactly(0, 1, 3);
        assertThat(matches(Filters.parseAll())).isEqualTo(all());
        assertThat(matches(Filters.parseAll((String[]) null))).isEqualTo(all());
        assertThat(matches(Filters.parseAll("", "name==nothing"))).isEqualTo(all());
        assertThat(matches(Filters.parseAll("name==nothing", "name==nada"))).isEmpty();
    }

    @Test
    void parseAllReportsTheFilterThatFails() {
        assertThatThrownBy(() -> Filters.parseAll("name==bar", "name=="))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("filters: parse error: [name==]: expected value or quoted");
    }

    @Test
    void adaptorSeesTheWholeFieldPath() {
        List<List<String>> seen = new ArrayList<>();
        Filters.parse("labels.\"containerd.io/gc.root\",a.b.c!=d,\"x.y\"~=z").match(path -> {
            seen.add(path);
            return Optional.of("");
        });
        assertThat(seen).containsExactly(List.of("labels", "containerd.io/gc.root"), List.of("a", "b", "c"), List.of("x.y"));
    }

    @Test
    void unquotesGoEscapes() throws Exception {
        assertThat(Unquote.unquote("\"a\\tb\\n\\\\\\\"\"")).isEqualTo("a\tb\n\\\"");
        assertThat(Unquote.unquote("\"\\xc3\\xa9\\u00e9\\U0001F600\"")).isEqualTo("éé😀");
        assertThat(Unquote.unquote("/a\\/b/")).isEqualTo("a/b");
        assertThat(Unquote.unquote("|a/b|")).isEqualTo("a/b");
        assertThat(Unquote.unquote("\"牛\"")).isEqualTo("牛");
        assertThatThrownBy(() -> Unquote.unquote("/a\\\"b/")).isInstanceOf(Unquote.SyntaxError.class);
        assertThatThrownBy(() -> Unquote.unquote("\"\\U00110000\"")).isInstanceOf(Unquote.SyntaxError.class);
        assertThatThrownBy(() -> Unquote.unquote("\"a")).isInstanceOf(Unquote.SyntaxError.class);
    }

    @Test
    void catastrophicRegexFailsInsteadOfHanging() {
        // Polynomial backtracking (n^8) that Java's loop memoization does not cut short.
        Filter f = Filters.parse("name~=/(.*a){8}x/");
        String value = "a".repeat(60);
        assertThatThrownBy(() -> f.match(path -> Optional.of(value)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("too expensive");
        assertThat(f.match(path -> Optional.of("aaaaaaaax"))).isTrue();
    }
}

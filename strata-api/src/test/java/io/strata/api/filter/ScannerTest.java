package io.strata.api.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.filter.Scanner.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** containerd's scanner_test.go, case for case. */
class ScannerTest {

    /** A token as the Go test prints it: position, kind, text, and the scanner error for illegal ones. */
    record Tok(int pos, Kind kind, String text, String err) {
        static Tok of(int pos, Kind kind, String text) {
            return new Tok(pos, kind, text, "");
        }

        static Tok of(int pos, Kind kind) {
            return new Tok(pos, kind, "", "");
        }

        static Tok illegal(int pos, String text, String err) {
            return new Tok(pos, Kind.ILLEGAL, text, err);
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("Field", "name", List.of(Tok.of(0, Kind.FIELD, "name"), Tok.of(4, Kind.EOF))),
                Arguments.of("SelectorsWithOperators", "name==value,foo!=bar", List.of(
                        Tok.of(0, Kind.FIELD, "name"), Tok.of(4, Kind.OPERATOR, "=="),
                        Tok.of(6, Kind.VALUE, "value"), Tok.of(11, Kind.SEPARATOR, ","),
                        Tok.of(12, Kind.FIELD, "foo"), Tok.of(15, Kind.OPERATOR, "!="),
                        Tok.of(17, Kind.VALUE, "bar"), Tok.of(20, Kind.EOF))),
                Arguments.of("SelectorsWithFieldPaths", "name==value,labels.foo=value,other.bar~=match", List.of(
                        Tok.of(0, Kind.FIELD, "name"), Tok.of(4, Kind.OPERATOR, "=="),
                        Tok.of(6, Kind.VALUE, "value"), Tok.of(11, Kind.SEPARATOR, ","),
                        Tok.of(12, Kind.FIELD, "labels"), Tok.of(18, Kind.SEPARATOR, "."),
                        Tok.of(19, Kind.FIELD, "foo"), Tok.of(22, Kind.OPERATOR, "="),
                        Tok.of(23, Kind.VALUE, "value"), Tok.of(28, Kind.SEPARATOR, ","),
                        Tok.of(29, Kind.FIELD, "other"), Tok.of(34, Kind.SEPARATOR, "."),
                        Tok.of(35, Kind.FIELD, "bar"), Tok.of(38, Kind.OPERATOR, "~="),
                        Tok.of(40, Kind.VALUE, "match"), Tok.of(45, Kind.EOF))),
                Arguments.of("RegexpValue", "name~=[abc]+,foo=test", List.of(
                        Tok.of(0, Kind.FIELD, "name"), Tok.of(4, Kind.OPERATOR, "~="),
                        Tok.of(6, Kind.VALUE, "[abc]+"), Tok.of(12, Kind.SEPARATOR, ","),
                        Tok.of(13, Kind.FIELD, "foo"), Tok.of(16, Kind.OPERATOR, "="),
                        Tok.of(17, Kind.VALUE, "test"), Tok.of(21, Kind.EOF))),
                Arguments.of("RegexpEscapedValue", "name~=[abc]\\+,foo=test", List.of(
                        Tok.of(0, Kind.FIELD, "name"), Tok.of(4, Kind.OPERATOR, "~="),
                        Tok.of(6, Kind.VALUE, "[abc]\\+"), Tok.of(13, Kind.SEPARATOR, ","),
                        Tok.of(14, Kind.FIELD, "foo"), Tok.of(17, Kind.OPERATOR, "="),
                        Tok.of(18, Kind.VALUE, "test"), Tok.of(22, Kind.EOF))),
                Arguments.of("RegexpQuotedValue", "name~=/[abc]{0,2}/,foo=test", List.of(
                        Tok.of(0, Kind.FIELD, "name"), Tok.of(4, Kind.OPERATOR, "~="),
                        Tok.of(6, Kind.QUOTED, "/[abc]{0,2}/"), Tok.of(18, Kind.SEPARATOR, ","),
                        Tok.of(19, Kind.FIELD, "foo"), Tok.of(22, Kind.OPERATOR, "="),
                        Tok.of(23, Kind.VALUE, "test"), Tok.of(27, Kind.EOF))),
                // containerd counts bytes (牛 is 3); these positions count chars (牛 is 1).
                Arguments.of("Cowsay", "name~=牛,labels.moo=true", List.of(
                        Tok.of(0, Kind.FIELD, "name"), Tok.of(4, Kind.OPERATOR, "~="),
                        Tok.of(6, Kind.VALUE, "牛"), Tok.of(7, Kind.SEPARATOR, ","),
                        Tok.of(8, Kind.FIELD, "labels"), Tok.of(14, Kind.SEPARATOR, "."),
                        Tok.of(15, Kind.FIELD, "moo"), Tok.of(18, Kind.OPERATOR, "="),
                        Tok.of(19, Kind.VALUE, "true"), Tok.of(23, Kind.EOF))),
                Arguments.of("CowsayRegexpQuoted", "name~=|牛|,labels.moo=true", List.of(
                        Tok.of(0, Kind.FIELD, "name"), Tok.of(4, Kind.OPERATOR, "~="),
                        Tok.of(6, Kind.QUOTED, "|牛|"), Tok.of(9, Kind.SEPARATOR, ","),
                        Tok.of(10, Kind.FIELD, "labels"), Tok.of(16, Kind.SEPARATOR, "."),
                        Tok.of(17, Kind.FIELD, "moo"), Tok.of(20, Kind.OPERATOR, "="),
                        Tok.of(21, Kind.VALUE, "true"), Tok.of(25, Kind.EOF))),
                Arguments.of("Escapes", "name~=\"asdf\\n\\tfooo\"", List.of(
                        Tok.of(0, Kind.FIELD, "name"), Tok.of(4, Kind.OPERATOR, "~="),
                        Tok.of(6, Kind.QUOTED, "\"asdf\\n\\tfooo\""), Tok.of(20, Kind.EOF))),
                Arguments.of("NullInput", "foo\u0000bar", List.of(
                        Tok.of(0, Kind.FIELD, "foo"), Tok.illegal(3, "", "unexpected null"),
                        Tok.of(4, Kind.FIELD, "bar"), Tok.of(7, Kind.EOF))),
                Arguments.of("SpacesChomped", "foo = bar    ", List.of(
                        Tok.of(0, Kind.FIELD, "foo"), Tok.of(4, Kind.OPERATOR, "="),
                        Tok.of(6, Kind.VALUE, "bar"), Tok.of(13, Kind.EOF))),
                Arguments.of("ValuesPunctuated", "compound.labels==punctuated_value.foo-bar", List.of(
                        Tok.of(0, Kind.FIELD, "compound"), Tok.of(8, Kind.SEPARATOR, "."),
                        Tok.of(9, Kind.FIELD, "labels"), Tok.of(15, Kind.OPERATOR, "=="),
                        Tok.of(17, Kind.VALUE, "punctuated_value.foo-bar"), Tok.of(41, Kind.EOF))),
                Arguments.of("PartialInput", "interrupted=", List.of(
                        Tok.of(0, Kind.FIELD, "interrupted"), Tok.of(11, Kind.OPERATOR, "="),
                        Tok.of(12, Kind.EOF))),
                Arguments.of("DoubleValue", "doublevalue=value value", List.of(
                        Tok.of(0, Kind.FIELD, "doublevalue"), Tok.of(11, Kind.OPERATOR, "="),
                        Tok.of(12, Kind.VALUE, "value"), Tok.of(18, Kind.FIELD, "value"),
                        Tok.of(23, Kind.EOF))),
                Arguments.of("LeadingWithQuoted", "\"leading quote\".postquote==value", List.of(
                        Tok.of(0, Kind.QUOTED, "\"leading quote\""), Tok.of(15, Kind.SEPARATOR, "."),
                        Tok.of(16, Kind.FIELD, "postquote"), Tok.of(25, Kind.OPERATOR, "=="),
                        Tok.of(27, Kind.VALUE, "value"), Tok.of(32, Kind.EOF))),
                Arguments.of("MissingValue", "input==,id!=ff", List.of(
                        Tok.of(0, Kind.FIELD, "input"), Tok.of(5, Kind.OPERATOR, "=="),
                        Tok.of(7, Kind.SEPARATOR, ","), Tok.of(8, Kind.FIELD, "id"),
                        Tok.of(10, Kind.OPERATOR, "!="), Tok.of(12, Kind.VALUE, "ff"),
                        Tok.of(14, Kind.EOF))),
                Arguments.of("QuotedRegexp", "input~=/foo\\/bar/,id!=ff", List.of(
                        Tok.of(0, Kind.FIELD, "input"), Tok.of(5, Kind.OPERATOR, "~="),
                        Tok.of(7, Kind.QUOTED, "/foo\\/bar/"), Tok.of(17, Kind.SEPARATOR, ","),
                        Tok.of(18, Kind.FIELD, "id"), Tok.of(20, Kind.OPERATOR, "!="),
                        Tok.of(22, Kind.VALUE, "ff"), Tok.of(24, Kind.EOF))),
                Arguments.of("QuotedRegexpAlt", "input~=|foo/bar|,id!=ff", List.of(
                        Tok.of(0, Kind.FIELD, "input"), Tok.of(5, Kind.OPERATOR, "~="),
                        Tok.of(7, Kind.QUOTED, "|foo/bar|"), Tok.of(16, Kind.SEPARATOR, ","),
                        Tok.of(17, Kind.FIELD, "id"), Tok.of(19, Kind.OPERATOR, "!="),
                        Tok.of(21, Kind.VALUE, "ff"), Tok.of(23, Kind.EOF))),
                Arguments.of("IllegalQuoted", "labels.containerd.io/key==value", List.of(
                        Tok.of(0, Kind.FIELD, "labels"), Tok.of(6, Kind.SEPARATOR, "."),
                        Tok.of(7, Kind.FIELD, "containerd"), Tok.of(17, Kind.SEPARATOR, "."),
                        Tok.of(18, Kind.FIELD, "io"),
                        Tok.illegal(20, "/key==value", "quoted literal not terminated"),
                        Tok.of(31, Kind.EOF))),
                Arguments.of("IllegalQuotedWithNewLine", "labels.\"containerd.io\nkey\"==value", List.of(
                        Tok.of(0, Kind.FIELD, "labels"), Tok.of(6, Kind.SEPARATOR, "."),
                        Tok.illegal(7, "\"containerd.io\n", "quoted literal not terminated"),
                        Tok.of(22, Kind.FIELD, "key"),
                        Tok.illegal(25, "\"==value", "quoted literal not terminated"),
                        Tok.of(33, Kind.EOF))),
                Arguments.of("IllegalEscapeSequence", "labels.\"\\g\"", List.of(
                        Tok.of(0, Kind.FIELD, "labels"), Tok.of(6, Kind.SEPARATOR, "."),
                        Tok.illegal(7, "\"\\g\"", "illegal escape sequence"),
                        Tok.of(11, Kind.EOF))),
                Arguments.of("IllegalNumericEscapeSequence", "labels.\"\\xaz\"", List.of(
                        Tok.of(0, Kind.FIELD, "labels"), Tok.of(6, Kind.SEPARATOR, "."),
                        Tok.illegal(7, "\"\\xaz\"", "illegal numeric escape sequence"),
                        Tok.of(13, Kind.EOF))),
                // Not in containerd's table: Go reads an unpaired surrogate (invalid UTF-8) as a rune error.
                Arguments.of("RuneError", "a\uD800b", List.of(
                        Tok.of(0, Kind.FIELD, "a"), Tok.illegal(1, "", "rune error"),
                        Tok.of(2, Kind.FIELD, "b"), Tok.of(3, Kind.EOF))),
                Arguments.of("OtherCharacter", "a?b", List.of(
                        Tok.of(0, Kind.FIELD, "a"), new Tok(1, Kind.CHAR, "", ""),
                        Tok.of(2, Kind.FIELD, "b"), Tok.of(3, Kind.EOF))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void scansLikeContainerd(String name, String input, List<Tok> expected) {
        Scanner sc = new Scanner(input);
        List<Tok> got = new ArrayList<>();
        for (int i = 0; i <= expected.size() + 1; i++) {
            Scanner.Token t = sc.scan();
            got.add(new Tok(t.pos(), t.kind(), t.text(), t.kind() == Kind.ILLEGAL ? sc.error() : ""));
            if (t.kind() == Kind.EOF) {
                break;
            }
        }
        assertThat(got).containsExactlyElementsOf(expected);
        assertThat(sc.scan().kind()).as("must stay at EOF").isEqualTo(Kind.EOF);
    }
}

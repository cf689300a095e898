package io.strata.api.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Where RE2 and java.util.regex disagree, the filter must give Go's answer. */
class Re2TranslatorTest {

    static Stream<Arguments> goAnswers() {
        return Stream.of(
                // pattern, value, what Go's regexp.MatchString says
                Arguments.of("a$", "a\n", false),
                Arguments.of("(?m)a$", "a\nb", true),
                Arguments.of("(?m:a$)|x$", "a\nb", true),
                Arguments.of("(?m:b)a$", "ba\n", false),
                Arguments.of("^a.c$", "a\nc", false),
                Arguments.of("^a.c$", "a\rc", true),
                Arguments.of("(?s)^a.c$", "a\nc", true),
                Arguments.of("^\\s$", "\u000B", false),
                Arguments.of("^\\v$", "\n", false),
                Arguments.of("^\\v$", "\u000B", true),
                Arguments.of("^[[:alpha:]]+$", "abcXYZ", true),
                Arguments.of("^[[:^digit:]]+$", "abc", true),
                Arguments.of("^[[:word:]]+$", "a_1", true),
                Arguments.of("^[[]$", "[", true),
                Arguments.of("^[a&&b]$", "&", true),
                Arguments.of("^[]a]+$", "]a", true),
                Arguments.of("^x{,3}$", "x{,3}", true),
                Arguments.of("^x{2}$", "xx", true),
                Arguments.of("^\\141$", "a", true),
                Arguments.of("^\\0$", "\u0000", true),
                Arguments.of("^\\x{1F600}$", "😀", true),
                Arguments.of("^\\p{Greek}+$", "αβγ", true),
                Arguments.of("^\\pL+$", "héllo", true),
                Arguments.of("^\\p{^L}$", "1", true),
                Arguments.of("(?P<first_name>a)b", "ab", true),
                Arguments.of("(?U)a+", "aaa", true),
                Arguments.of("(?i)É", "é", true),
                Arguments.of("\\Qa.b\\E", "axb", false),
                Arguments.of("\\Qa.b\\E", "a.b", true),
                Arguments.of("\\d", "٣", false),
                Arguments.of("\\bfoo\\b", "a foo b", true));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("goAnswers")
    void answersAsGoDoes(String pattern, String value, boolean expected) {
        assertThat(GoRegex.compile(pattern).find(value)).isEqualTo(expected);
    }

    static Stream<String> refusedByGo() {
        return Stream.of("(a)\\1", "a(?=b)", "a(?!b)", "(?<=a)b", "(?>a)", "a*+", "a**", "a{2}{3}",
                "\\Z", "\\e", "\\C", "[[:foo:]]", "(?x)a", "[a", "a)", "\\", "\\8");
    }

    @ParameterizedTest
    @MethodSource("refusedByGo")
    void refusesWhatGoRefuses(String pattern) {
        assertThatThrownBy(() -> GoRegex.compile(pattern)).isInstanceOf(PatternSyntaxException.class);
    }
}

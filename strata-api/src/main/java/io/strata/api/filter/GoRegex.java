package io.strata.api.filter;

import io.strata.api.InvalidArgumentException;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A Go regular expression, matched like Go's {@code Regexp.MatchString}: true when any part of
 * the value matches. See {@link Re2Translator} for how RE2 syntax maps onto java.util.regex.
 *
 * <p>RE2 runs in linear time; a backtracking engine can take exponential time on patterns such
 * as {@code (a+)+$}. Matching therefore has a step budget proportional to the value's length, and
 * a match that exceeds it (or the stack) fails with an {@link InvalidArgumentException} instead of
 * hanging the caller.
 */
final class GoRegex {
    private static final long STEPS_PER_CHAR = 20_000;
    private static final long BASE_STEPS = 1_000_000;

    private final String source;
    private final Pattern pattern;

    private GoRegex(String source, Pattern pattern) {
        this.source = source;
        this.pattern = pattern;
    }

    /** Compiles {@code re}; throws {@link PatternSyntaxException} where Go's regexp.Compile fails. */
    static GoRegex compile(String re) {
        String java = Re2Translator.translate(re);
        try {
            return new GoRegex(re, Pattern.compile(java, Pattern.UNIX_LINES | Pattern.UNICODE_CASE));
        } catch (PatternSyntaxException e) {
            throw new PatternSyntaxException(e.getDescription(), re, -1);
        }
    }

    boolean find(String value) {
        try {
            return pattern.matcher(new Budgeted(value, BASE_STEPS + STEPS_PER_CHAR * value.length())).find();
        } catch (BudgetExceeded | StackOverflowError e) {
            throw new InvalidArgumentException("filters: regular expression `" + source
                    + "` is too expensive to match against a value of " + value.length() + " characters");
        }
    }

    @Override
    public String toString() {
        return source;
    }

    private static final class BudgetExceeded extends RuntimeException {
        BudgetExceeded() {
            super(null, null, false, false);
        }
    }

    /** A string that counts reads, so that a runaway match can be stopped. */
    private static final class Budgeted implements CharSequence {
        private final String s;
        private long remaining;

        Budgeted(String s, long budget) {
            this.s = s;
            this.remaining = budget;
        }

        @Override
        public char charAt(int index) {
            if (--remaining < 0) {
                throw new BudgetExceeded();
            }
            return s.charAt(index);
        }

        @Override
        public int length() {
            return s.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return s.subSequence(start, end);
        }

        @Override
        public String toString() {
            return s;
        }
    }
}

package io.strata.api.filter;

import java.util.List;

/** One {@code fieldpath[op value]} term, matched with containerd's semantics. */
record Selector(List<String> fieldPath, Operator operator, String value, GoRegex regex) implements Filter {

    enum Operator {
        PRESENT("?"), EQUAL("=="), NOT_EQUAL("!="), MATCHES("~=");

        private final String text;

        Operator(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    Selector {
        fieldPath = List.copyOf(fieldPath);
    }

    @Override
    public boolean match(Adaptor adaptor) {
        var found = adaptor.field(fieldPath);
        return switch (operator) {
            case PRESENT -> found.isPresent();
            case EQUAL -> found.isPresent() && found.get().equals(value);
            case NOT_EQUAL -> !found.orElse("").equals(value);
            case MATCHES -> regex.find(found.orElse(""));
        };
    }

    @Override
    public String toString() {
        return String.join(".", fieldPath) + (operator == Operator.PRESENT ? "" : operator + value);
    }
}

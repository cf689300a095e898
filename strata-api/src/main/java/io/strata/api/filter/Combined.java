package io.strata.api.filter;

import java.util.List;

/** containerd's {@code filters.All} and {@code filters.Any}. */
final class Combined {
    private Combined() {
    }

    /** Matches when every filter matches (the selectors of one filter string). */
    record All(List<Filter> filters) implements Filter {
        All {
            filters = List.copyOf(filters);
        }

        @Override
        public boolean match(Adaptor adaptor) {
            for (Filter f : filters) {
                if (!f.match(adaptor)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Matches when any filter matches (several filter strings). */
    record Any(List<Filter> filters) implements Filter {
        Any {
            filters = List.copyOf(filters);
        }

        @Override
        public boolean match(Adaptor adaptor) {
            for (Filter f : filters) {
                if (f.match(adaptor)) {
                    return true;
                }
            }
            return false;
        }
    }
}

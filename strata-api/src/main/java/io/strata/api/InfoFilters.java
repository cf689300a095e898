package io.strata.api;

import io.strata.api.filter.Adaptor;
import io.strata.api.filter.Filter;
import io.strata.api.filter.Filters;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Filters over snapshot {@link Info}, with the fields of containerd's snapshot adaptor
 * ({@code adaptSnapshot} in {@code core/snapshots/storage/bolt.go}):
 * <ul>
 *   <li>{@code kind}: {@code active}, {@code view} or {@code committed}; always present</li>
 *   <li>{@code name}: always present</li>
 *   <li>{@code parent}: the parent's name, "" when there is none; always present</li>
 *   <li>{@code labels.<key>}: that label (the rest of the path joined with "."); absent when the
 *       snapshot has no such label</li>
 * </ul>
 * Only the first element of the path is looked at for {@code kind}, {@code name} and
 * {@code parent}, as in containerd; any other field is absent.
 */
public final class InfoFilters {
    private InfoFilters() {
    }

    /**
     * A predicate that accepts an info matching any of {@code filters} (everything when none).
     *
     * @throws InvalidArgumentException for a filter that does not parse
     */
    public static Predicate<Info> parse(String... filters) {
        Filter filter = Filters.parseAll(filters);
        if (filter == Filter.ALWAYS) {
            return info -> true;
        }
        return info -> filter.match(adapt(info));
    }

    /** The adaptor of one info. */
    public static Adaptor adapt(Info info) {
        return path -> {
            if (path.isEmpty()) {
                return Optional.empty();
            }
            return switch (path.getFirst()) {
                case "kind" -> Optional.of(info.kind().toString());
                case "name" -> Optional.of(info.name());
                case "parent" -> Optional.of(info.parentOrEmpty());
                case "labels" -> info.labels().isEmpty()
                        ? Optional.empty()
                        : Optional.ofNullable(info.labels().get(String.join(".", path.subList(1, path.size()))));
                default -> Optional.empty();
            };
        };
    }
}

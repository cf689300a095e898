package io.strata.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class InfoFiltersTest {
    private static final Instant T = Instant.parse("2024-01-02T03:04:05.123456789Z");

    private static Info info(String name, Kind kind, String parent, Map<String, String> labels) {
        return new Info(name, kind, Optional.of(parent), labels, T, T);
    }

    private final List<Info> corpus = List.of(
            info("base", Kind.COMMITTED, "", Map.of("containerd.io/gc.root", "yes")),
            info("sha256:abc", Kind.COMMITTED, "base", Map.of()),
            info("extract-1", Kind.ACTIVE, "sha256:abc", Map.of("a.b.c", "dotted", "team", "x")),
            info("view-1", Kind.VIEW, "base", Map.of("team", "y")));

    private List<String> names(String... filters) {
        Predicate<Info> p = InfoFilters.parse(filters);
        return corpus.stream().filter(p).map(Info::name).toList();
    }

    @Test
    void kindIsTheLowerCaseName() {
        assertThat(names("kind==committed")).containsExactly("base", "sha256:abc");
        assertThat(names("kind==active")).containsExactly("extract-1");
        assertThat(names("kind==view")).containsExactly("view-1");
        assertThat(names("kind!=committed")).containsExactly("extract-1", "view-1");
    }

    @Test
    void nameAndParent() {
        assertThat(names("name~=\"^sha256:\"")).containsExactly("sha256:abc");
        assertThat(names("parent==base")).containsExactly("sha256:abc", "view-1");
        assertThat(names("parent==\"\"")).containsExactly("base");
        assertThat(names("parent")).as("parent is present even when empty").hasSize(4);
        assertThat(names("name")).hasSize(4);
        assertThat(names("kind")).hasSize(4);
    }

    @Test
    void labelsJoinTheRestOfThePath() {
        assertThat(names("labels.\"containerd.io/gc.root\"")).containsExactly("base");
        assertThat(names("labels.a.b.c==dotted")).containsExactly("extract-1");
        assertThat(names("labels.\"a.b.c\"==dotted")).containsExactly("extract-1");
        assertThat(names("labels.team")).containsExactly("extract-1", "view-1");
        assertThat(names("labels.team!=x")).containsExactly("base", "sha256:abc", "view-1");
        assertThat(names("labels")).as("no label has the empty key").isEmpty();
    }

    @Test
    void combines() {
        assertThat(names()).hasSize(4);
        assertThat(names("kind==committed,parent==base")).containsExactly("sha256:abc");
        assertThat(names("kind==view", "labels.\"containerd.io/gc.root\"")).containsExactly("base", "view-1");
    }

    @Test
    void unknownFieldsAreAbsent() {
        assertThat(names("size")).isEmpty();
        assertThat(names("created!=x")).hasSize(4);
        assertThat(InfoFilters.adapt(corpus.get(0)).field(List.of())).isEmpty();
        assertThat(InfoFilters.adapt(corpus.get(0)).field(List.of("name", "ignored"))).contains("base");
    }

    @Test
    void badFilterIsInvalidArgument() {
        assertThatThrownBy(() -> InfoFilters.parse("kind=committed"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("unsupported operator");
    }
}

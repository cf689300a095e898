package io.strata.grpc;

import io.strata.service.NamespaceMode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.strata.api.AlreadyExistsException;
import io.strata.api.FailedPreconditionException;
import io.strata.api.InternalException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Limits;
import io.strata.api.NotFoundException;
import io.strata.api.Snapshotter;
import io.strata.api.StrataException;
import io.strata.api.UnavailableException;
import io.strata.api.UnimplementedException;
import io.strata.grpc.proto.snapshots.StatSnapshotRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GrpcErrorsTest {

    static Stream<Arguments> kinds() {
        return Stream.of(
                Arguments.of(new NotFoundException("snapshot k does not exist"), Status.Code.NOT_FOUND,
                        "snapshot k does not exist: not found"),
                Arguments.of(new AlreadyExistsException("snapshot k: already exists"), Status.Code.ALREADY_EXISTS,
                        "snapshot k: already exists"),
                Arguments.of(new FailedPreconditionException("cannot remove snapshot with child"),
                        Status.Code.FAILED_PRECONDITION, "cannot remove snapshot with child: failed precondition"),
                Arguments.of(new InvalidArgumentException("key must not be empty"), Status.Code.INVALID_ARGUMENT,
                        "key must not be empty: invalid argument"),
                Arguments.of(new UnavailableException("snapshotter is closed"), Status.Code.UNAVAILABLE,
                        "snapshotter is closed: unavailable"),
                Arguments.of(new InternalException("disk on fire"), Status.Code.INTERNAL, "disk on fire: internal"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("kinds")
    void eachKindHasItsCodeAndContainerdWording(StrataException e, Status.Code code, String description) {
        StatusRuntimeException s = GrpcErrors.toStatus(e);
        assertThat(s.getStatus().getCode()).isEqualTo(code);
        assertThat(s.getStatus().getDescription()).isEqualTo(description);
        assertThat(GrpcErrors.codeOf(e)).isEqualTo(code);
        StrataException back = GrpcErrors.toException(s);
        assertThat(back).isExactlyInstanceOf(e.getClass()).hasMessage(description).hasCause(s);
    }

    @ParameterizedTest(name = "{1} through a server")
    @MethodSource("kinds")
    void roundTripThroughServerAndClient(StrataException e, Status.Code code, String description) throws Exception {
        Snapshotter failing = Harness.fake((p, m, a) -> {
            if (m.getName().equals("close")) {
                return null;
            }
            throw e;
        });
        try (Harness h = Harness.with(Map.of("fake", failing), NamespaceMode.ISOLATE)) {
            RemoteSnapshotter remote = h.remote("fake");
            assertThatThrownBy(() -> remote.stat("k")).isExactlyInstanceOf(e.getClass()).hasMessage(description);
            assertThatThrownBy(() -> remote.list()).isExactlyInstanceOf(e.getClass()).hasMessage(description);
            assertThatThrownBy(remote::cleanup).isExactlyInstanceOf(e.getClass());
            var raw = Status.fromThrowable(org.assertj.core.api.Assertions.catchThrowable(() ->
                    h.stub(null).stat(StatSnapshotRequest.newBuilder().setSnapshotter("fake").setKey("k").build())));
            assertThat(raw.getCode()).isEqualTo(code);
            assertThat(raw.getDescription()).isEqualTo(description);
        }
    }

    @Test
    void unexpectedFailureIsInternalAndServerKeepsServing() throws Exception {
        AtomicReference<RuntimeException> toThrow = new AtomicReference<>(new IllegalStateException("bug in a backend"));
        Snapshotter buggy = Harness.fake((p, m, a) -> {
            if (m.getName().equals("close")) {
                return null;
            }
            RuntimeException t = toThrow.get();
            if (t != null) {
                throw t;
            }
            return Harness.info((String) a[0]);
        });
        try (Harness h = Harness.with(Map.of("buggy", buggy), NamespaceMode.ISOLATE)) {
            RemoteSnapshotter remote = h.remote("buggy");
            assertThatThrownBy(() -> remote.stat("k")).isExactlyInstanceOf(InternalException.class)
                    .hasMessage("java.lang.IllegalStateException: bug in a backend: internal");
            toThrow.set(new NullPointerException());
            assertThatThrownBy(() -> remote.stat("k")).isExactlyInstanceOf(InternalException.class);
            toThrow.set(null);
            assertThat(remote.stat("k")).isEqualTo(Harness.info("k"));
        }
    }

    @Test
    void longDescriptionsAreCutKeepingContainerdSuffix() {
        String key = "\u00e9".repeat(Limits.MAX_KEY_BYTES / 2);
        String cut = GrpcErrors.toStatus(new NotFoundException("snapshot " + key + " does not exist")).getStatus().getDescription();
        assertThat(cut.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(GrpcErrors.MAX_DESCRIPTION_BYTES);
        assertThat(cut).startsWith("snapshot \u00e9\u00e9").endsWith("\u00e9\u2026: not found");
        // A status passes through with its code and trailers, its description cut the same way.
        Metadata trailers = new Metadata();
        trailers.put(Metadata.Key.of("x-why", Metadata.ASCII_STRING_MARSHALLER), "kept");
        StatusRuntimeException given = Status.UNIMPLEMENTED.withDescription("x".repeat(100_000)).asRuntimeException(trailers);
        StatusRuntimeException passed = GrpcErrors.toStatus(given);
        assertThat(passed.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
        assertThat(passed.getStatus().getDescription()).hasSize(GrpcErrors.MAX_DESCRIPTION_BYTES - 2).endsWith("x\u2026");
        assertThat(passed.getTrailers().get(Metadata.Key.of("x-why", Metadata.ASCII_STRING_MARSHALLER))).isEqualTo("kept");
        // Never between the two halves of a surrogate pair.
        String emoji = GrpcErrors.shorten("\ud83d\ude00".repeat(1000), 101);
        assertThat(emoji).isEqualTo("\ud83d\ude00".repeat(24) + "\u2026");
        assertThat(GrpcErrors.shorten("short", 5)).isEqualTo("short");
    }

    /** Before descriptions were cut, the client got INTERNAL "http2 exception": the trailer passed its 8 KiB limit. */
    @Test
    void notFoundForALongNonAsciiKeyReachesTheClientAsNotFound() throws Exception {
        String key = "\u00e9".repeat(Limits.MAX_KEY_BYTES / 2);
        Snapshotter missing = Harness.fake((p, m, a) -> {
            if (m.getName().equals("close")) {
                return null;
            }
            throw new NotFoundException("snapshot " + a[0] + " does not exist");
        });
        try (Harness h = Harness.with(Map.of("missing", missing), NamespaceMode.ISOLATE)) {
            assertThatThrownBy(() -> h.remote("missing").stat(key)).isExactlyInstanceOf(NotFoundException.class)
                    .hasMessageStartingWith("snapshot \u00e9").hasMessageEndingWith("\u2026: not found");
        }
    }

    @Test
    void statusesPassThroughAndSuffixIsNotDoubled() {
        StatusRuntimeException given = Status.UNIMPLEMENTED.withDescription("nope").asRuntimeException();
        assertThat(GrpcErrors.toStatus(given)).isSameAs(given);
        assertThat(GrpcErrors.toStatus(new StatusException(Status.ABORTED)).getStatus().getCode())
                .isEqualTo(Status.Code.ABORTED);
        assertThat(GrpcErrors.describe("x: not found", Status.Code.NOT_FOUND)).isEqualTo("x: not found");
        assertThat(GrpcErrors.describe("not found", Status.Code.NOT_FOUND)).isEqualTo("not found");
        assertThat(GrpcErrors.describe(null, Status.Code.INVALID_ARGUMENT)).isEqualTo("invalid argument");
        assertThat(GrpcErrors.describe("x", Status.Code.UNIMPLEMENTED)).isEqualTo("x: not implemented");
    }

    @Test
    void everyOtherCodeMapsToTheNearestKind() {
        record Case(Status.Code code, Class<? extends StrataException> kind) {
        }
        for (Case c : List.of(
                new Case(Status.Code.OUT_OF_RANGE, InvalidArgumentException.class),
                new Case(Status.Code.RESOURCE_EXHAUSTED, InvalidArgumentException.class),
                new Case(Status.Code.UNIMPLEMENTED, UnimplementedException.class),
                new Case(Status.Code.CANCELLED, UnavailableException.class),
                new Case(Status.Code.DEADLINE_EXCEEDED, UnavailableException.class),
                new Case(Status.Code.ABORTED, UnavailableException.class),
                new Case(Status.Code.UNKNOWN, InternalException.class),
                new Case(Status.Code.DATA_LOSS, InternalException.class),
                new Case(Status.Code.PERMISSION_DENIED, InternalException.class),
                new Case(Status.Code.UNAUTHENTICATED, InternalException.class))) {
            StrataException e = GrpcErrors.toException(Status.fromCode(c.code()).asRuntimeException());
            assertThat(e).as("%s", c.code()).isExactlyInstanceOf(c.kind()).hasMessage(c.code().toString());
        }
    }
}

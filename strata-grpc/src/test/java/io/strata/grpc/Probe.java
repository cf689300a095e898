package io.strata.grpc;

import io.grpc.Status;
import java.util.EnumSet;
import java.util.Set;

/**
 * One hostile request: the method it goes to (full name), its bytes, and the status codes the
 * server may answer it with. {@code INTERNAL} in {@code allowed} means "did not parse": it is only
 * accepted with {@link UnparsableRequests#PREFIX}.
 *
 * @param family what kind of hostile input this is, for the report
 */
record Probe(String family, String method, byte[] request, Set<Status.Code> allowed) {
    /** What a request that parses may get: an answer, or one of the errors a client can cause. */
    static final Set<Status.Code> PARSED = EnumSet.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT,
            Status.Code.NOT_FOUND, Status.Code.ALREADY_EXISTS, Status.Code.FAILED_PRECONDITION);

    Probe {
        allowed = Set.copyOf(allowed);
    }

    /** A probe answered by exactly {@code code}. */
    static Probe exactly(String family, String method, byte[] request, Status.Code code) {
        return new Probe(family, method, request, EnumSet.of(code));
    }

    /** A probe whose bytes must not parse. */
    static Probe unparsable(String family, String method, byte[] request) {
        return exactly(family, method, request, Status.Code.INTERNAL);
    }

    /** A probe of bytes that may or may not parse, and then may do anything a client may do. */
    static Probe anything(String family, String method, byte[] request) {
        Set<Status.Code> codes = EnumSet.copyOf(PARSED);
        codes.add(Status.Code.INTERNAL);
        if (method.endsWith("/Commit")) {
            // A parent on commit that differs from none: Strata does not rebase (SnapshotsService).
            codes.add(Status.Code.UNIMPLEMENTED);
        }
        return new Probe(family, method, request, codes);
    }

    /** Whether {@code outcome} is one this probe allows. */
    boolean accepts(Status outcome) {
        if (!allowed.contains(outcome.getCode())) {
            return false;
        }
        return outcome.getCode() != Status.Code.INTERNAL
                || (outcome.getDescription() != null && outcome.getDescription().startsWith(UnparsableRequests.PREFIX));
    }

    @Override
    public String toString() {
        return family + " " + method.substring(method.lastIndexOf('/') + 1) + " (" + request.length + " bytes)";
    }
}

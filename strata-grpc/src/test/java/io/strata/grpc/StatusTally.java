package io.strata.grpc;

import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Counts the answers to hostile requests by status and by family, and keeps those that were not allowed. */
final class StatusTally {
    private final Map<Status.Code, Integer> byCode = new EnumMap<>(Status.Code.class);
    private final Map<String, Map<Status.Code, Integer>> byFamily = new TreeMap<>();
    private final Map<Status.Code, String> examples = new EnumMap<>(Status.Code.class);
    private final List<String> violations = new ArrayList<>();
    private int tried;

    void record(Probe probe, Status outcome) {
        tried++;
        byCode.merge(outcome.getCode(), 1, Integer::sum);
        byFamily.computeIfAbsent(probe.family(), f -> new EnumMap<>(Status.Code.class)).merge(outcome.getCode(), 1, Integer::sum);
        String d = outcome.getDescription();
        if (d != null) {
            examples.putIfAbsent(outcome.getCode(), probe + ": " + clip(d));
        }
        if (!probe.accepts(outcome)) {
            violations.add(probe + " expected " + probe.allowed() + " got " + outcome.getCode() + ": " + clip(d));
        } else if (d != null && d.getBytes(StandardCharsets.UTF_8).length > GrpcErrors.MAX_DESCRIPTION_BYTES) {
            violations.add(probe + " got a description of " + d.length() + " chars: " + clip(d));
        }
    }

    int tried() {
        return tried;
    }

    List<String> violations() {
        return violations;
    }

    /** Counts by status, one line per family, then the first description seen of each status. */
    String report() {
        StringBuilder out = new StringBuilder("messages tried: ").append(tried).append('\n');
        out.append("by status: ").append(byCode).append('\n');
        byFamily.forEach((family, codes) -> out.append(String.format("  %-26s %s%n", family, codes)));
        examples.forEach((code, example) -> out.append("e.g. ").append(code).append(" to ").append(example).append('\n'));
        return out.toString();
    }

    private static String clip(String s) {
        return s == null ? null : s.length() > 160 ? s.substring(0, 160) + "…" : s;
    }
}

package io.strata.cli;

import io.strata.api.Info;
import io.strata.api.Mount;
import io.strata.api.Usage;
import io.strata.events.Envelope;
import io.strata.events.Event;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code --json} output in containerd's field names, written by the one JSON writer ({@link io.strata.oci.json.Json}). */
final class Json {
    private Json() {
    }

    static String str(String s) {
        return io.strata.oci.json.Json.write(s);
    }

    static String labels(Map<String, String> labels) {
        return io.strata.oci.json.Json.write(labels);
    }

    /**
     * An event's payload as containerd's Go structs marshal it ({@code ctr events}): fields by
     * their JSON names, empty ones left out, labels as an object. A payload Strata cannot decode
     * shows its type and bytes.
     */
    static String event(Event e) {
        if (e instanceof Event.Opaque o) {
            return "{\"@type\":" + str(o.typeName()) + ",\"value\":" + str(Base64.getEncoder().encodeToString(o.value())) + "}";
        }
        StringBuilder b = new StringBuilder("{");
        Map<String, String> labels = new TreeMap<>();
        for (var f : e.fields().entrySet()) {
            if (f.getKey().startsWith("labels.")) {
                labels.put(f.getKey().substring("labels.".length()), f.getValue());
            } else if (!f.getValue().isEmpty()) {
                b.append(b.length() > 1 ? "," : "").append(str(f.getKey())).append(':').append(str(f.getValue()));
            }
        }
        if (!labels.isEmpty()) {
            b.append(b.length() > 1 ? "," : "").append("\"labels\":").append(labels(labels));
        }
        return b.append('}').toString();
    }

    static String envelope(Envelope e) {
        return "{\"sequence\":" + e.sequence() + ",\"timestamp\":" + str(e.timestamp().toString())
                + ",\"namespace\":" + str(e.namespace()) + ",\"topic\":" + str(e.topic())
                + ",\"type\":" + str(e.event().typeName()) + ",\"event\":" + event(e.event()) + "}";
    }

    static String info(Info i) {
        String kind = switch (i.kind()) {
            case VIEW -> "View";
            case ACTIVE -> "Active";
            case COMMITTED -> "Committed";
        };
        return "{\"Kind\":" + str(kind) + ",\"Name\":" + str(i.name())
                + (i.parent().isPresent() ? ",\"Parent\":" + str(i.parentOrEmpty()) : "")
                + (i.labels().isEmpty() ? "" : ",\"Labels\":" + labels(i.labels()))
                + ",\"Created\":" + str(i.created().toString()) + ",\"Updated\":" + str(i.updated().toString()) + "}";
    }

    static String usage(String key, Usage u) {
        return "{\"Key\":" + str(key) + ",\"Size\":" + u.size() + ",\"Inodes\":" + u.inodes() + "}";
    }

    static String mount(Mount m) {
        StringBuilder b = new StringBuilder("{\"Type\":" + str(m.type()) + ",\"Source\":" + str(m.source()));
        if (!m.target().isEmpty()) {
            b.append(",\"Target\":").append(str(m.target()));
        }
        b.append(",\"Options\":[");
        for (int i = 0; i < m.options().size(); i++) {
            b.append(i > 0 ? "," : "").append(str(m.options().get(i)));
        }
        return b.append("]}").toString();
    }

    static String array(List<String> items) {
        return "[" + String.join(",", items) + "]";
    }
}

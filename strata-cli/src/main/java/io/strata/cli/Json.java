package io.strata.cli;

import io.strata.api.Info;
import io.strata.api.Mount;
import io.strata.api.Usage;
import java.util.List;
import java.util.Map;

/** Just enough JSON writing for {@code --json} output, in containerd's field names. */
final class Json {
    private Json() {
    }

    static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    static String labels(Map<String, String> labels) {
        StringBuilder b = new StringBuilder("{");
        boolean first = true;
        for (var e : labels.entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append(str(e.getKey())).append(':').append(str(e.getValue()));
        }
        return b.append('}').toString();
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

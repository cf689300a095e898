package io.strata.events;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The payload of an event: one of containerd's event messages (same full names, fields and
 * protobuf field numbers: {@code containerd.events.*}, and for images
 * {@code containerd.services.images.v1.*} as containerd has always named them) or, for events a client published with a type Strata
 * does not know, the {@link Opaque} bytes as given.
 *
 * <p>{@link #fields()} names the payload's fields as containerd's filters see them
 * ({@code event.key}, {@code event.labels.<name>}), in protobuf field order.
 */
public sealed interface Event {

    /** containerd's full message name, which is also the type URL it puts in an {@code Any}. */
    String typeName();

    /** The topic containerd publishes this event on, for example {@code /snapshot/commit}. */
    String topic();

    /** The payload's fields by name; labels as {@code labels.<key>}. */
    Map<String, String> fields();

    /** {@code containerd.events.SnapshotPrepare}; {@code snapshotter} is field 5 as in containerd 2. */
    record SnapshotPrepare(String key, String parent, String snapshotter) implements Event {
        public SnapshotPrepare {
            key = Objects.requireNonNull(key, "key");
            parent = parent == null ? "" : parent;
            snapshotter = snapshotter == null ? "" : snapshotter;
        }

        @Override
        public String typeName() {
            return "containerd.events.SnapshotPrepare";
        }

        @Override
        public String topic() {
            return "/snapshot/prepare";
        }

        @Override
        public Map<String, String> fields() {
            return ordered("key", key, "parent", parent, "snapshotter", snapshotter);
        }
    }

    /** {@code containerd.events.SnapshotCommit}. */
    record SnapshotCommit(String key, String name, String snapshotter) implements Event {
        public SnapshotCommit {
            key = Objects.requireNonNull(key, "key");
            name = Objects.requireNonNull(name, "name");
            snapshotter = snapshotter == null ? "" : snapshotter;
        }

        @Override
        public String typeName() {
            return "containerd.events.SnapshotCommit";
        }

        @Override
        public String topic() {
            return "/snapshot/commit";
        }

        @Override
        public Map<String, String> fields() {
            return ordered("key", key, "name", name, "snapshotter", snapshotter);
        }
    }

    /** {@code containerd.events.SnapshotRemove}. */
    record SnapshotRemove(String key, String snapshotter) implements Event {
        public SnapshotRemove {
            key = Objects.requireNonNull(key, "key");
            snapshotter = snapshotter == null ? "" : snapshotter;
        }

        @Override
        public String typeName() {
            return "containerd.events.SnapshotRemove";
        }

        @Override
        public String topic() {
            return "/snapshot/remove";
        }

        @Override
        public Map<String, String> fields() {
            return ordered("key", key, "snapshotter", snapshotter);
        }
    }

    /** {@code containerd.services.images.v1.ImageCreate}: containerd keeps its image events in that package. */
    record ImageCreate(String name, Map<String, String> labels) implements Event {
        public ImageCreate {
            name = Objects.requireNonNull(name, "name");
            labels = sorted(labels);
        }

        @Override
        public String typeName() {
            return "containerd.services.images.v1.ImageCreate";
        }

        @Override
        public String topic() {
            return "/images/create";
        }

        @Override
        public Map<String, String> fields() {
            return withLabels(name, labels);
        }
    }

    /** {@code containerd.services.images.v1.ImageUpdate}: containerd keeps its image events in that package. */
    record ImageUpdate(String name, Map<String, String> labels) implements Event {
        public ImageUpdate {
            name = Objects.requireNonNull(name, "name");
            labels = sorted(labels);
        }

        @Override
        public String typeName() {
            return "containerd.services.images.v1.ImageUpdate";
        }

        @Override
        public String topic() {
            return "/images/update";
        }

        @Override
        public Map<String, String> fields() {
            return withLabels(name, labels);
        }
    }

    /** {@code containerd.services.images.v1.ImageDelete}: containerd keeps its image events in that package. */
    record ImageDelete(String name) implements Event {
        public ImageDelete {
            name = Objects.requireNonNull(name, "name");
        }

        @Override
        public String typeName() {
            return "containerd.services.images.v1.ImageDelete";
        }

        @Override
        public String topic() {
            return "/images/delete";
        }

        @Override
        public Map<String, String> fields() {
            return ordered("name", name);
        }
    }

    /** {@code containerd.events.ContentDelete}. */
    record ContentDelete(String digest) implements Event {
        public ContentDelete {
            digest = Objects.requireNonNull(digest, "digest");
        }

        @Override
        public String typeName() {
            return "containerd.events.ContentDelete";
        }

        @Override
        public String topic() {
            return "/content/delete";
        }

        @Override
        public Map<String, String> fields() {
            return ordered("digest", digest);
        }
    }

    /**
     * A payload of a type Strata does not decode, kept byte for byte. It has no default topic (a
     * publisher names one) and no fields a filter can see.
     */
    record Opaque(String typeName, byte[] value) implements Event {
        public Opaque {
            typeName = Objects.requireNonNull(typeName, "typeName");
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public String topic() {
            return "";
        }

        @Override
        public Map<String, String> fields() {
            return Map.of();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Opaque other && typeName.equals(other.typeName) && java.util.Arrays.equals(value, other.value);
        }

        @Override
        public int hashCode() {
            return typeName.hashCode() * 31 + java.util.Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Opaque[" + typeName + ", " + value.length + " bytes]";
        }
    }

    private static Map<String, String> ordered(String... kv) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.put(kv[i], kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    private static Map<String, String> sorted(Map<String, String> labels) {
        return labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
    }

    private static Map<String, String> withLabels(String name, Map<String, String> labels) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("name", name);
        labels.forEach((k, v) -> out.put("labels." + k, v));
        return java.util.Collections.unmodifiableMap(out);
    }
}

package io.strata.events;

import io.strata.api.InvalidArgumentException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * containerd's event messages in protobuf wire format, byte for byte what containerd's generated
 * code writes (fields in number order, empty strings left out, map entries as key 1 / value 2),
 * so an envelope's payload can be handed to a containerd client as is. A small hand-written codec
 * keeps this module free of protobuf-java; the gRPC module's tests check it against protoc's code.
 */
public final class EventCodec {
    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    private EventCodec() {
    }

    /** The payload's protobuf encoding. */
    public static byte[] encode(Event event) {
        Writer w = new Writer();
        switch (event) {
            case Event.SnapshotPrepare e -> w.string(1, e.key()).string(2, e.parent()).string(5, e.snapshotter());
            case Event.SnapshotCommit e -> w.string(1, e.key()).string(2, e.name()).string(5, e.snapshotter());
            case Event.SnapshotRemove e -> w.string(1, e.key()).string(5, e.snapshotter());
            case Event.ImageCreate e -> w.string(1, e.name()).labels(2, e.labels());
            case Event.ImageUpdate e -> w.string(1, e.name()).labels(2, e.labels());
            case Event.ImageDelete e -> w.string(1, e.name());
            case Event.ContentDelete e -> w.string(1, e.digest());
            case Event.Opaque e -> w.raw(e.value());
        }
        return w.bytes();
    }

    /**
     * Decodes a payload of type {@code typeUrl} (containerd's bare message name, or one with a
     * {@code host/} prefix as protobuf's {@code Any} writes it). A type Strata does not know comes
     * back as {@link Event.Opaque}.
     *
     * @throws InvalidArgumentException if a known type's bytes are not a valid message
     */
    public static Event decode(String typeUrl, byte[] value) {
        String type = typeUrl.substring(typeUrl.lastIndexOf('/') + 1);
        if (!type.startsWith("containerd.events.") && !type.startsWith("containerd.services.images.v1.")) {
            return new Event.Opaque(typeUrl, value);
        }
        Map<Integer, String> f = new HashMap<>();
        Map<String, String> labels = new TreeMap<>();
        Reader r = new Reader(value, type);
        while (r.more()) {
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field <= 0) {
                throw r.bad("field number " + field);
            }
            if (wire != LENGTH_DELIMITED) {
                r.skip(wire);
                continue;
            }
            byte[] bytes = r.lengthDelimited();
            if (field == 2 && (type.endsWith(".ImageCreate") || type.endsWith(".ImageUpdate"))) {
                Reader entry = new Reader(bytes, type + ".LabelsEntry");
                String[] kv = {"", ""};
                while (entry.more()) {
                    long t = entry.varint();
                    if ((t & 7) != LENGTH_DELIMITED) {
                        entry.skip((int) (t & 7));
                    } else if ((t >>> 3) == 1 || (t >>> 3) == 2) {
                        kv[(int) (t >>> 3) - 1] = entry.utf8(entry.lengthDelimited());
                    } else {
                        entry.lengthDelimited();
                    }
                }
                labels.put(kv[0], kv[1]);
            } else {
                f.put(field, r.utf8(bytes));
            }
        }
        return switch (type) {
            case "containerd.events.SnapshotPrepare" -> new Event.SnapshotPrepare(s(f, 1), s(f, 2), s(f, 5));
            case "containerd.events.SnapshotCommit" -> new Event.SnapshotCommit(s(f, 1), s(f, 2), s(f, 5));
            case "containerd.events.SnapshotRemove" -> new Event.SnapshotRemove(s(f, 1), s(f, 5));
            case "containerd.services.images.v1.ImageCreate" -> new Event.ImageCreate(s(f, 1), labels);
            case "containerd.services.images.v1.ImageUpdate" -> new Event.ImageUpdate(s(f, 1), labels);
            case "containerd.services.images.v1.ImageDelete" -> new Event.ImageDelete(s(f, 1));
            case "containerd.events.ContentDelete" -> new Event.ContentDelete(s(f, 1));
            default -> new Event.Opaque(typeUrl, value);
        };
    }

    private static String s(Map<Integer, String> fields, int number) {
        return fields.getOrDefault(number, "");
    }

    private static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

        Writer string(int field, String value) {
            if (!value.isEmpty()) {
                bytes(field, value.getBytes(StandardCharsets.UTF_8));
            }
            return this;
        }

        Writer labels(int field, Map<String, String> labels) {
            for (Map.Entry<String, String> l : labels.entrySet()) {
                bytes(field, new Writer().string(1, l.getKey()).string(2, l.getValue()).bytes());
            }
            return this;
        }

        Writer raw(byte[] value) {
            out.writeBytes(value);
            return this;
        }

        private void bytes(int field, byte[] value) {
            varint(((long) field << 3) | LENGTH_DELIMITED);
            varint(value.length);
            out.writeBytes(value);
        }

        private void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    private static final class Reader {
        private final byte[] b;
        private final String type;
        private int pos;

        Reader(byte[] b, String type) {
            this.b = b;
            this.type = type;
        }

        boolean more() {
            return pos < b.length;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= b.length) {
                    throw bad("truncated varint");
                }
                int x = b[pos++];
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
            throw bad("varint longer than 10 bytes");
        }

        byte[] lengthDelimited() {
            long n = varint();
            if (n < 0 || n > b.length - pos) {
                throw bad("length " + n + " runs past the end");
            }
            byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + (int) n);
            pos += (int) n;
            return out;
        }

        void skip(int wire) {
            switch (wire) {
                case VARINT -> varint();
                case FIXED64 -> advance(8);
                case LENGTH_DELIMITED -> lengthDelimited();
                case FIXED32 -> advance(4);
                default -> throw bad("wire type " + wire);
            }
        }

        private void advance(int n) {
            if (n > b.length - pos) {
                throw bad("truncated field");
            }
            pos += n;
        }

        String utf8(byte[] bytes) {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw bad("a string field that is not UTF-8");
            }
        }

        InvalidArgumentException bad(String what) {
            return new InvalidArgumentException("event of type " + type + " is not a valid message: " + what + " at byte " + pos);
        }
    }
}

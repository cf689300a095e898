package io.strata.grpc;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Writes protobuf wire format field by field, including what a generated builder never writes. */
final class Wire {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

    /** Starts with {@code prefix}, for example a valid message to append fields to. */
    static Wire after(byte[] prefix) {
        return new Wire().raw(prefix);
    }

    static Wire empty() {
        return new Wire();
    }

    Wire string(int field, String value) {
        return delimited(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A length-delimited field of any bytes: a string, a message, or neither. */
    Wire delimited(int field, byte[] value) {
        return write(() -> out.writeByteArray(field, value));
    }

    Wire varint(int field, long value) {
        return write(() -> out.writeUInt64(field, value));
    }

    Wire fixed32(int field, int value) {
        return write(() -> out.writeFixed32(field, value));
    }

    Wire fixed64(int field, long value) {
        return write(() -> out.writeFixed64(field, value));
    }

    /** A tag of any wire type (0 to 7, 6 and 7 being invalid) and nothing after it. */
    Wire tag(int field, int wireType) {
        return write(() -> out.writeUInt32NoTag(field << 3 | wireType));
    }

    Wire raw(byte... data) {
        return write(() -> out.writeRawBytes(data));
    }

    /** {@code depth} groups of field {@code field}, each inside the previous one. */
    Wire nestedGroups(int field, int depth) {
        for (int i = 0; i < depth; i++) {
            tag(field, WireFormat.WIRETYPE_START_GROUP);
        }
        for (int i = 0; i < depth; i++) {
            tag(field, WireFormat.WIRETYPE_END_GROUP);
        }
        return this;
    }

    byte[] bytes() {
        write(out::flush);
        return bytes.toByteArray();
    }

    private interface Write {
        void run() throws IOException;
    }

    private Wire write(Write w) {
        try {
            w.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}

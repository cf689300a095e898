package io.strata.grpc;

import com.google.protobuf.WireFormat;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;

/**
 * Requests that play with the protobuf wire format around a well-formed request (see
 * {@link SnapshotRequests#stable}): some the format allows (unknown fields, a known field number
 * with another wire type, nesting the parser skips), which must get the well-formed request's own
 * answer, and some it forbids (bad varints, lengths, tags and wire types, invalid UTF-8 in a string,
 * nesting past the parser's limit), which must not parse.
 */
final class MalformedRequests {
    private static final byte[][] INVALID_UTF8 = {
            {(byte) 0xc3, 0x28},                                    // a lead byte without its continuation
            {(byte) 0xed, (byte) 0xa0, (byte) 0x80},                // a UTF-16 surrogate
            {(byte) 0xc0, (byte) 0x80},                             // an overlong NUL
            {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, // a five-byte form
    };

    private MalformedRequests() {
    }

    /** What the format allows, for {@code method} in snapshotter {@code sn}: the well-formed request's answer. */
    static List<Probe> allowed(String method, String sn) {
        SnapshotRequests.Stable s = SnapshotRequests.stable(method, sn);
        String m = SnapshotRequests.full(method);
        List<Probe> probes = new ArrayList<>();
        probes.add(Probe.exactly("well-formed", m, s.bytes(), s.code()));
        probes.add(Probe.exactly("unknown fields", m, Wire.after(s.bytes()).varint(99, 7).string(100, "x")
                .fixed32(101, 1).fixed64(102, 2).tag(103, WireFormat.WIRETYPE_START_GROUP).varint(1, 1)
                .tag(103, WireFormat.WIRETYPE_END_GROUP).bytes(), s.code()));
        // proto3 parsers keep a known field number with an unexpected wire type as an unknown field.
        probes.add(Probe.exactly("wrong wire type", m, Wire.after(s.bytes()).varint(1, 5).fixed32(2, 9)
                .fixed64(3, 1).fixed32(4, 1).varint(5, 1).varint(6, 1).bytes(), s.code()));
        probes.add(Probe.exactly("nested groups", m, Wire.after(s.bytes()).nestedGroups(200, 64).bytes(), s.code()));
        byte[] nested = new byte[0];
        for (int i = 0; i < 1000; i++) {
            nested = Wire.empty().delimited(1, nested).bytes();
        }
        probes.add(Probe.exactly("nested messages", m, Wire.after(s.bytes()).delimited(300, nested).bytes(), s.code()));
        return probes;
    }

    /** What the format forbids, for {@code method} in snapshotter {@code sn}: none of it may parse. */
    static List<Probe> forbidden(String method, String sn) {
        byte[] ok = SnapshotRequests.stable(method, sn).bytes();
        String m = SnapshotRequests.full(method);
        List<Probe> probes = new ArrayList<>();
        for (byte[] bad : INVALID_UTF8) {
            probes.add(Probe.unparsable("invalid UTF-8", m, Wire.after(ok).delimited(1, bad).bytes()));
            invalidUtf8InFields(method, m, ok, bad, probes);
        }
        probes.add(Probe.unparsable("truncated varint", m, Wire.after(ok).tag(99, WireFormat.WIRETYPE_VARINT)
                .raw((byte) 0x80).bytes()));
        probes.add(Probe.unparsable("truncated varint", m, Wire.after(ok).raw((byte) 0x0a, (byte) 0xff).bytes()));
        probes.add(Probe.unparsable("truncated varint", m, Wire.after(ok).raw((byte) 0x80).bytes()));
        probes.add(Probe.unparsable("overlong varint", m, Wire.after(ok).tag(99, WireFormat.WIRETYPE_VARINT)
                .raw(ff(10)).raw((byte) 0x01).bytes()));
        probes.add(Probe.unparsable("length past the end", m, Wire.after(ok).raw((byte) 0x0a, (byte) 0x7f, (byte) 'a').bytes()));
        probes.add(Probe.unparsable("negative length", m, Wire.after(ok).tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED)
                .raw(ff(4)).raw((byte) 0x0f).bytes()));
        probes.add(Probe.unparsable("huge length", m, Wire.after(ok).tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED)
                .raw(ff(4)).raw((byte) 0x07).bytes()));
        probes.add(Probe.unparsable("wire type 6", m, Wire.after(ok).tag(1, 6).bytes()));
        probes.add(Probe.unparsable("wire type 7", m, Wire.after(ok).tag(1, 7).raw(ff(8)).bytes()));
        probes.add(Probe.unparsable("end group without start", m, Wire.after(ok).tag(5, WireFormat.WIRETYPE_END_GROUP).bytes()));
        probes.add(Probe.unparsable("group never ended", m, Wire.after(ok).tag(5, WireFormat.WIRETYPE_START_GROUP).bytes()));
        probes.add(Probe.unparsable("mismatched end group", m, Wire.after(ok).tag(5, WireFormat.WIRETYPE_START_GROUP)
                .tag(6, WireFormat.WIRETYPE_END_GROUP).bytes()));
        probes.add(Probe.unparsable("field number zero", m, Wire.after(ok).raw((byte) 0x00).bytes()));
        probes.add(Probe.unparsable("field number zero", m, Wire.after(ok).raw((byte) 0x02, (byte) 0x00).bytes()));
        probes.add(Probe.unparsable("nested groups", m, Wire.after(ok).nestedGroups(200, 100_000).bytes()));
        return probes;
    }

    /** Invalid UTF-8 in the method's other string fields: the key, name or filter, and labels. */
    private static void invalidUtf8InFields(String method, String m, byte[] ok, byte[] bad, List<Probe> probes) {
        byte[] label = Wire.empty().delimited(1, bad).string(2, "v").bytes();
        byte[] labelValue = Wire.empty().string(1, "k").delimited(2, bad).bytes();
        switch (method) {
            case "Cleanup" -> {
                // No other string field.
            }
            case "Update" -> {
                // In the info's name (field 2.1), in its labels (2.6), in the mask's paths (3.1).
                byte[][] inner = {Wire.empty().delimited(1, bad).bytes(), Wire.empty().delimited(6, label).bytes()};
                probes.add(Probe.unparsable("invalid UTF-8", m, Wire.after(ok).delimited(2, inner[0]).bytes()));
                probes.add(Probe.unparsable("invalid UTF-8", m, Wire.after(ok).delimited(2, inner[1]).bytes()));
                probes.add(Probe.unparsable("invalid UTF-8", m, Wire.after(ok).delimited(3, inner[0]).bytes()));
            }
            default -> probes.add(Probe.unparsable("invalid UTF-8", m, Wire.after(ok).delimited(2, bad).bytes()));
        }
        if (method.equals("Prepare") || method.equals("View") || method.equals("Commit")) {
            probes.add(Probe.unparsable("invalid UTF-8", m, Wire.after(ok).delimited(4, label).bytes()));
            probes.add(Probe.unparsable("invalid UTF-8", m, Wire.after(ok).delimited(4, labelValue).bytes()));
        }
    }

    private static byte[] ff(int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) 0xff);
        return b;
    }

    /** The empty request to {@code method}: every field at its default, so no snapshotter. */
    static Probe empty(String method) {
        return Probe.exactly("empty", SnapshotRequests.full(method), new byte[0], Status.Code.INVALID_ARGUMENT);
    }
}

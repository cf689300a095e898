package io.strata.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.InvalidArgumentException;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventCodecTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void writesWhatProtobufWritesFieldsInOrderAndEmptyStringsLeftOut() {
        // key "k" (1), parent "" left out, snapshotter "s" (5)
        assertThat(EventCodec.encode(new Event.SnapshotPrepare("k", "", "s"))).isEqualTo(hex("0a 01 6b 2a 01 73"));
        // name "n", labels {a: b} as one entry message of key 1 / value 2
        assertThat(EventCodec.encode(new Event.ImageCreate("n", Map.of("a", "b"))))
                .isEqualTo(hex("0a 01 6e 12 06 0a 01 61 12 01 62"));
        assertThat(EventCodec.encode(new Event.ContentDelete(""))).isEmpty();
    }

    @Test
    void readsWhatItWritesAndSkipsUnknownFields() {
        Event e = new Event.ImageUpdate("img", Map.of("x", "1", "y", ""));
        assertThat(EventCodec.decode("containerd.services.images.v1.ImageUpdate", EventCodec.encode(e))).isEqualTo(e);
        assertThat(EventCodec.decode("types.containerd.io/containerd.services.images.v1.ImageUpdate", EventCodec.encode(e))).isEqualTo(e);
        // field 3 varint 7, field 4 fixed32, then key "k"
        byte[] withUnknown = hex("18 07 25 01 02 03 04 0a 01 6b");
        assertThat(EventCodec.decode("containerd.events.SnapshotRemove", withUnknown))
                .isEqualTo(new Event.SnapshotRemove("k", ""));
    }

    @Test
    void unknownTypesStayOpaque() {
        byte[] raw = hex("ff ff ff");
        assertThat(EventCodec.decode("example.com/x.Y", raw)).isEqualTo(new Event.Opaque("example.com/x.Y", raw));
        assertThat(EventCodec.encode(new Event.Opaque("example.com/x.Y", raw))).isEqualTo(raw);
    }

    @Test
    void brokenMessagesOfKnownTypesAreInvalidArguments() {
        assertThatThrownBy(() -> EventCodec.decode("containerd.services.images.v1.ImageDelete", hex("0a 05 61")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("runs past the end");
        assertThatThrownBy(() -> EventCodec.decode("containerd.services.images.v1.ImageDelete", hex("0a 02 c3 28")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("not UTF-8");
        assertThatThrownBy(() -> EventCodec.decode("containerd.services.images.v1.ImageDelete", hex("08 ff ff")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("truncated varint");
        assertThatThrownBy(() -> EventCodec.decode("containerd.services.images.v1.ImageDelete", hex("0f")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("wire type 7");
    }
}

package io.strata.codec.tar;

import java.nio.charset.StandardCharsets;

/** Byte strings kept in Strings one char per byte, the representation of names in this package. */
public final class Latin1 {
    private Latin1() {}

    /** The bytes of a byte string. */
    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A byte string holding {@code b}. */
    public static String of(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** A byte string holding {@code len} bytes of {@code b} from {@code off}. */
    public static String of(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.ISO_8859_1);
    }

    /** The byte string encoding {@code text} as UTF-8. */
    public static String fromText(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A byte string decoded as UTF-8, for people. */
    public static String display(String s) {
        return new String(bytes(s), StandardCharsets.UTF_8);
    }
}

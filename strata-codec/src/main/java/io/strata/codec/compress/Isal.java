package io.strata.codec.compress;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Downcalls into Intel's ISA-L igzip inflate ({@code libisal.so.2}, Debian package {@code libisal2}).
 *
 * <p>{@code struct inflate_state} is used through fixed offsets, checked against ISA-L 2.30's
 * {@code <isa-l/igzip_lib.h>} with a C program printing {@code offsetof} (x86-64: next_out 0,
 * avail_out 8, total_out 12, next_in 16, read_in 24, avail_in 32, read_in_length 36,
 * block_state 21160, crc_flag 21172, crc 21176, hist_bits 21180; sizeof 87,368). The soname
 * promises this ABI; a state twice that size is allocated anyway, and a self-test inflates a known
 * member at load so that a library that disagrees is never used.
 */
@SuppressWarnings("restricted") // this class is the package's one door to native code
final class Isal {
    static final long STATE_SIZE = 128 * 1024;
    static final long STATE_ALIGN = 64;

    static final long NEXT_OUT = 0;
    static final long AVAIL_OUT = 8;
    static final long NEXT_IN = 16;
    static final long AVAIL_IN = 32;
    static final long READ_IN_LENGTH = 36;
    static final long BLOCK_STATE = 21160;
    static final long CRC_FLAG = 21172;
    static final long CRC = 21176;
    static final long HIST_BITS = 21180;

    static final int ISAL_BLOCK_FINISH = 5;
    static final int ISAL_GZIP_NO_HDR = 2; // raw deflate, CRC-32 of the output kept in state->crc

    /** Which library to load; a test points it at a missing one to check the fallback. */
    static final String LIBRARY = System.getProperty("strata.isal.library", "libisal.so.2");
    private static final MethodHandle INFLATE_INIT;
    private static final MethodHandle INFLATE;
    private static final String UNAVAILABLE;

    static {
        MethodHandle init = null;
        MethodHandle inflate = null;
        String why = null;
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup lib = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
            init = linker.downcallHandle(lib.findOrThrow("isal_inflate_init"), FunctionDescriptor.ofVoid(ADDRESS));
            inflate = linker.downcallHandle(lib.findOrThrow("isal_inflate"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        } catch (RuntimeException | LinkageError e) {
            why = LIBRARY + " cannot be loaded: " + e.getMessage();
        }
        INFLATE_INIT = init;
        INFLATE = inflate;
        UNAVAILABLE = why == null ? selfTest() : why;
    }

    private Isal() {}

    /** Why ISA-L is not used, or empty when it is loaded and passed its self-test. */
    static Optional<String> unavailable() {
        return Optional.ofNullable(UNAVAILABLE);
    }

    static void inflateInit(MemorySegment state) {
        try {
            INFLATE_INIT.invokeExact(state);
        } catch (Throwable t) {
            throw new IllegalStateException("isal_inflate_init", t);
        }
    }

    static int inflate(MemorySegment state) {
        try {
            return (int) INFLATE.invokeExact(state);
        } catch (Throwable t) {
            throw new IllegalStateException("isal_inflate", t);
        }
    }

    /** ISA-L's name for an isal_inflate error code. */
    static String error(int code) {
        return switch (code) {
            case -1 -> "invalid deflate block";
            case -2 -> "invalid deflate symbol";
            case -3 -> "invalid lookback distance";
            case -4 -> "invalid wrapper";
            case -5 -> "unsupported method";
            case -6 -> "incorrect checksum";
            default -> "isal_inflate error " + code;
        };
    }

    /**
     * Inflates the raw deflate body of {@code gzip -n} of "strata\n" and checks output and CRC, so
     * that a wrong struct layout shows here and not in a layer.
     */
    private static String selfTest() {
        byte[] body = {0x2b, 0x2e, 0x29, 0x4a, 0x2c, 0x49, (byte) 0xe4, 0x02, 0x00};
        byte[] expected = "strata\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE_SIZE, STATE_ALIGN);
            MemorySegment in = arena.allocate(body.length);
            MemorySegment out = arena.allocate(64);
            MemorySegment.copy(body, 0, in, JAVA_BYTE, 0, body.length);
            inflateInit(state);
            state.set(JAVA_INT, CRC_FLAG, ISAL_GZIP_NO_HDR);
            state.set(ADDRESS, NEXT_IN, in);
            state.set(JAVA_INT, AVAIL_IN, body.length);
            state.set(ADDRESS, NEXT_OUT, out);
            state.set(JAVA_INT, AVAIL_OUT, (int) out.byteSize());
            int ret = inflate(state);
            int produced = (int) out.byteSize() - state.get(JAVA_INT, AVAIL_OUT);
            byte[] got = out.asSlice(0, Math.max(0, produced)).toArray(JAVA_BYTE);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(expected);
            if (ret != 0 || state.get(JAVA_INT, BLOCK_STATE) != ISAL_BLOCK_FINISH
                    || !java.util.Arrays.equals(got, expected) || state.get(JAVA_INT, CRC) != (int) crc.getValue()
                    || state.get(JAVA_INT, AVAIL_IN) + state.get(JAVA_INT, READ_IN_LENGTH) / 8 != 0) {
                return LIBRARY + " failed its self-test (ret " + ret + ", " + produced
                        + " bytes out): struct inflate_state does not have the layout of ISA-L 2.30";
            }
            return null;
        } catch (RuntimeException e) {
            return LIBRARY + " failed its self-test: " + e;
        }
    }
}

package io.strata.codec.compress;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.zip.DataFormatException;

/**
 * The fast engine: ISA-L's {@code isal_inflate} (hand-written AVX2/AVX-512 decoding, CRC-32 with
 * carry-less multiply) on native buffers. Input is copied in and output copied out a buffer at a
 * time; both copies are memcpy-speed next to decoding. Native memory lives in one shared arena,
 * freed by {@link #close()}, or by a cleaner if the stream is dropped unclosed. The engine may be
 * used from any one thread at a time.
 */
final class IsalDeflateEngine implements DeflateEngine {
    static final String NAME = "isa-l";

    private static final Cleaner CLEANER = Cleaner.create();

    private final Arena arena;
    private final Cleaner.Cleanable cleanable;
    private final MemorySegment state;
    private final MemorySegment in;
    private final MemorySegment out;
    private int outPos;
    private int outLimit;
    private boolean inputDone = true;
    private boolean decoded;

    IsalDeflateEngine(int bufferSize) {
        Isal.unavailable().ifPresent(why -> {
            throw new IllegalStateException(why);
        });
        arena = Arena.ofShared();
        cleanable = CLEANER.register(this, arena::close);
        state = arena.allocate(Isal.STATE_SIZE, Isal.STATE_ALIGN);
        in = arena.allocate(bufferSize, 64);
        out = arena.allocate(bufferSize, 64);
        reset();
    }

    @Override
    public int inputCapacity() {
        return (int) in.byteSize();
    }

    @Override
    public void reset() {
        Isal.inflateInit(state);
        state.set(JAVA_INT, Isal.CRC_FLAG, Isal.ISAL_GZIP_NO_HDR);
        state.set(JAVA_INT, Isal.HIST_BITS, 0); // full 32 KiB window
        outPos = 0;
        outLimit = 0;
        inputDone = true;
        decoded = false;
    }

    @Override
    public void setInput(byte[] b, int off, int len) {
        if (len > in.byteSize()) {
            throw new IllegalArgumentException("input of " + len + " bytes over the capacity " + in.byteSize());
        }
        MemorySegment.copy(b, off, in, JAVA_BYTE, 0, len);
        state.set(ADDRESS, Isal.NEXT_IN, in);
        state.set(JAVA_INT, Isal.AVAIL_IN, len);
        inputDone = len == 0;
    }

    @Override
    public int inflate(byte[] b, int off, int len) throws DataFormatException {
        if (outPos == outLimit) {
            if (decoded || inputDone) {
                return 0;
            }
            decode();
        }
        int n = Math.min(len, outLimit - outPos);
        MemorySegment.copy(out, JAVA_BYTE, outPos, b, off, n);
        outPos += n;
        return n;
    }

    /** Runs isal_inflate once over the whole output buffer. */
    private void decode() throws DataFormatException {
        int availIn = state.get(JAVA_INT, Isal.AVAIL_IN);
        int capacity = (int) out.byteSize();
        state.set(ADDRESS, Isal.NEXT_OUT, out);
        state.set(JAVA_INT, Isal.AVAIL_OUT, capacity);
        int ret = Isal.inflate(state);
        if (ret < 0) {
            throw new DataFormatException(Isal.error(ret));
        }
        outPos = 0;
        outLimit = capacity - state.get(JAVA_INT, Isal.AVAIL_OUT);
        int leftIn = state.get(JAVA_INT, Isal.AVAIL_IN);
        if (state.get(JAVA_INT, Isal.BLOCK_STATE) == Isal.ISAL_BLOCK_FINISH) {
            decoded = true;
        } else if (outLimit < capacity) {
            // isal_inflate returns with room left in the output only when it ran out of input
            if (leftIn != 0 && (leftIn == availIn && outLimit == 0)) {
                throw new DataFormatException("isal_inflate made no progress with " + leftIn + " bytes of input");
            }
            inputDone = leftIn == 0;
        }
    }

    @Override
    public boolean needsInput() {
        return inputDone && !decoded && outPos == outLimit;
    }

    @Override
    public boolean finished() {
        return decoded && outPos == outLimit;
    }

    @Override
    public int remaining() {
        // whole bytes still in ISA-L's 64-bit bit buffer were read from the input but not used
        return state.get(JAVA_INT, Isal.AVAIL_IN) + Math.max(0, state.get(JAVA_INT, Isal.READ_IN_LENGTH)) / 8;
    }

    @Override
    public int crc() {
        return state.get(JAVA_INT, Isal.CRC);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void close() {
        cleanable.clean();
    }
}

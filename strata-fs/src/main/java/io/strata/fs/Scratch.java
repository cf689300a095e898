package io.strata.fs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;

/**
 * Per-thread native memory for syscall arguments: a bump allocator over one reusable block, so
 * that the hot paths (tree copy, disk usage) do not malloc for every path. Allocation happens
 * inside a {@link Frame}; closing the frame releases everything allocated in it. Frames nest in
 * LIFO order. Requests that do not fit go to a confined arena owned by the frame.
 */
final class Scratch {
    private static final long SIZE = 192 * 1024;
    private static final ThreadLocal<Scratch> CURRENT = ThreadLocal.withInitial(Scratch::new);

    /** Where the linker stores errno after each downcall made by this thread. */
    final MemorySegment capture;
    private final MemorySegment block;
    private long top;

    private Scratch() {
        Arena arena = Arena.ofAuto();
        capture = arena.allocate(LibC.CAPTURE_SIZE, LibC.CAPTURE_ALIGN);
        block = arena.allocate(SIZE, 16);
    }

    static Scratch get() {
        return CURRENT.get();
    }

    static Frame frame() {
        return new Frame(CURRENT.get());
    }

    static final class Frame implements SegmentAllocator, AutoCloseable {
        private final Scratch scratch;
        private final long mark;
        private Arena overflow;

        private Frame(Scratch scratch) {
            this.scratch = scratch;
            this.mark = scratch.top;
        }

        /** Zero-filled memory. */
        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            return raw(byteSize, byteAlignment).fill((byte) 0);
        }

        /** Memory with undefined contents, for buffers the kernel fills. */
        MemorySegment raw(long byteSize, long byteAlignment) {
            long start = (scratch.top + byteAlignment - 1) & -byteAlignment;
            if (start + byteSize <= SIZE) {
                scratch.top = start + byteSize;
                return scratch.block.asSlice(start, byteSize);
            }
            if (overflow == null) {
                overflow = Arena.ofConfined();
            }
            return overflow.allocate(byteSize, byteAlignment);
        }

        MemorySegment raw(long byteSize) {
            return raw(byteSize, 8);
        }

        /** A NUL-terminated copy of {@code bytes}. */
        MemorySegment cstr(byte[] bytes) {
            MemorySegment s = raw(bytes.length + 1L, 1);
            MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
            s.set(ValueLayout.JAVA_BYTE, bytes.length, (byte) 0);
            return s;
        }

        MemorySegment cstr(String s) {
            return cstr(NativePath.bytes(s));
        }

        @Override
        public void close() {
            scratch.top = mark;
            if (overflow != null) {
                overflow.close();
            }
        }
    }
}

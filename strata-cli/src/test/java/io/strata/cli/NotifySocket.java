package io.strata.cli;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The receiving end of {@code sd_notify}, as systemd holds it: a unix datagram socket bound at a
 * path, read with a timeout. The JDK has no unix datagram sockets, so this speaks FFM.
 */
@SuppressWarnings("restricted")
final class NotifySocket implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SOCKET = handle("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle BIND = handle("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SETSOCKOPT = handle("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle RECV = handle("recv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle CLOSE = handle("close", JAVA_INT, JAVA_INT);
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;

    private final Arena arena = Arena.ofShared();
    private final int fd;
    final Path path;

    private static MethodHandle handle(String name, java.lang.foreign.MemoryLayout ret, java.lang.foreign.MemoryLayout... args) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), FunctionDescriptor.of(ret, args));
    }

    NotifySocket(Path path) throws Throwable {
        this.path = path;
        fd = (int) SOCKET.invokeExact(1, 2, 0); // AF_UNIX, SOCK_DGRAM
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        MemorySegment addr = arena.allocate(110, 2);
        addr.set(JAVA_SHORT, 0, (short) 1);
        MemorySegment.copy(p, 0, addr, JAVA_BYTE, 2, p.length);
        if ((int) BIND.invokeExact(fd, addr, 2 + p.length + 1) != 0) {
            throw new IllegalStateException("bind " + path + " failed");
        }
    }

    /** The next datagram, or empty if none arrives within {@code timeout}. */
    Optional<String> receive(Duration timeout) throws Throwable {
        MemorySegment tv = arena.allocate(16, 8);
        tv.set(JAVA_LONG, 0, timeout.toSeconds());
        tv.set(JAVA_LONG, 8, timeout.toMillisPart() * 1000L);
        int ignored = (int) SETSOCKOPT.invokeExact(fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16);
        MemorySegment buf = arena.allocate(4096);
        long n = (long) RECV.invokeExact(fd, buf, 4096L, 0);
        if (n < 0) {
            return Optional.empty();
        }
        return Optional.of(new String(buf.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws Exception {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new Exception(t);
        }
        arena.close();
    }
}

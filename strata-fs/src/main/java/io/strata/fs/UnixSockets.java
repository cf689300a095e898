package io.strata.fs;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * The two socket calls the JDK lacks, for talking to a service manager: sending one datagram on
 * a unix socket ({@code sd_notify}'s {@code NOTIFY_SOCKET}, a path or an abstract name written
 * {@code @name}), and moving an inherited descriptor ({@code LISTEN_FDS}' fd 3) to another number.
 * Kept apart from the file-system calls so that a daemon can notify before it loads them.
 *
 * <p>Thread-safe; every call allocates its own native memory and reads errno right after the call.
 */
@SuppressWarnings("restricted") // FFM downcalls: the module's door to native code for sockets
public final class UnixSockets {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int MSG_NOSIGNAL = 0x4000;
    /** sizeof(struct sockaddr_un): sa_family_t then 108 bytes of path. */
    private static final int SOCKADDR_UN_SIZE = 110;
    private static final int SUN_PATH_MAX = 108;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final VarHandle ERRNO_VALUE = Linker.Option.captureStateLayout()
            .varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = handle("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SENDTO = handle("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT,
            ADDRESS, JAVA_INT);
    private static final MethodHandle DUP2 = handle("dup2", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle CLOSE = handle("close", JAVA_INT, JAVA_INT);

    private UnixSockets() {
    }

    private static MethodHandle handle(String name, MemoryLayout ret, MemoryLayout... args) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, FunctionDescriptor.of(ret, args), ERRNO);
    }

    /**
     * Sends {@code message} as one datagram to the unix socket {@code address}: a file path, or an
     * abstract socket name when it starts with {@code @}.
     *
     * @throws ErrnoException           if the socket cannot be made or the datagram not sent
     * @throws IllegalArgumentException if the address is empty or longer than a socket path may be
     */
    public static void sendDatagram(String address, byte[] message) throws ErrnoException {
        byte[] path = address.getBytes(StandardCharsets.UTF_8);
        if (path.length == 0 || path.length >= SUN_PATH_MAX) {
            throw new IllegalArgumentException("unix socket address must be 1 to 107 bytes: \"" + address + "\"");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(Linker.Option.captureStateLayout());
            MemorySegment sockaddr = arena.allocate(SOCKADDR_UN_SIZE, 2);
            sockaddr.set(JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(path, 0, sockaddr, JAVA_BYTE, 2, path.length);
            if (path[0] == '@') {
                sockaddr.set(JAVA_BYTE, 2, (byte) 0); // abstract namespace: a leading NUL, no terminator
            }
            // An abstract name's length is exact; a path's includes its terminating NUL.
            int addrLen = 2 + path.length + (path[0] == '@' ? 0 : 1);
            MemorySegment payload = arena.allocate(Math.max(1, message.length));
            MemorySegment.copy(message, 0, payload, JAVA_BYTE, 0, message.length);
            int fd = (int) SOCKET.invokeExact(errno, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new ErrnoException("socket AF_UNIX SOCK_DGRAM", null, errno(errno));
            }
            try {
                long sent = (long) SENDTO.invokeExact(errno, fd, payload, (long) message.length, MSG_NOSIGNAL,
                        sockaddr, addrLen);
                if (sent < 0) {
                    throw new ErrnoException("sendto", address, errno(errno));
                }
            } finally {
                int ignored = (int) CLOSE.invokeExact(errno, fd);
            }
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Makes {@code target} a copy of descriptor {@code source} ({@code dup2}) and closes
     * {@code source}: the descriptor is then reachable only under its new number.
     */
    public static void moveDescriptor(int source, int target) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(Linker.Option.captureStateLayout());
            if ((int) DUP2.invokeExact(errno, source, target) < 0) {
                throw new ErrnoException("dup2 " + source + " " + target, null, errno(errno));
            }
            if (source != target) {
                int ignored = (int) CLOSE.invokeExact(errno, source);
            }
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO_VALUE.get(capture, 0L);
    }
}

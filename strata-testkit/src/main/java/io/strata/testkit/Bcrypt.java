package io.strata.testkit;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * bcrypt password hashes, the only kind docker-registry's htpasswd file accepts, from libxcrypt's
 * {@code crypt(3)} ({@code libcrypt.so.1}, in every Debian system) so that the tests need neither
 * {@code htpasswd} (apache2-utils) nor a bcrypt library.
 */
final class Bcrypt {
    private static final MethodHandle GENSALT;
    private static final MethodHandle CRYPT;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup("libcrypt.so.1", Arena.global());
        GENSALT = linker.downcallHandle(lib.find("crypt_gensalt").orElseThrow(), FunctionDescriptor.of(
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        CRYPT = linker.downcallHandle(lib.find("crypt").orElseThrow(), FunctionDescriptor.of(
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    }

    private Bcrypt() {
    }

    /**
     * {@code $2b$05$…} with a random salt. Cost 5 keeps it cheap: the registry checks the hash on
     * every request. Synchronized: crypt_gensalt and crypt return static buffers.
     */
    static synchronized String hash(String password) {
        try (Arena arena = Arena.ofConfined()) {
            // A NULL random-bytes argument makes libxcrypt draw the salt from the OS.
            MemorySegment salt = (MemorySegment) GENSALT.invokeExact(arena.allocateFrom("$2b$"), 5L, MemorySegment.NULL, 0);
            if (salt.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("libcrypt's crypt_gensalt does not know bcrypt ($2b$)");
            }
            MemorySegment hashed = (MemorySegment) CRYPT.invokeExact(arena.allocateFrom(password),
                    salt.reinterpret(128));
            String out = hashed.equals(MemorySegment.NULL) ? "" : hashed.reinterpret(128).getString(0);
            if (!out.startsWith("$2b$")) {
                throw new IllegalStateException("libcrypt did not make a bcrypt hash: \"" + out + "\"");
            }
            return out;
        } catch (Throwable t) {
            throw t instanceof RuntimeException re ? re : new IllegalStateException("crypt(3) failed", t);
        }
    }
}

package io.strata.codec.digest;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Downcalls into OpenSSL's libcrypto ({@code libcrypto.so.3}, Debian package {@code libssl3}) for
 * SHA-256 through the EVP interface, which picks the CPU's SHA extensions when it has them.
 * {@code EVP_DigestUpdate} takes the caller's heap array directly (a critical downcall: no copy);
 * it runs for well under a millisecond per call at the chunk sizes streams use.
 */
@SuppressWarnings("restricted") // this class is the package's one door to native code
final class LibCrypto {
    /** Which library to load; a test points it at a missing one to check the fallback. */
    static final String LIBRARY = System.getProperty("strata.libcrypto.library", "libcrypto.so.3");
    private static final MethodHandle CTX_NEW;
    private static final MethodHandle CTX_FREE;
    private static final MethodHandle CTX_COPY;
    private static final MethodHandle INIT;
    private static final MethodHandle UPDATE;
    private static final MethodHandle FINAL;
    private static final MemorySegment SHA256_MD;
    private static final String UNAVAILABLE;

    static {
        MethodHandle sha = null, ctxNew = null, ctxFree = null, ctxCopy = null, init = null, update = null, fin = null;
        MemorySegment md = MemorySegment.NULL;
        String why = null;
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup lib = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
            sha = linker.downcallHandle(lib.findOrThrow("EVP_sha256"), FunctionDescriptor.of(ADDRESS));
            ctxNew = linker.downcallHandle(lib.findOrThrow("EVP_MD_CTX_new"), FunctionDescriptor.of(ADDRESS));
            ctxFree = linker.downcallHandle(lib.findOrThrow("EVP_MD_CTX_free"), FunctionDescriptor.ofVoid(ADDRESS));
            ctxCopy = linker.downcallHandle(lib.findOrThrow("EVP_MD_CTX_copy_ex"),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
            init = linker.downcallHandle(lib.findOrThrow("EVP_DigestInit_ex"),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
            update = linker.downcallHandle(lib.findOrThrow("EVP_DigestUpdate"),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), Linker.Option.critical(true));
            fin = linker.downcallHandle(lib.findOrThrow("EVP_DigestFinal_ex"),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
            md = (MemorySegment) sha.invokeExact();
            if (md.equals(MemorySegment.NULL)) {
                why = LIBRARY + " has no SHA-256";
            }
        } catch (Throwable e) {
            why = LIBRARY + " cannot be loaded: " + e.getMessage();
        }
        CTX_NEW = ctxNew;
        CTX_FREE = ctxFree;
        CTX_COPY = ctxCopy;
        INIT = init;
        UPDATE = update;
        FINAL = fin;
        SHA256_MD = md;
        UNAVAILABLE = why == null ? selfTest() : why;
    }

    private LibCrypto() {
    }

    /** Why libcrypto is not used, or empty when it is loaded and passed its self-test. */
    static Optional<String> unavailable() {
        return Optional.ofNullable(UNAVAILABLE);
    }

    /** A new context, initialised for SHA-256. */
    static MemorySegment newSha256() {
        try {
            MemorySegment ctx = (MemorySegment) CTX_NEW.invokeExact();
            if (ctx.equals(MemorySegment.NULL)) {
                throw new OutOfMemoryError("EVP_MD_CTX_new");
            }
            reset(ctx);
            return ctx;
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("EVP_MD_CTX_new", t);
        }
    }

    static void reset(MemorySegment ctx) {
        check((int) call(() -> (int) INIT.invokeExact(ctx, SHA256_MD, MemorySegment.NULL)), "EVP_DigestInit_ex");
    }

    static void update(MemorySegment ctx, MemorySegment data) {
        check((int) call(() -> (int) UPDATE.invokeExact(ctx, data, data.byteSize())), "EVP_DigestUpdate");
    }

    /** Writes the 32-byte digest to {@code out}; the context must be reset before it is used again. */
    static void finish(MemorySegment ctx, MemorySegment out) {
        check((int) call(() -> (int) FINAL.invokeExact(ctx, out, MemorySegment.NULL)), "EVP_DigestFinal_ex");
    }

    /** A new context in the state of {@code ctx}. */
    static MemorySegment copy(MemorySegment ctx) {
        MemorySegment to = newSha256();
        check((int) call(() -> (int) CTX_COPY.invokeExact(to, ctx)), "EVP_MD_CTX_copy_ex");
        return to;
    }

    static void free(MemorySegment ctx) {
        call(() -> {
            CTX_FREE.invokeExact(ctx);
            return 0;
        });
    }

    private interface Call {
        Object run() throws Throwable;
    }

    private static Object call(Call c) {
        try {
            return c.run();
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void check(int ok, String what) {
        if (ok != 1) {
            throw new IllegalStateException(what + " failed");
        }
    }

    /** SHA-256 of "abc" (FIPS 180-2's first example), so a library that misbehaves is never used. */
    private static String selfTest() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = newSha256();
            try {
                update(ctx, MemorySegment.ofArray("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                MemorySegment out = arena.allocate(32);
                finish(ctx, out);
                String hex = HexFormat.of().formatHex(out.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                return hex.equals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") ? null
                        : LIBRARY + " computed a wrong SHA-256 in its self-test";
            } finally {
                free(ctx);
            }
        } catch (RuntimeException e) {
            return LIBRARY + " failed its self-test: " + e.getMessage();
        }
    }
}

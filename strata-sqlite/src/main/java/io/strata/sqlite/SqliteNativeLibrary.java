package io.strata.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;
import java.util.jar.JarEntry;

/**
 * Gives sqlite-jdbc its native library without the work it does by default in every process:
 * copying the library out of the jar under a fresh random name, comparing it byte for byte, and
 * running {@code uname} to learn the architecture (together about a tenth of a second, every
 * start). Instead the library is unpacked once into a cache directory under a name made of the
 * jar entry's CRC and size, and later processes only check that the file is there with that size.
 * Then {@code org.sqlite.lib.path} and {@code org.sqlite.lib.name} point sqlite-jdbc at it.
 *
 * <p>Anything unexpected (not Linux on x86_64/aarch64, the library not in a jar, a read-only
 * cache) leaves sqlite-jdbc's own loading in place: slower, never broken.
 */
final class SqliteNativeLibrary {
    static final String PATH_PROPERTY = "org.sqlite.lib.path";
    static final String NAME_PROPERTY = "org.sqlite.lib.name";

    private SqliteNativeLibrary() {
    }

    /** Points sqlite-jdbc at a cached copy under {@code cacheDir}, unless the properties are set already. */
    static synchronized void useCacheIn(Path cacheDir) {
        if (System.getProperty(PATH_PROPERTY) != null) {
            return;
        }
        resource().flatMap(url -> cached(url, cacheDir)).ifPresent(lib -> {
            System.setProperty(PATH_PROPERTY, lib.getParent().toString());
            System.setProperty(NAME_PROPERTY, lib.getFileName().toString());
        });
    }

    private static Optional<URL> resource() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Optional.empty();
        }
        String arch = switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> "";
        };
        if (arch.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(SqliteNativeLibrary.class.getResource("/org/sqlite/native/Linux/" + arch + "/libsqlitejdbc.so"));
    }

    private static Optional<Path> cached(URL url, Path cacheDir) {
        try {
            URLConnection conn = url.openConnection();
            if (!(conn instanceof JarURLConnection jar)) {
                return Optional.empty();
            }
            JarEntry entry = jar.getJarEntry();
            if (entry.getCrc() < 0 || entry.getSize() < 0) {
                return Optional.empty();
            }
            Path lib = cacheDir.resolve("libsqlitejdbc-%08x-%d.so".formatted(entry.getCrc(), entry.getSize()));
            if (Files.isRegularFile(lib) && Files.size(lib) == entry.getSize()) {
                return Optional.of(lib);
            }
            Files.createDirectories(cacheDir);
            // Unpacked under a temporary name and renamed: a concurrent process sees all of it or nothing.
            Path tmp = Files.createTempFile(cacheDir, ".libsqlitejdbc-", ".tmp");
            try (InputStream in = jar.getInputStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return Files.size(lib) == entry.getSize() ? Optional.of(lib) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}

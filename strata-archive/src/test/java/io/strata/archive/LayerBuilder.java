package io.strata.archive;

import io.strata.codec.tar.EntryType;
import io.strata.codec.tar.Latin1;
import io.strata.codec.tar.TarEntry;
import io.strata.codec.tar.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Builds small layer tars in memory with Strata's writer. */
final class LayerBuilder {
    static final Instant T = Instant.ofEpochSecond(1_700_000_000L);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarWriter tar = new TarWriter(bytes);

    LayerBuilder dir(String name) {
        return add(TarEntry.of(Latin1.fromText(name), EntryType.DIRECTORY, 0755, 0, 0, 0, T, ""), null);
    }

    LayerBuilder file(String name, String content) {
        byte[] c = content.getBytes(StandardCharsets.UTF_8);
        return add(TarEntry.of(Latin1.fromText(name), EntryType.REGULAR, 0644, 0, 0, c.length, T, ""), c);
    }

    LayerBuilder symlink(String name, String target) {
        return add(TarEntry.of(Latin1.fromText(name), EntryType.SYMLINK, 0777, 0, 0, 0, T, Latin1.fromText(target)), null);
    }

    LayerBuilder hardlink(String name, String target) {
        return add(TarEntry.of(Latin1.fromText(name), EntryType.HARDLINK, 0644, 0, 0, 0, T, Latin1.fromText(target)), null);
    }

    LayerBuilder entry(TarEntry e, byte[] content) {
        return add(e, content);
    }

    private LayerBuilder add(TarEntry e, byte[] content) {
        try {
            tar.putEntry(e);
            if (content != null) {
                tar.write(content, 0, content.length);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return this;
    }

    byte[] bytes() {
        try {
            tar.finish();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    InputStream stream() {
        return new ByteArrayInputStream(bytes());
    }
}

package io.strata.daemon;

import io.strata.api.InternalException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The daemon's UUID, which containerd's Introspection service answers and {@code ctr version}
 * prints: made once per state root and kept in {@code <root>/uuid}, as containerd keeps its own,
 * so a restarted daemon is recognisably the same server. Call while holding the {@link StateRootLock}.
 */
public final class ServerUuid {
    static final String FILE = "uuid";

    private ServerUuid() {
    }

    /** The UUID of {@code stateRoot}, made on first use and stored (a temporary file, flushed, renamed into place). */
    public static String of(Path stateRoot) {
        Path file = stateRoot.resolve(FILE);
        try {
            if (Files.exists(file)) {
                String stored = Files.readString(file, StandardCharsets.US_ASCII).strip();
                try {
                    return UUID.fromString(stored).toString();
                } catch (IllegalArgumentException damaged) {
                    // replaced below: it only names the server
                }
            }
            String id = UUID.randomUUID().toString();
            Path temp = stateRoot.resolve("." + FILE + ".tmp");
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII)));
                ch.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return id;
        } catch (IOException e) {
            throw new InternalException("cannot keep the server's uuid in " + file + ": " + e.getMessage(), e);
        }
    }
}

package io.strata.backend.crash;

import io.strata.api.Snapshotter;
import io.strata.backend.Backends;
import io.strata.fs.Mounter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The child process of {@link KillNineTest}: prepares, writes, commits and removes snapshots in a
 * loop, printing a line after each call returns, until it is killed with SIGKILL.
 * Args: backend, state root, seed.
 */
public final class CrashWorkload {
    public static void main(String[] args) throws Exception {
        String backend = args[0];
        Path root = Path.of(args[1]);
        Random rnd = new Random(Long.parseLong(args[2]));
        try (Snapshotter sn = Backends.open(backend, root)) {
            String parent = "";
            for (int i = 0; ; i++) {
                String key = "w" + args[2] + "-" + i;
                var mounts = sn.prepare(key + "-active", parent);
                Path mnt = Files.createTempDirectory("crash-mnt");
                Mounter.mountAll(mounts, mnt);
                byte[] data = new byte[1 + rnd.nextInt(64 * 1024)];
                rnd.nextBytes(data);
                Files.write(mnt.resolve("file-" + i), data);
                Mounter.unmountAll(mnt);
                Files.delete(mnt);
                sn.commit(key, key + "-active");
                System.out.println("committed " + key + " " + data.length);
                if (i % 5 == 4 && !parent.isEmpty()) {
                    sn.prepare(key + "-scratch", key);
                    sn.remove(key + "-scratch");
                    System.out.println("removed " + key + "-scratch");
                }
                parent = key;
            }
        }
    }
}

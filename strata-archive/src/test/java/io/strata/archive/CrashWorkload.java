package io.strata.archive;

import io.strata.api.SnapshotOption;
import io.strata.api.Snapshotter;
import io.strata.backend.Backends;
import io.strata.backend.block.BlockSnapshotter;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;

/**
 * The child process of {@link CrashPointTest}: unpacks generated layers as an unpacker does
 * (prepare, apply, commit), and now and then prepares and removes a scratch snapshot and runs
 * cleanup, printing a line after each call returns, until it dies at a crash point or by SIGKILL.
 * Args: backend, state root, seed.
 */
public final class CrashWorkload {
    /** 12 GiB: more than the block template's 10 GiB, so a scratch prepare grows its image. */
    private static final String SCRATCH_BYTES = Long.toString(12L << 30);

    public static void main(String[] args) throws Exception {
        String backend = args[0];
        Random rnd = new Random(Long.parseLong(args[2]));
        try (Snapshotter sn = Backends.open(backend, java.nio.file.Path.of(args[1]))) {
            String parent = "";
            for (int i = 0; ; i++) {
                String key = "L" + args[2] + "-" + i;
                var mounts = sn.prepare(key + "-extract", parent);
                byte[] data = new byte[1 + rnd.nextInt(300 * 1024)];
                rnd.nextBytes(data);
                LayerBuilder layer = new LayerBuilder().dir("d" + i);
                for (int f = 0; f < 3; f++) {
                    layer.file("d" + i + "/small-" + f, "x".repeat(rnd.nextInt(5000)));
                }
                layer.entry(io.strata.codec.tar.TarEntry.of(io.strata.codec.tar.Latin1.fromText("layer-" + i),
                        io.strata.codec.tar.EntryType.REGULAR, 0644, 0, 0, data.length, LayerBuilder.T, ""), data);
                Layers.apply(mounts, layer.stream(), ApplyOptions.DEFAULTS);
                System.out.println("applied " + key);
                sn.commit(key, key + "-extract");
                System.out.println("committed " + key + " " + HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(data)));
                if (i % 3 == 2) {
                    // A size label makes the block backend grow the new image (other backends keep it as a label).
                    sn.prepare(key + "-scratch", key, SnapshotOption.labels(Map.of(BlockSnapshotter.SIZE_BYTES_LABEL, SCRATCH_BYTES)));
                    sn.remove(key + "-scratch");
                    System.out.println("removed " + key + "-scratch");
                    // What a crashed prepare leaves, so that cleanup has orphans to remove.
                    for (int o = 0; o < 2; o++) {
                        java.nio.file.Path orphan = java.nio.file.Path.of(args[1], backend, "snapshots", "new-planted-" + i + "-" + o);
                        java.nio.file.Files.createDirectories(orphan.resolve("fs"));
                        java.nio.file.Files.write(orphan.resolve("fs").resolve("half"), data);
                    }
                    sn.cleanup();
                    System.out.println("cleaned");
                }
                parent = key;
            }
        }
    }
}

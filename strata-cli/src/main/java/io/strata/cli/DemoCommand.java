package io.strata.cli;

import io.strata.api.Info;
import io.strata.api.Mount;
import io.strata.api.Snapshotter;
import io.strata.api.Usage;
import io.strata.fs.Mounter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code strata demo}: Strata's main job end to end on the embedded defaults. Builds a two-layer
 * image stack as an unpacker would (prepare, write, commit), prepares a container's writable
 * snapshot on it, mounts it for real, shows what the container sees, and cleans up.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Build a layer stack, mount a container root file system on it, show it, clean up.")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    StoreOptions store;
    @Option(names = "--keep", description = "Keep the demo snapshots (see them with 'strata snapshots tree').")
    boolean keep;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String run = "demo-" + Long.toString(System.currentTimeMillis(), 36);
        out.printf("strata demo: snapshotter %s, root %s%n", store.snapshotter, store.root.toAbsolutePath());
        try (Snapshotter sn = store.open()) {
            String l1 = layer(sn, out, run, 1, "", root -> {
                Files.createDirectories(root.resolve("etc"));
                Files.writeString(root.resolve("etc/os-release"), "NAME=\"Strata demo\"\n");
                Files.writeString(root.resolve("etc/motd"), "layer 1 says hello\n");
                Files.createDirectories(root.resolve("bin"));
                Files.writeString(root.resolve("bin/tool"), "#!/bin/sh\necho tool\n");
            });
            String l2 = layer(sn, out, run, 2, l1, root -> {
                Files.delete(root.resolve("etc/motd"));
                Files.writeString(root.resolve("etc/hostname"), "strata\n");
            });
            String container = run + "/container";
            long t0 = System.nanoTime();
            List<Mount> mounts = sn.prepare(container, l2);
            out.printf("prepared container snapshot %s on %s in %.1f ms; mounts:%n", container, l2, ms(t0));
            SnapshotsCommand.printMounts(out, mounts, "<rootfs>", false);
            Mounter.withMounted(mounts, rootfs -> {
                Files.writeString(rootfs.resolve("written-by-container"), "hi\n");
                out.println("the container sees:");
                try (var s = Files.walk(rootfs)) {
                    s.sorted().forEach(p -> out.println("  /" + rootfs.relativize(p)));
                }
                return null;
            });
            Usage u = sn.usage(container);
            out.printf("container layer usage: %d bytes, %d inodes%n", u.size(), u.inodes());
            if (!keep) {
                sn.remove(container);
                sn.remove(l2);
                sn.remove(l1);
                out.println("removed the demo snapshots (use --keep to keep them)");
            } else {
                for (Info i : sn.list("name~=\"^" + run + "\"")) {
                    out.printf("kept %s (%s)%n", i.name(), i.kind());
                }
            }
        }
        out.flush();
        return 0;
    }

    private interface Writer {
        void write(Path root) throws Exception;
    }

    private static String layer(Snapshotter sn, PrintWriter out, String run, int n, String parent, Writer w) throws Exception {
        String key = run + "/extract-" + n;
        String name = run + "/layer-" + n;
        long t0 = System.nanoTime();
        List<Mount> mounts = sn.prepare(key, parent);
        Mounter.withMounted(mounts, root -> {
            try {
                w.write(root);
            } catch (Exception e) {
                throw new java.io.IOException(e);
            }
            return null;
        });
        sn.commit(name, key);
        out.printf("layer %d: prepared, written and committed as %s in %.1f ms%n", n, name, ms(t0));
        return name;
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}

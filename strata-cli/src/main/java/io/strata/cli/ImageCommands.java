package io.strata.cli;

import io.strata.api.InvalidArgumentException;
import io.strata.api.Mount;
import io.strata.content.registry.PullListener;
import io.strata.fs.Mounter;
import io.strata.image.PullRequest;
import io.strata.image.Strata;
import io.strata.image.gc.GarbageCollector;
import io.strata.image.meta.ImageRecord;
import io.strata.image.unpack.Unpacker;
import io.strata.oci.Platform;
import io.strata.oci.PlatformMatcher;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata pull|import|images|rootfs|gc}: images on a local state root. */
final class ImageCommands {
    private ImageCommands() {}

    /** Options shared by the image commands: the local root, namespace and snapshotter. */
    static final class Where {
        @Option(names = "--root", defaultValue = "${env:STRATA_ROOT:-/var/lib/strata}",
                description = "State directory (default: ${DEFAULT-VALUE}).")
        Path root;
        @Option(names = {"--namespace", "-n"}, defaultValue = "${env:STRATA_NAMESPACE:-default}",
                description = "Namespace of the images (default: ${DEFAULT-VALUE}).")
        String namespace;
        @Option(names = {"--snapshotter", "-s"}, defaultValue = "${env:STRATA_SNAPSHOTTER:-overlayfs}",
                description = "Backend to unpack into: overlayfs, native or block (default: ${DEFAULT-VALUE}).")
        String snapshotter;

        Strata open() {
            return Strata.open(root.toAbsolutePath());
        }
    }

    /** What pull and import share about their unpack: quiet output, and discarding the unpacked layers' blobs. */
    static final class Unpacking {
        @Option(names = {"--quiet", "-q"}, description = "Print nothing but the result: the image's name and digest.")
        boolean quiet;
        @Option(names = "--discard-unpacked-layers", defaultValue = "${env:STRATA_DISCARD_UNPACKED_LAYERS:-false}",
                description = "Once unpacked, let the next 'strata gc' free the layer blobs; the snapshots stay"
                        + " (as containerd's discard_unpacked_layers; default: ${DEFAULT-VALUE}).")
        boolean discardLayers;

        /** Refuses discarding layers that {@code --no-unpack} leaves as the only copy. */
        void check(boolean noUnpack) {
            if (discardLayers && noUnpack) {
                throw new InvalidArgumentException("--discard-unpacked-layers needs an unpack: drop --no-unpack or it");
            }
        }
    }

    static PlatformMatcher platforms(String platform, boolean all) {
        if (all) {
            return PlatformMatcher.all();
        }
        return platform == null ? PlatformMatcher.host() : PlatformMatcher.only(Platform.parse(platform));
    }

    /** Tells {@code a}, then {@code b}. */
    static Unpacker.Listener both(Unpacker.Listener a, Unpacker.Listener b) {
        return new Unpacker.Listener() {
            @Override
            public void started(int index, String chainId) {
                a.started(index, chainId);
                b.started(index, chainId);
            }

            @Override
            public void finished(int index, Unpacker.Outcome outcome) {
                a.finished(index, outcome);
                b.finished(index, outcome);
            }

            @Override
            public void synced(long nanos) {
                a.synced(nanos);
                b.synced(nanos);
            }
        };
    }

    /** Prints one line per unpacked layer. */
    static Unpacker.Listener unpackLog(PrintWriter out) {
        return new Unpacker.Listener() {
            @Override
            public void finished(int index, Unpacker.Outcome o) {
                out.printf(Locale.ROOT, "layer %d %s %s%n", index, o.chainId(),
                        o.applied().map(r -> String.format(Locale.ROOT, "unpacked (%s, %d entries) in %.2f s",
                                r.compression(), r.entries(), o.nanos() / 1e9)).orElse("already unpacked"));
                out.flush();
            }
        };
    }

    @Command(name = "pull", mixinStandardHelpOptions = true, description = "Pull an image from a registry and unpack it.")
    static final class Pull implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Where where;
        @Parameters(index = "0", description = "Image reference, e.g. 127.0.0.1:5000/app:1 or docker.io/library/busybox:latest.")
        String reference;
        @Option(names = "--platform", description = "os/arch[/variant] to pull (default: this host).")
        String platform;
        @Option(names = "--all-platforms", description = "Pull every platform of an index.")
        boolean allPlatforms;
        @Option(names = "--plain-http", description = "Talk plain HTTP, not HTTPS, to the reference's registry (as ctr's --plain-http).")
        boolean plainHttp;
        @Option(names = "--plain-http-host", paramLabel = "HOST[:PORT]", split = ",", description = "Also talk plain HTTP to these"
                + " registry hosts (repeatable, or comma-separated), say one the registry redirects blob downloads to.")
        List<String> plainHttpHosts = List.of();
        @Option(names = "--max-concurrent-downloads", defaultValue = "3", description = "Parallel layer downloads (default: ${DEFAULT-VALUE}).")
        int parallel;
        @Option(names = "--no-unpack", description = "Only fetch the content.")
        boolean noUnpack;
        @Mixin
        Unpacking unpacking;
        @Option(names = "--timings", description = "Print, on stderr, where the time went: start-up, and per layer download, "
                + "inflate, digest, tar parsing, file writes, syncfs and commit.")
        boolean timings;

        @Override
        public Integer call() {
            PullTimings clock = timings ? new PullTimings() : null;
            PrintWriter out = spec.commandLine().getOut();
            unpacking.check(noUnpack);
            PullRequest request = PullRequest.of(where.namespace, reference).withPlatforms(platforms(platform, allPlatforms))
                    .withParallelism(parallel).withDiscardUnpackedLayers(unpacking.discardLayers);
            request = request.withPlainHttp(plainHttpHosts(this, request));
            // The per-layer lines wait until the progress rows are finished, so the two never interleave.
            java.io.StringWriter layerLines = new java.io.StringWriter();
            ImageRecord img;
            try (Strata strata = where.open();
                 PullProgress progress = new PullProgress(reference, PullProgress.Mode.of(unpacking.quiet), System.err)) {
                PullListener pulling = clock == null ? progress : clock.listening((PullListener) progress);
                Unpacker.Listener layers = both(progress, unpackLog(new PrintWriter(layerLines)));
                layers = clock == null ? layers : clock.listening(layers);
                // Layers are applied while they download (see Strata.pullAndUnpack).
                img = noUnpack ? strata.pull(request, pulling) : strata.pullAndUnpack(request, pulling, where.snapshotter, layers);
            }
            if (!unpacking.quiet) {
                out.print(layerLines);
            }
            out.println(img.name() + " " + img.digest());
            if (!noUnpack && !unpacking.quiet) {
                out.println("unpacked to " + where.snapshotter);
            }
            if (clock != null) {
                clock.print(spec.commandLine().getErr());
            }
            return 0;
        }
    }

    /** The registries a pull talks plain HTTP to; a reference given as a host is refused, naming the right option. */
    private static java.util.Set<String> plainHttpHosts(Pull pull, PullRequest request) {
        java.util.Set<String> hosts = new HashSet<>();
        for (String h : pull.plainHttpHosts) {
            if (h.isBlank() || h.contains("/") || h.contains("@")) {
                throw new InvalidArgumentException("--plain-http-host takes registry hosts (host[:port]), not \"" + h + "\"; to pull "
                        + "an image from a plain-HTTP registry, give --plain-http and the reference: strata pull --plain-http " + h);
            }
            hosts.add(h);
        }
        if (pull.plainHttp) {
            hosts.add(request.reference().domain());
        }
        return hosts;
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import an OCI image layout (directory or tar) or a docker save archive, and unpack it.")
    static final class Import implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Where where;
        @Parameters(index = "0", description = "Archive or layout directory.")
        Path archive;
        @Option(names = "--name", description = "Name for an image the archive does not name.")
        String name;
        @Option(names = "--no-unpack", description = "Only import the content.")
        boolean noUnpack;
        @Mixin
        Unpacking unpacking;

        @Override
        public Integer call() {
            if (!Files.exists(archive)) {
                throw new InvalidArgumentException("archive " + archive + " does not exist");
            }
            unpacking.check(noUnpack);
            PrintWriter out = spec.commandLine().getOut();
            try (Strata strata = where.open()) {
                for (ImageRecord img : strata.importArchive(where.namespace, archive, Optional.ofNullable(name))) {
                    out.println(img.name() + " " + img.digest());
                    if (!noUnpack) {
                        java.io.StringWriter layerLines = new java.io.StringWriter();
                        String top;
                        try (PullProgress progress = new PullProgress(img.name(), PullProgress.Mode.of(unpacking.quiet), System.err)) {
                            top = strata.unpack(where.namespace, img.name(), where.snapshotter, PlatformMatcher.host(),
                                    both(progress, unpackLog(new PrintWriter(layerLines))));
                        }
                        if (unpacking.discardLayers) {
                            strata.discardUnpackedLayers(where.namespace, img.name(), where.snapshotter, PlatformMatcher.host());
                        }
                        if (!unpacking.quiet) {
                            out.print(layerLines);
                            out.println("unpacked to " + where.snapshotter + " " + top);
                        }
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "images", mixinStandardHelpOptions = true, description = "List, inspect, tag, label, check, export and remove images.",
            subcommands = {Images.Ls.class, Images.Rm.class, Images.Inspect.class, ImageTagging.Tag.class, ImageTagging.Label.class,
                    ImageCheckCommand.class, ImageExportCommand.class})
    static final class Images {
        @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the images of the namespace.")
        static final class Ls implements Callable<Integer> {
            @Spec
            CommandSpec spec;
            @Mixin
            Where where;
            @Option(names = {"-q", "--quiet"}, description = "Names only.")
            boolean quiet;

            @Override
            public Integer call() {
                PrintWriter out = spec.commandLine().getOut();
                try (Strata strata = where.open()) {
                    List<ImageRecord> images = strata.metadata().images(where.namespace);
                    if (quiet) {
                        images.forEach(i -> out.println(i.name()));
                        return 0;
                    }
                    out.printf("%-50s %-48s %-71s %s%n", "REF", "TYPE", "DIGEST", "SIZE");
                    for (ImageRecord i : images) {
                        out.printf(Locale.ROOT, "%-50s %-48s %-71s %d%n", i.name(), i.mediaType(), i.digest(), i.size());
                    }
                }
                return 0;
            }
        }

        @Command(name = "rm", mixinStandardHelpOptions = true,
                description = "Remove image records (their content and snapshots go at the next 'strata gc').")
        static final class Rm implements Callable<Integer> {
            @Mixin
            Where where;
            @Parameters(arity = "1..*", description = "Image names.")
            List<String> names;

            @Override
            public Integer call() {
                try (Strata strata = where.open()) {
                    for (String n : names) {
                        strata.metadata().deleteImage(where.namespace, n);
                    }
                }
                return 0;
            }
        }

        @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show an image record as JSON.")
        static final class Inspect implements Callable<Integer> {
            @Spec
            CommandSpec spec;
            @Mixin
            Where where;
            @Parameters(index = "0", description = "Image name.")
            String name;

            @Override
            public Integer call() {
                try (Strata strata = where.open()) {
                    ImageRecord i = strata.image(where.namespace, name);
                    spec.commandLine().getOut().println("{\"name\":" + Json.str(i.name()) + ",\"target\":{\"mediaType\":"
                            + Json.str(i.mediaType()) + ",\"digest\":" + Json.str(i.digest()) + ",\"size\":" + i.size()
                            + "},\"labels\":" + Json.labels(i.labels()) + ",\"createdAt\":" + Json.str(i.created().toString())
                            + ",\"updatedAt\":" + Json.str(i.updated().toString()) + "}");
                }
                return 0;
            }
        }
    }

    @Command(name = "rootfs", mixinStandardHelpOptions = true,
            description = "Prepare a snapshot on an image's top layer (unpacking it if needed) and mount it at TARGET.")
    static final class Rootfs implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Where where;
        @Parameters(index = "0", description = "Image name.")
        String image;
        @Parameters(index = "1", description = "Existing directory to mount on.")
        Path target;
        @Option(names = "--key", description = "Snapshot key (default: the target's absolute path).")
        String key;
        @Option(names = "--view", description = "A read-only view instead of a writable snapshot.")
        boolean view;
        @Option(names = "--platform", description = "os/arch[/variant] of a multi-platform image (default: this host).")
        String platform;

        @Override
        public Integer call() throws Exception {
            if (!Files.isDirectory(target)) {
                throw new InvalidArgumentException("mount target " + target + " is not a directory");
            }
            String k = key != null ? key : target.toAbsolutePath().toString();
            try (Strata strata = where.open()) {
                List<Mount> mounts = strata.rootfs(where.namespace, image, where.snapshotter, k, view, platforms(platform, false));
                Mounter.mountAll(mounts, target.toAbsolutePath());
                spec.commandLine().getOut().println("mounted " + image + " at " + target + " (snapshot \"" + k + "\")");
            }
            return 0;
        }
    }

    @Command(name = "gc", mixinStandardHelpOptions = true,
            description = "Remove content and snapshots that no image, lease or container snapshot needs.")
    static final class Gc implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Where where;
        @Option(names = "--dry-run", description = "Only list what would be removed.")
        boolean dryRun;

        @Override
        public Integer call() {
            try (Strata strata = where.open()) {
                GarbageCollector.Result r = strata.gc(dryRun);
                PrintWriter out = spec.commandLine().getOut();
                String verb = dryRun ? "would remove" : "removed";
                r.content().forEach(d -> out.println(verb + " content " + d));
                r.snapshots().forEach((sn, keys) -> keys.forEach(k -> out.println(verb + " snapshot " + sn + " " + k)));
                r.expiredLeases().forEach(l -> out.println(verb + " expired lease " + l));
                out.printf(Locale.ROOT, "%s %d blobs and %d snapshots in %d ms%n", verb, r.content().size(),
                        r.snapshots().values().stream().mapToInt(List::size).sum(), r.took().toMillis());
            }
            return 0;
        }
    }

}

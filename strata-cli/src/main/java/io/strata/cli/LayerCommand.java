package io.strata.cli;

import io.strata.api.FailedPreconditionException;
import io.strata.api.Info;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Kind;
import io.strata.api.Mount;
import io.strata.api.NotFoundException;
import io.strata.api.Snapshotter;
import io.strata.archive.ApplyOptions;
import io.strata.archive.ApplyResult;
import io.strata.archive.DiffResult;
import io.strata.archive.Layers;
import io.strata.codec.compress.Compression;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata layer apply|diff}: OCI layers into and out of snapshots. */
@Command(name = "layer", mixinStandardHelpOptions = true, description = "Apply a layer to a snapshot, or write a snapshot's changes as a layer.",
        subcommands = {LayerCommand.Apply.class, LayerCommand.Diff.class})
final class LayerCommand {

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Apply a layer (tar, gzip or zstd, detected) to an active snapshot and print its DiffID. "
                    + "The snapshot is not committed; on any error it is left for you to remove.")
    static final class Apply implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Parameters(index = "0", description = "Key of an active snapshot.")
        String key;
        @Parameters(index = "1", description = "Layer file, or - for standard input.")
        String file;
        @Option(names = "--diff-id", description = "Fail unless the uncompressed layer has this DiffID (sha256:…).")
        String diffId;
        @Option(names = "--digest", description = "Fail unless the layer file has this digest (sha256:…).")
        String digest;
        @Option(names = "--no-devices", description = "Refuse device entries.")
        boolean noDevices;
        @Option(names = "--json", description = "JSON output.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            ApplyOptions options = ApplyOptions.DEFAULTS.withAllowDevices(!noDevices);
            if (diffId != null) {
                options = options.withExpectedDiffId(diffId);
            }
            if (digest != null) {
                options = options.withExpectedDigest(digest);
            }
            try (Snapshotter sn = store.open()) {
                Info info = sn.stat(key);
                if (info.kind() != Kind.ACTIVE) {
                    throw new FailedPreconditionException("snapshot " + key + " is " + info.kind().toString().toLowerCase(Locale.ROOT)
                            + ": a layer can only be applied to an active snapshot");
                }
                List<Mount> mounts = sn.mounts(key);
                long total = file.equals("-") ? -1 : size(file);
                long start = System.nanoTime();
                ApplyResult r;
                try (InputStream in = open(file); ProgressLine progress = new ProgressLine("applying", total)) {
                    r = Layers.apply(mounts, in, options.withProgress(progress::update));
                }
                double secs = (System.nanoTime() - start) / 1e9;
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    out.println("{\"diffId\":" + Json.str(r.diffId()) + ",\"digest\":" + Json.str(r.digest())
                            + ",\"compression\":" + Json.str(r.compression()) + ",\"size\":" + r.compressedSize()
                            + ",\"uncompressedSize\":" + r.size() + ",\"entries\":" + r.entries() + "}");
                } else {
                    out.printf(Locale.ROOT, "%s%n  digest %s (%s, %d bytes; %d uncompressed), %d entries in %.2f s%n",
                            r.diffId(), r.digest(), r.compression(), r.compressedSize(), r.size(), r.entries(), secs);
                }
            }
            return 0;
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "Write the changes of an active or committed snapshot over its parent as a layer.")
    static final class Diff implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Parameters(index = "0", description = "Key of an active or committed snapshot.")
        String key;
        @Option(names = {"-o", "--output"}, required = true, description = "Layer file to write, or - for standard output.")
        String output;
        @Option(names = "--compress", defaultValue = "gzip", description = "gzip, zstd or none (default: ${DEFAULT-VALUE}).")
        String compress;
        @Option(names = "--json", description = "JSON output.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Compression compression = switch (compress) {
                case "gzip" -> Compression.GZIP;
                case "zstd" -> Compression.ZSTD;
                case "none" -> Compression.NONE;
                default -> throw new InvalidArgumentException("--compress must be gzip, zstd or none, not \"" + compress + "\"");
            };
            try (Snapshotter sn = store.open()) {
                Info info = sn.stat(key);
                List<String> views = new ArrayList<>();
                String tag = UUID.randomUUID().toString().substring(0, 8);
                try {
                    List<Mount> upper = switch (info.kind()) {
                        case ACTIVE -> sn.mounts(key);
                        case COMMITTED -> view(sn, views, "strata-diff-upper-" + tag, key);
                        case VIEW -> throw new FailedPreconditionException("snapshot " + key
                                + " is a view: it has no changes of its own; diff its parent or an active snapshot");
                    };
                    List<Mount> lower = info.parent().isEmpty() ? List.of()
                            : view(sn, views, "strata-diff-lower-" + tag, info.parent().get());
                    long start = System.nanoTime();
                    DiffResult r = write(lower, upper, compression);
                    double secs = (System.nanoTime() - start) / 1e9;
                    PrintWriter out = output.equals("-") ? new PrintWriter(System.err, true) : spec.commandLine().getOut();
                    if (json) {
                        out.println("{\"digest\":" + Json.str(r.digest()) + ",\"size\":" + r.size() + ",\"diffId\":"
                                + Json.str(r.diffId()) + ",\"uncompressedSize\":" + r.uncompressedSize() + ",\"mediaType\":"
                                + Json.str(r.mediaType()) + ",\"entries\":" + r.entries() + "}");
                    } else {
                        out.printf(Locale.ROOT, "%s%n  diffID %s (%s, %d bytes; %d uncompressed), %d entries in %.2f s%n",
                                r.digest(), r.diffId(), r.mediaType(), r.size(), r.uncompressedSize(), r.entries(), secs);
                    }
                    out.flush();
                } finally {
                    for (String v : views) {
                        try {
                            sn.remove(v);
                        } catch (NotFoundException ignored) {
                            // already gone
                        }
                    }
                }
            }
            return 0;
        }

        private static List<Mount> view(Snapshotter sn, List<String> views, String name, String parent) {
            List<Mount> m = sn.view(name, parent);
            views.add(name);
            return m;
        }

        /** Writes to a temporary file beside the output, renamed into place only when complete. */
        private DiffResult write(List<Mount> lower, List<Mount> upper, Compression compression) throws IOException {
            if (output.equals("-")) {
                OutputStream out = new BufferedOutputStream(System.out, 256 * 1024);
                DiffResult r = Layers.diff(lower, upper, out, compression);
                out.flush();
                return r;
            }
            Path target = Path.of(output).toAbsolutePath();
            Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".partial");
            try {
                DiffResult r;
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 256 * 1024)) {
                    r = Layers.diff(lower, upper, out, compression);
                }
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return r;
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }

    static long size(String file) {
        try {
            return Files.size(Path.of(file));
        } catch (IOException e) {
            return -1;
        }
    }

    static InputStream open(String file) throws IOException {
        if (file.equals("-")) {
            return System.in;
        }
        try {
            return Files.newInputStream(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new InvalidArgumentException("layer file " + file + " does not exist");
        }
    }
}

package io.strata.cli;

import io.strata.api.FailedPreconditionException;
import io.strata.api.NotFoundException;
import io.strata.content.ContentInfo;
import io.strata.content.ContentStore;
import io.strata.content.GcLabels;
import io.strata.image.Strata;
import io.strata.image.meta.ImageRecord;
import io.strata.image.meta.Lease;
import io.strata.image.meta.MetadataStore;
import io.strata.oci.Digests;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata content ls|get|rm}: the blobs of the content store, as {@code ctr content} shows them. */
@Command(name = "content", mixinStandardHelpOptions = true, description = "List, read and remove blobs of the content store.",
        subcommands = {ContentCommand.Ls.class, ContentCommand.Get.class, ContentCommand.Rm.class})
final class ContentCommand {
    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true,
            description = "List blobs: DIGEST SIZE AGE LABELS.")
    static final class Ls implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ImageCommands.Where where;
        @Option(names = {"-q", "--quiet"}, description = "Digests only.")
        boolean quiet;
        @Option(names = "--json", description = "JSON output, one object per blob.")
        boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (Strata strata = where.open()) {
                List<ContentInfo> blobs = new ArrayList<>(strata.content().list());
                blobs.sort(Comparator.comparing(ContentInfo::digest));
                if (quiet) {
                    blobs.forEach(b -> out.println(b.digest()));
                } else if (json) {
                    blobs.forEach(b -> out.println("{\"digest\":" + Json.str(b.digest()) + ",\"size\":" + b.size()
                            + ",\"createdAt\":" + Json.str(b.createdAt().toString()) + ",\"updatedAt\":"
                            + Json.str(b.updatedAt().toString()) + ",\"labels\":" + Json.labels(b.labels()) + "}"));
                } else {
                    List<String[]> rows = new ArrayList<>();
                    rows.add(new String[] {"DIGEST", "SIZE", "AGE", "LABELS"});
                    Instant now = Instant.now();
                    for (ContentInfo b : blobs) {
                        rows.add(new String[] {b.digest(), Table.human(b.size()), age(Duration.between(b.createdAt(), now)),
                                labelList(b.labels())});
                    }
                    Table.print(out, rows);
                }
            }
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Write a blob's bytes to stdout.")
    static final class Get implements Callable<Integer> {
        @Mixin
        ImageCommands.Where where;
        @Parameters(index = "0", paramLabel = "DIGEST", description = "The blob's digest, sha256:<hex>.")
        String digest;

        @Override
        public Integer call() throws Exception {
            String d = Digests.require(digest);
            try (Strata strata = where.open(); InputStream in = strata.content().open(d)) {
                OutputStream out = System.out;
                in.transferTo(out);
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "rm", aliases = {"remove", "delete", "del"}, mixinStandardHelpOptions = true,
            description = "Remove blobs. A blob an image, another blob, a lease or a gc.root label still holds is refused,"
                    + " naming who holds it, unless --force.")
    static final class Rm implements Callable<Integer> {
        @Mixin
        ImageCommands.Where where;
        @Parameters(arity = "1..*", paramLabel = "DIGEST", description = "Digests to remove.")
        List<String> digests;
        @Option(names = "--force", description = "Remove even a blob that is still held; its images then show as"
                + " incomplete, and a pull fetches the blob again.")
        boolean force;

        @Override
        public Integer call() {
            digests.forEach(Digests::require);
            try (Strata strata = where.open()) {
                for (String d : digests) {
                    if (strata.content().info(d).isEmpty()) {
                        throw new NotFoundException("content " + d + ": not found");
                    }
                }
                if (!force) {
                    // All are checked before any is removed: a refused command changes nothing.
                    for (String d : digests) {
                        List<String> holders = holders(strata.content(), strata.metadata(), d);
                        if (!holders.isEmpty()) {
                            throw new FailedPreconditionException("content " + d + " is held by " + String.join(", ", holders)
                                    + "; remove those first, or give --force");
                        }
                    }
                }
                digests.forEach(d -> strata.content().delete(d));
            }
            return 0;
        }
    }

    /** Who keeps {@code digest} from the garbage collector: images, blobs that reference it, leases, a gc.root label. */
    static List<String> holders(ContentStore content, MetadataStore meta, String digest) {
        List<String> holders = new ArrayList<>();
        content.info(digest).filter(i -> i.labels().containsKey(GcLabels.ROOT)).ifPresent(i -> holders.add("its gc.root label"));
        for (String ns : meta.namespaces()) {
            for (ImageRecord img : meta.images(ns)) {
                if (img.digest().equals(digest)) {
                    holders.add("image " + img.name() + " (namespace " + ns + ")");
                }
            }
            for (Lease l : meta.leases(ns)) {
                if (l.resources().contains(new Lease.Resource("content", digest))) {
                    holders.add("lease " + l.id() + " (namespace " + ns + ")");
                }
            }
        }
        for (ContentInfo b : content.list()) {
            for (Map.Entry<String, String> l : b.labels().entrySet()) {
                if (l.getKey().startsWith(GcLabels.REF_CONTENT) && l.getValue().equals(digest)) {
                    holders.add("blob " + b.digest() + " (" + l.getKey() + ")");
                }
            }
        }
        return holders;
    }

    static String labelList(Map<String, String> labels) {
        if (labels.isEmpty()) {
            return "-";
        }
        List<String> kv = new ArrayList<>();
        labels.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> kv.add(e.getKey() + "=" + e.getValue()));
        return String.join(",", kv);
    }

    /** A duration as ctr prints ages: "3 seconds", "5 minutes", "2 hours", "4 days". */
    static String age(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + (s == 1 ? " second" : " seconds");
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%d minutes", s / 60);
        }
        if (s < 86400) {
            return String.format(Locale.ROOT, "%d hours", s / 3600);
        }
        return String.format(Locale.ROOT, "%d days", s / 86400);
    }
}

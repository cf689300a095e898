package io.strata.cli;

import io.strata.api.AlreadyExistsException;
import io.strata.image.Strata;
import io.strata.image.meta.ImageRecord;
import io.strata.image.meta.MetadataStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata images tag|label}: new names for an image, and its labels, as {@code ctr images} does them. */
final class ImageTagging {
    private ImageTagging() {
    }

    @Command(name = "tag", mixinStandardHelpOptions = true,
            description = "Give an image more names. A name that is taken is refused unless --force.")
    static final class Tag implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ImageCommands.Where where;
        @Parameters(index = "0", paramLabel = "SOURCE", description = "An existing image's name.")
        String source;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "TARGET", description = "New names.")
        List<String> targets;
        @Option(names = "--force", description = "Point a name that is taken at the source's target instead.")
        boolean force;

        @Override
        public Integer call() {
            try (Strata strata = where.open()) {
                MetadataStore meta = strata.metadata();
                ImageRecord src = strata.image(where.namespace, source);
                if (!force) {
                    // Checked for all before any is written: a refused tag changes nothing.
                    for (String t : targets) {
                        if (!t.equals(source) && meta.image(where.namespace, t).isPresent()) {
                            throw new AlreadyExistsException("image \"" + t + "\": already exists; give --force to re-point it");
                        }
                    }
                }
                for (String t : targets) {
                    if (!t.equals(source)) {
                        meta.putImage(where.namespace, ImageRecord.of(t, src.mediaType(), src.digest(), src.size(), src.labels()));
                    }
                    spec.commandLine().getOut().println(t);
                }
            }
            return 0;
        }
    }

    @Command(name = "label", mixinStandardHelpOptions = true,
            description = "Set labels (key=value) or delete them (key=) on an image; prints its labels.")
    static final class Label implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ImageCommands.Where where;
        @Parameters(index = "0", paramLabel = "NAME", description = "The image's name.")
        String name;
        @Parameters(index = "1..*", arity = "0..*", paramLabel = "KEY=VALUE", description = "key=value to set, key= to delete.")
        List<String> labels = List.of();

        @Override
        public Integer call() {
            Map<String, String> asked = SnapshotsCommand.parseLabels(labels, true);
            try (Strata strata = where.open()) {
                ImageRecord img = strata.image(where.namespace, name);
                Map<String, String> merged = new HashMap<>(img.labels());
                asked.forEach((k, v) -> {
                    if (v.isEmpty()) {
                        merged.remove(k);
                    } else {
                        merged.put(k, v);
                    }
                });
                if (!asked.isEmpty()) {
                    img = strata.metadata().putImage(where.namespace,
                            ImageRecord.of(img.name(), img.mediaType(), img.digest(), img.size(), merged));
                }
                new TreeMap<>(img.labels()).forEach((k, v) -> spec.commandLine().getOut().println(k + "=" + v));
            }
            return 0;
        }
    }
}

package io.strata.cli;

import io.strata.api.InvalidArgumentException;
import io.strata.content.importer.Exporter;
import io.strata.image.Strata;
import io.strata.image.meta.ImageRecord;
import io.strata.oci.Descriptor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code strata images export OUT.tar NAME...}: images as an OCI layout in a tar, as {@code ctr images
 * export} writes it; {@code strata import} or {@code ctr images import} of it gives the same digests
 * and so the same chain IDs.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write images as an OCI image layout tar (what import and ctr images import read). The path must not exist.")
final class ImageExportCommand implements Callable<Integer> {
    @Mixin
    ImageCommands.Where where;
    @Option(names = "--platform", description = "Only this os/arch[/variant] of an index (default: every platform in the store).")
    String platform;
    @Parameters(index = "0", paramLabel = "OUT", description = "The archive to write.")
    Path out;
    @Parameters(index = "1..*", arity = "1..*", paramLabel = "NAME", description = "Images to export.")
    List<String> names;

    @Override
    public Integer call() throws IOException {
        if (out.getFileName() == null) {
            throw new InvalidArgumentException("export path " + out + " names no file");
        }
        try (Strata strata = where.open()) {
            List<Exporter.Named> images = new ArrayList<>();
            for (String n : names) {
                ImageRecord img = strata.image(where.namespace, n);
                images.add(new Exporter.Named(img.name(), Descriptor.of(img.mediaType(), img.digest(), img.size())));
            }
            Exporter.exportArchive(strata.content(), images, ImageCommands.platforms(platform, platform == null), out);
        }
        return 0;
    }
}

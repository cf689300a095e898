package io.strata.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * The tree a stack of layers should unpack to, made by GNU tar: the reference an unpacker's
 * result is compared with. GNU tar does not know OCI whiteouts, so before each layer is extracted
 * its {@code .wh.NAME} entries delete {@code NAME} and its {@code .wh..wh..opq} entries empty their
 * directory of what the layers below put there; the markers themselves are not extracted.
 */
public final class GnuTarReference {
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";

    private GnuTarReference() {
    }

    /** Extracts {@code tars} (uncompressed, base first) into {@code into}, whiteouts carried out; returns {@code into}. */
    public static Path extract(List<Path> tars, Path into) throws IOException {
        Files.createDirectories(into);
        for (Path tar : tars) {
            for (String entry : OciArchive.run(into, "tar", "-tf", tar.toString()).lines().toList()) {
                Path p = into.resolve(entry.replaceFirst("^\\./", "")).normalize();
                String name = p.getFileName() == null ? "" : p.getFileName().toString();
                if (name.equals(OPAQUE)) {
                    emptyDirectory(p.getParent());
                } else if (name.startsWith(WHITEOUT)) {
                    Path hidden = p.resolveSibling(name.substring(WHITEOUT.length()));
                    if (Files.exists(hidden, LinkOption.NOFOLLOW_LINKS)) {
                        Tree.deleteTree(hidden);
                    }
                }
            }
            OciArchive.run(into, "tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "--exclude=" + WHITEOUT + "*",
                    "-C", into.toString(), "-xf", tar.toString());
        }
        return into;
    }

    private static void emptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var children = Files.list(dir)) {
            for (Path c : children.toList()) {
                Tree.deleteTree(c);
            }
        }
    }
}

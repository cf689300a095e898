package io.strata.image.diff;

import io.strata.api.InvalidArgumentException;
import io.strata.api.IoErrors;
import io.strata.api.NotFoundException;
import io.strata.oci.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * The blobs of a containerd content store read straight from its directory,
 * {@code <containerd root>/io.containerd.content.v1.content/blobs/<algorithm>/<hex>}. containerd
 * writes a blob there only once it is complete and verified, under its digest, and the directory is
 * shared by all namespaces, so a blob found there is the one the descriptor names whichever
 * namespace asked (the caller still verifies the digest while applying).
 */
public record ContentDirectory(Path containerdRoot) implements BlobSource {
    /** containerd's content plugin directory below its root. */
    public static final String PLUGIN_DIR = "io.containerd.content.v1.content";

    /** The directory of blobs. */
    public Path blobs() {
        return containerdRoot.resolve(PLUGIN_DIR).resolve("blobs");
    }

    /** True when the blob directory is there and this process may read it. */
    public boolean usable() {
        Path b = blobs();
        return Files.isDirectory(b) && Files.isReadable(b) && Files.isExecutable(b);
    }

    /** Where the blob of {@code digest} ("sha256:…") is stored. */
    public Path blobPath(String digest) {
        int colon = digest.indexOf(':');
        return blobs().resolve(digest.substring(0, colon)).resolve(digest.substring(colon + 1));
    }

    @Override
    public InputStream open(Descriptor layer, Optional<String> namespace) {
        Path p = blobPath(layer.digest());
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                throw new InvalidArgumentException("blob " + layer.digest() + " in " + describe() + " is not a regular file");
            }
            if (a.size() != layer.size()) {
                throw new InvalidArgumentException("blob " + layer.digest() + " in " + describe() + " has " + a.size()
                        + " bytes, its descriptor says " + layer.size());
            }
            return Files.newInputStream(p);
        } catch (NoSuchFileException e) {
            throw new NotFoundException("blob " + layer.digest() + " is not in " + describe());
        } catch (IOException e) {
            throw IoErrors.classify("opening blob " + layer.digest() + " in " + describe(), e);
        }
    }

    @Override
    public String describe() {
        return "containerd's content directory " + blobs();
    }
}

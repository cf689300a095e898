package io.strata.content.importer;

import io.strata.oci.Descriptor;
import java.util.Objects;
import java.util.Optional;

/**
 * One image an archive names: its name as the archive gives it and the descriptor of its
 * manifest or index. The importer stores blobs only; recording the name is the caller's job.
 *
 * @param name   the image name: for a docker-save archive a normalized reference
 *               ({@code docker.io/library/busybox:latest}); for an OCI layout the
 *               {@code io.containerd.image.name} annotation, else
 *               {@code org.opencontainers.image.ref.name} as written (often only a tag); empty
 *               when the archive names none
 * @param target the manifest or index descriptor; its blob and everything below it is stored
 */
public record ImageEntry(Optional<String> name, Descriptor target) {
    public ImageEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(target, "target");
    }
}

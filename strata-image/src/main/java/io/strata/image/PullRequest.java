package io.strata.image;

import io.strata.api.InvalidArgumentException;
import io.strata.api.Namespaces;
import io.strata.oci.PlatformMatcher;
import io.strata.oci.Reference;
import java.util.Objects;
import java.util.Set;

/**
 * What to pull, as {@code ctr images pull} is told it: an image reference into a namespace, for
 * which platforms, which registries speak plain HTTP, and how many blobs download at once.
 *
 * @param namespace      the namespace the image is recorded in; a valid containerd namespace
 * @param reference      the image reference
 * @param platforms      the platforms whose manifests are fetched; unpacking takes the best match
 * @param plainHttpHosts registries ({@code host[:port]}) spoken to over plain HTTP instead of HTTPS
 * @param parallelism    blobs downloaded at once, at least 1
 * @param discardUnpackedLayers once every layer is committed, drop the manifest's references to
 *                       its layer blobs so that the next GC frees them while the snapshots stay, as
 *                       containerd's {@code discard_unpacked_layers}; a pull without unpacking keeps them
 */
public record PullRequest(String namespace, Reference reference, PlatformMatcher platforms,
                          Set<String> plainHttpHosts, int parallelism, boolean discardUnpackedLayers) {
    /** containerd's default for {@code --max-concurrent-downloads}. */
    public static final int DEFAULT_PARALLELISM = 3;

    public PullRequest {
        Namespaces.validate(namespace);
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(platforms, "platforms");
        plainHttpHosts = Set.copyOf(plainHttpHosts);
        if (parallelism < 1) {
            throw new InvalidArgumentException("parallelism must be at least 1, not " + parallelism);
        }
    }

    /**
     * {@code reference} into {@code namespace} for this host's platform, over HTTPS, with
     * {@value #DEFAULT_PARALLELISM} downloads at once.
     *
     * @throws InvalidArgumentException if the reference or the namespace is not valid
     */
    public static PullRequest of(String namespace, String reference) {
        return new PullRequest(namespace, Reference.parse(reference), PlatformMatcher.host(), Set.of(), DEFAULT_PARALLELISM, false);
    }

    public PullRequest withPlatforms(PlatformMatcher matcher) {
        return new PullRequest(namespace, reference, matcher, plainHttpHosts, parallelism, discardUnpackedLayers);
    }

    public PullRequest withPlainHttp(Set<String> hosts) {
        return new PullRequest(namespace, reference, platforms, hosts, parallelism, discardUnpackedLayers);
    }

    public PullRequest withParallelism(int downloads) {
        return new PullRequest(namespace, reference, platforms, plainHttpHosts, downloads, discardUnpackedLayers);
    }

    public PullRequest withDiscardUnpackedLayers(boolean discard) {
        return new PullRequest(namespace, reference, platforms, plainHttpHosts, parallelism, discard);
    }
}
